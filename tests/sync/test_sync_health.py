"""Every sync round ends with this PC's sync-health report to the server (issue 10), and a
township PC reads its clinics' reports with `familydoc sync-report`. A report that cannot be
sent never fails the sync."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from familydoc_desktop import __version__
from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import health, session
from familydoc_desktop.sync.http import Client, SyncError
from sync_server import models
from sync_server.core.db import make_engine
from tests.sync.sync_live import PASSWORD


def _pc(tmp_path, live_server, user: str) -> Database:
    (tmp_path / user).mkdir()
    db = Database(tmp_path / user / "familydoc.db")
    session.login(db, live_server.url, user, PASSWORD)
    return db


def sync(db: Database):  # noqa: ANN201
    return session.make_engine(db, reconcile=True).run()


def _stored(live_server, device_id: str):  # noqa: ANN202
    engine = make_engine(live_server.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(models.device_health)
                                .where(models.device_health.c.device_id == device_id)).first()
    finally:
        engine.dispose()


def _cli(capsys, *argv):  # noqa: ANN001, ANN002, ANN202
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def east(tmp_path, live_server):
    db = _pc(tmp_path, live_server, "doc_a1")
    yield db
    db.close()


def test_each_round_reports_and_the_township_reads_it(east, live_server, tmp_path, capsys):
    home, west = live_server.clinic(), live_server.clinic("431001100202")
    with east.session() as s:
        moved = Resident(org_id=home, name="王五", sex="male")
        s.add(moved)
        s.add(Resident(org_id=home, name="李四", sex="female"))
    report = sync(east)
    assert report.health_sent is True
    row = _stored(live_server, east.device_id)
    assert (row.app_version, row.pending, row.refused, row.sync_ok) == (__version__, 0, 0, True)
    assert json.loads(row.records)["resident"] == 2 and row.digest_ok is True
    assert row.digest_checked_at is not None and row.last_sync_at is not None
    assert row.clock_offset_ms is not None and abs(row.clock_offset_ms) < 5000

    town = _pc(tmp_path, live_server, "town")
    try:
        sync(town)
        with town.session() as s:  # the township moves 王五 to the west village
            s.get(Resident, moved.id).org_id = west
        assert sync(town).pushed == 1
    finally:
        town.close()
    with east.session() as s:  # the east PC still holds him and edits him offline
        s.get(Resident, moved.id).phone = "13800000009"
    assert sync(east).refused == 1
    row = _stored(live_server, east.device_id)
    assert row.refused == 1
    [reason] = json.loads(row.refused_reasons)
    assert reason["count"] == 1 and reason["reason"]

    code, out, err = _cli(capsys, "--data-dir", str(tmp_path / "town"), "--json", "sync-report")
    assert code == 0, err
    clinics = {c["code"]: c for c in json.loads(out)["clinics"]}
    assert list(clinics) == ["431001100000", "431001100201", "431001100202"]
    township = clinics.pop("431001100000")  # the township's own PC, which synced above
    assert township["level"] == "township" and township["flags"] == []
    assert [d["username"] for d in township["devices"]] == ["town"]
    assert "refused" in clinics["431001100201"]["flags"]
    assert clinics["431001100202"]["flags"] == ["no_device"]
    [dev] = clinics["431001100201"]["devices"]
    assert (dev["username"], dev["refused"], dev["pending"]) == ("doc_a1", 1, 0)

    code, out, _ = _cli(capsys, "--data-dir", str(tmp_path / "town"), "sync-report")
    assert code == 0
    assert out.startswith("各村同步情况：2 个村卫生室、1 个乡镇（县）机构的电脑，2 个需要关注")
    assert "431001100202  西村卫生室  电脑 0 台  待处理冲突 0  【没有登记的电脑】" in out
    assert "有修改被服务器拒绝" in out and "doc_a1" in out

    # A village doctor gets at most their own clinic; another clinic is refused in Chinese.
    code, out, _ = _cli(capsys, "--data-dir", str(tmp_path / "doc_a1"), "--json",
                        "sync-report")
    assert code == 0 and [c["code"] for c in json.loads(out)["clinics"]] == ["431001100201"]
    code, _, err = _cli(capsys, "--data-dir", str(tmp_path / "doc_a1"), "sync-report",
                        "--org", "431001100202")
    assert code == 1 and "无权访问该机构的数据" in err


def test_a_report_that_cannot_go_never_fails_the_sync(east, live_server, monkeypatch):
    real_post = Client.post

    def post(self, path, body=None):  # noqa: ANN001, ANN202
        if path == "/sync/report":
            raise SyncError("同步服务器出错（500）", 500)
        return real_post(self, path, body)

    monkeypatch.setattr(Client, "post", post)
    with east.session() as s:
        s.add(Resident(org_id=live_server.clinic(), name="张三", sex="male"))
    report = sync(east)
    assert (report.pushed, report.pending, report.health_sent) == (1, 0, False)
    assert _stored(live_server, east.device_id) is None


def test_a_failed_round_reports_its_error(east, live_server, monkeypatch):
    sync(east)
    real_get = Client.get

    def get(self, path, params=None):  # noqa: ANN001, ANN202
        if path == "/sync/pull":
            raise SyncError("同步服务器返回的数据有误（游标未前进），请联系管理员", 500)
        return real_get(self, path, params)

    monkeypatch.setattr(Client, "get", get)
    with pytest.raises(SyncError):
        sync(east)
    row = _stored(live_server, east.device_id)
    assert row.sync_ok is False and row.last_error.startswith("同步服务器返回的数据有误")
    assert row.last_error_at is not None and row.last_sync_at is not None  # the good one
    monkeypatch.setattr(Client, "get", real_get)
    assert sync(east).health_sent is True
    row = _stored(live_server, east.device_id)
    assert row.sync_ok is True and row.last_error.startswith("同步服务器返回的数据有误")


def test_the_report_is_built_from_the_pc_s_own_state(east, live_server):
    with east.session() as s:
        s.add(Resident(org_id=live_server.clinic(), name="张三", sex="male"))
    body = health.build(east, sync_ok=True, clock_offset_ms=-400_000)
    assert (body.pending, body.refused, body.open_conflicts, body.set_aside) == (1, 0, 0, 0)
    assert body.records["resident"] == 1 and body.clock_offset_ms == -400_000
    assert body.device_id == east.device_id and body.digest_ok is None  # never checked yet
