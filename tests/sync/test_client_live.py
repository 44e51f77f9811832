"""Client against a REAL server (uvicorn on loopback): login, sync, conflicts, re-homing,
reconciliation, dead network, and where the token may (not) be."""
from __future__ import annotations

import pytest
import requests
from sqlmodel import select

from familydoc_desktop.domain.models import Household, Resident, SyncConflict
from familydoc_desktop.store import orgs as store_orgs
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, conflicts, engine, outbox, session
from familydoc_desktop.sync.engine import SyncEngine
from familydoc_desktop.sync.http import NETWORK_DOWN, AuthExpired, NetworkDown
from tests.sync.sync_live import PASSWORD, free_port


@pytest.fixture
def clients(tmp_path, live_server):
    dbs = []
    for name in ("doc_a1", "doc_a2"):
        (tmp_path / name).mkdir()
        db = Database(tmp_path / name / "familydoc.db")
        session.login(db, live_server.url, name, PASSWORD)
        dbs.append(db)
    yield dbs
    for db in dbs:
        db.close()


def sync(db: Database):  # noqa: ANN201
    return session.make_engine(db, reconcile=True).run()


def test_records_travel_and_review_fields_conflict(clients, live_server):
    a, b = clients
    home = live_server.clinic()
    with a.session() as s:
        r = Resident(org_id=home, name="张三", sex="male", phone="13800000001")
        s.add(r)
    first = sync(a)
    assert (first.pushed, first.pending) == (1, 0)
    assert sync(b).pulled == 1
    with b.session() as s:
        rb = s.get(Resident, r.id)
        assert rb.name == "张三" and rb.server_seq is not None
        rb.name, rb.phone = "张叁", "13900000002"
    with a.session() as s:
        s.get(Resident, r.id).name = "章三"
    sync(b)
    report = sync(a)
    assert report.conflicts == 1
    sync(b)
    (ca,) = conflicts.list_conflicts(a)
    assert (ca.field, ca.local_value, ca.server_value) == ("name", "章三", "张叁")
    assert (ca.local_author, ca.server_author) == ("doc_a1", "doc_a2")
    assert [c.id for c in conflicts.list_conflicts(b)] == [ca.id]
    with a.session() as s:  # the server value stands until someone decides
        assert s.get(Resident, r.id).name == "张叁"
        assert s.get(Resident, r.id).phone == "13900000002"

    assert conflicts.resolve(a, ca.id[:8], "local", client=session.make_client(a)) == "sent"
    sync(a), sync(b)
    for db in clients:
        with db.session() as s:
            assert s.get(Resident, r.id).name == "章三"
            assert s.get(SyncConflict, ca.id).status == "resolved"
        assert conflicts.open_count(db) == 0


def test_resolution_decided_offline_is_sent_on_next_sync(clients, live_server):
    a, b = clients
    with a.session() as s:
        h = Household(org_id=live_server.clinic(), household_no="0001", head_id=None)
        s.add(h)
    sync(a), sync(b)
    with a.session() as s:
        s.get(Household, h.id).head_id = "01a20000-0000-7000-8000-00000000000a"
    with b.session() as s:
        s.get(Household, h.id).head_id = "01a20000-0000-7000-8000-00000000000b"
    sync(a), sync(b)
    (cb,) = conflicts.list_conflicts(b)
    assert conflicts.resolve(b, cb.id, "local", client=None) == "queued"
    assert conflicts.list_conflicts(b, status="resolved")[0].queued
    report = sync(b)
    assert report.resolutions_sent == 1 and report.conflicts == 0
    sync(a)
    for db in clients:
        with db.session() as s:
            assert s.get(Household, h.id).head_id.endswith("b")
    with pytest.raises(Exception) as err:
        conflicts.resolve(a, cb.id, "server")
    assert "已处理" in str(err.value)


def test_offline_records_move_to_the_real_clinic_on_first_login(tmp_path, live_server):
    db = Database(tmp_path / "new.db")
    with db.session() as s:
        placeholder = store_orgs.ensure_local_clinic(s)
        s.add(Resident(org_id=placeholder.id, name="离线登记", sex="female"))
    result = session.login(db, live_server.url, "doc_a3", PASSWORD)
    assert result.rehomed == 1 and result.home_org_id == live_server.clinic()
    report = sync(db)
    assert report.pushed >= 1 and report.pending == 0
    with db.session() as s:
        (r,) = s.exec(select(Resident)).all()
        assert r.org_id == live_server.clinic() and r.server_seq is not None
        assert store_orgs.home_clinic(s).id == live_server.clinic()
    db.close()


def test_reconciliation_repairs_local_drift(clients, live_server):
    a, b = clients
    with a.session() as s:
        ids = []
        for i in range(5):
            r = Resident(org_id=live_server.clinic(), name=f"居民{i}", sex="male")
            s.add(r)
            ids.append(r.id)
    sync(a), sync(b)
    with b.session(capture=False) as s:  # drift: a row lost, another with a stale version
        conn = s.connection()
        conn.exec_driver_sql("DELETE FROM resident WHERE id = ?", (ids[0],))
        conn.exec_driver_sql("UPDATE resident SET name = '错', server_seq = 1 WHERE id = ?",
                             (ids[1],))
    report = sync(b)
    assert report.reconciled_tables == ["resident"]
    with b.session() as s:
        assert s.get(Resident, ids[0]) is not None
        assert s.get(Resident, ids[1]).name == "居民1"
    assert sync(b).reconciled_tables == []


def test_dead_network_keeps_the_outbox(clients, live_server):
    a, _ = clients
    with a.session() as s:
        s.add(Resident(org_id=live_server.clinic(), name="断网", sex="male"))
    info = session.current(a)
    engine = SyncEngine(a, f"http://127.0.0.1:{free_port()}", username=info.username,
                        token=info.token)
    with pytest.raises(NetworkDown) as err:
        engine.run()
    assert str(err.value) == NETWORK_DOWN
    with a.session() as s:
        assert outbox.pending_count(s) == 1
    assert sync(a).pushed == 1


def test_token_only_in_the_keyring_and_logout_revokes_it(clients, live_server, tmp_path,
                                                          memory_keyring):
    a, _ = clients
    with a.session() as s:
        s.add(Resident(org_id=live_server.clinic(), name="令牌", sex="male"))
    sync(a)
    token = session.current(a).token
    assert token and token in memory_keyring.store.values()
    data_dir = tmp_path / "doc_a1"
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert session.logout(a) is True
    assert session.current(a).token is None
    r = requests.get(f"{live_server.url}/api/v1/sync/digest",
                     headers={"Authorization": f"Bearer {token}", "X-FamilyDoc-Schema": "1"})
    assert r.status_code == 401
    engine = SyncEngine(a, live_server.url, username="doc_a1", token=token)
    with pytest.raises(AuthExpired):
        engine.run()


def test_a_copied_data_folder_gets_its_own_device_and_loses_nothing(clients, live_server,
                                                                      tmp_path):
    import shutil

    a, b = clients
    home = live_server.clinic()
    with a.session() as s:
        s.add(Resident(org_id=home, name="郑一", sex="male"))
    sync(a)
    a.close()
    shutil.copytree(a.path.parent, tmp_path / "copy")  # IT copies the folder to a new PC
    original = Database(a.path)
    copy = Database(tmp_path / "copy" / "familydoc.db")
    try:
        assert original.device_id != copy.device_id and copy.rekeyed_from == original.device_id
        assert original.rekeyed_from is None
        with original.session() as s:
            s.add(Resident(org_id=home, name="郑二", sex="male"))
        with copy.session() as s:
            s.add(Resident(org_id=home, name="冯二", sex="female"))
        # The stored token was issued to the original's device: the copy must log in again.
        with pytest.raises(session.NotLoggedIn, match="复制、移动或从备份恢复"):
            session.make_engine(copy)
        assert sync(original).pushed == 1
        session.login(copy, live_server.url, "doc_a1", PASSWORD)
        pushed = sync(copy)
        assert (pushed.pushed, pushed.pending) == (1, 0)  # not taken for a retry and dropped
        sync(b)
        with b.session() as s:
            names = {r.name for r in s.exec(select(Resident))}
        assert {"郑一", "郑二", "冯二"} <= names
    finally:
        original.close()
        copy.close()


def _township_pc(live_server, tmp_path) -> Database:  # noqa: ANN001
    """The township's PC, logged in and caught up."""
    (tmp_path / "town").mkdir()
    town = Database(tmp_path / "town" / "familydoc.db")
    session.login(town, live_server.url, "town", PASSWORD)
    sync(town)
    return town


def _move(town: Database, resident_id: str, org_id: str) -> None:
    with town.session() as s:
        s.get(Resident, resident_id).org_id = org_id
    assert sync(town).pushed == 1


def test_an_edit_to_a_resident_moved_away_is_set_aside_and_the_rest_syncs(
        clients, live_server, tmp_path):
    a, _b = clients
    east, west = live_server.clinic(), live_server.clinic("431001100202")
    with a.session() as s:
        moved = Resident(org_id=east, name="王五", sex="male")
        s.add(moved)
    sync(a)
    town = _township_pc(live_server, tmp_path)
    try:
        _move(town, moved.id, west)  # the township moves him to the west village
    finally:
        town.close()
    with a.session() as s:  # the east PC still holds him, and edits him offline
        s.get(Resident, moved.id).phone = "13800000009"
        s.add(Resident(org_id=east, name="陈三", sex="male"))
    report = sync(a)
    assert (report.pushed, report.refused, report.pending) == (1, 1, 0)
    assert any("被同步服务器拒绝" in w for w in report.warnings)
    with a.session(capture=False) as s:
        (kept,) = outbox.refused_changes(s)
        assert (kept["record_id"], kept["changes"]["phone"]) == (moved.id, "13800000009")
    assert sync(a).refused == 0  # set aside once, not again on every sync


def test_conflicts_read_from_each_pc_s_own_side(clients, live_server):
    a, b = clients
    home = live_server.clinic()
    with a.session() as s:
        r = Resident(org_id=home, name="张三", sex="male")
        s.add(r)
    sync(a)
    sync(b)
    with a.session() as s:
        s.get(Resident, r.id).name = "张三丰"
    with b.session() as s:
        s.get(Resident, r.id).name = "章三"
    sync(a)  # A's name reaches the server first: B's push meets it
    assert sync(b).conflicts == 1
    sync(a)
    (on_a,) = conflicts.list_conflicts(a)
    (on_b,) = conflicts.list_conflicts(b)
    # Each PC sees its own value as 本机 (local), whichever side the server gave it.
    assert (on_a.mine, on_a.local_value, on_a.server_value) == ("local", "张三丰", "章三")
    assert (on_b.mine, on_b.local_value, on_b.server_value) == ("local", "章三", "张三丰")
    # The CLI shows the id's random tail; that resolves too. A keeps its own value.
    conflicts.resolve(a, on_a.id[-12:], "local", client=session.make_client(a))
    sync(a)
    sync(b)
    for db in (a, b):
        with db.session() as s:
            assert s.get(Resident, r.id).name == "张三丰"


def test_a_revoked_device_shows_as_logged_out_after_its_next_sync(clients, live_server):
    from sync_server.core.db import make_engine, write_tx
    from sync_server.services import accounts

    a, _b = clients
    engine = make_engine(live_server.database_url)
    with write_tx(engine) as conn:  # IT revokes the PC (familydoc-server device revoke)
        accounts.revoke_device(conn, a.device_id)
    engine.dispose()
    assert session.current(a).token is not None
    with pytest.raises(AuthExpired):
        session.run_sync(a)
    assert session.current(a).token is None  # "未登录", not a login that no longer works
    with pytest.raises(session.NotLoggedIn):
        session.run_sync(a)


def test_a_resident_moved_to_another_village_leaves_the_old_village_s_pc(
        clients, live_server, tmp_path):
    from familydoc_desktop.store import search

    a, b = clients
    east, west = live_server.clinic(), live_server.clinic("431001100202")
    with a.session() as s:
        moved = Resident(org_id=east, name="王五", sex="male")
        s.add(moved)
    sync(a)
    sync(b)
    with a.session() as s:  # an open name conflict about him, in the east village
        s.get(Resident, moved.id).name = "王伍"
    with b.session() as s:
        s.get(Resident, moved.id).name = "王午"
    sync(a)
    sync(b)
    sync(a)
    assert conflicts.open_count(a) == 1
    town = _township_pc(live_server, tmp_path)
    try:
        _move(town, moved.id, west)
        report = sync(a)  # reconcile=True: the digests must agree afterwards
        assert report.conflicts == 0  # the conflict went to the west village with him
        assert report.reconciled_tables == [] and report.pending == 0
        with a.session() as s:
            found = {r.id for r in search.search_residents(s, "王")}
            assert moved.id not in found  # no longer this village's
            assert s.get(Resident, moved.id).server_seq is None
        with town.session() as s:  # the township still has him, in the west village
            assert s.get(Resident, moved.id).org_id == west and not s.get(
                Resident, moved.id).deleted
    finally:
        town.close()


def test_poisoned_values_past_the_server_are_set_aside_and_the_rest_syncs(
        clients, live_server, monkeypatch, tmp_path, capsys):
    """A server that let poisoned values through (issue 14: before it checked them) must not
    stop the sync of the PCs that see them: those rows are set aside, reported, and the rest
    of the page commits; later syncs go on and verify."""
    import json
    from datetime import date

    from familydoc_desktop.cli.main import main
    from familydoc_desktop.domain.models import LedgerAssessment
    from familydoc_desktop.store import set_aside
    from sync_server.services import push as server_push

    a, b = clients
    clinic = live_server.clinic()
    with a.session() as s:
        people = [Resident(org_id=clinic, name=f"居民{i}", sex="male") for i in range(4)]
        s.add_all(people)
        s.flush()
        assessment = LedgerAssessment(org_id=clinic, resident_id=people[3].id,
                                      assessed_on=date(2026, 1, 5), colour="red",
                                      computed_colour="red", reasons="[]",
                                      ruleset_version="v1")
        s.add(assessment)
    poison = {people[0].id: {"created_at": "0001-01-01T00:00:00+00:01"},
              people[1].id: {"name": "王\x01五"},
              people[2].id: {"updated_at": "9999-12-31T23:59:59-23:59"}}
    with a.session(capture=False) as s:  # the wire, not a's own rows, carries the poison
        conn = s.connection()
        for mid, table, rid, changes in conn.exec_driver_sql(
                "SELECT mutation_id, table_name, record_id, changes FROM sync_outbox").all():
            values = json.loads(changes)
            values.update(poison.get(rid, {}))
            if table == "ledger_assessment":
                values["reasons"] = "{not json"
            conn.exec_driver_sql("UPDATE sync_outbox SET changes = ? WHERE mutation_id = ?",
                                 (json.dumps(values), mid))
    monkeypatch.setattr(server_push, "check_value", lambda spec, value: None)  # an old server
    assert sync(a).pushed == 5
    monkeypatch.undo()

    b.close()
    data_dir = str(tmp_path / "doc_a2")
    assert main(["--data-dir", data_dir, "sync"]) == 0
    out, err = capsys.readouterr()
    assert "有 4 条服务器数据无法写入本机，已另行保存" in out
    assert "年份超出" in out and "控制字符" in out and "JSON" in out
    assert "警告：4 条服务器数据无法写入本机" in err
    b = Database(tmp_path / "doc_a2" / "familydoc.db")
    clients[1] = b
    with b.session() as s:
        assert s.get(Resident, people[3].id).name == "居民3"  # the rest of the page
        for p in people[:3]:
            assert s.get(Resident, p.id) is None
        kept = {(k.table, k.record_id) for k in set_aside.list_set_aside(s)}
        assert kept == {("resident", p.id) for p in people[:3]} | {
            ("ledger_assessment", assessment.id)}
        assert s.get(LedgerAssessment, assessment.id) is None
    stored = json.loads(apply.get_state(b, engine.LAST_REPORT_KEY))
    assert (stored["set_aside"], stored["set_aside_total"]) == (4, 4)

    # Syncing goes on: a new record arrives, and the digest check (set-aside rows counted
    # as held) finds nothing to repair.
    with a.session() as s:
        s.add(Resident(org_id=clinic, name="赵六", sex="female"))
    sync(a)
    again = sync(b)
    assert (again.pulled, again.set_aside, again.set_aside_total) == (1, 0, 4)
    assert again.verified and again.reconciled_tables == []
    # The doctor fixes the name: the good version replaces the set-aside one everywhere.
    with a.session() as s:
        s.get(Resident, people[1].id).name = "王五"
    sync(a)
    fixed = sync(b)
    assert fixed.set_aside_total == 3
    with b.session() as s:
        assert s.get(Resident, people[1].id).name == "王五"


def test_login_waits_out_a_busy_server_and_says_so(tmp_path, live_server):
    """Every password-check slot of the server is taken: the desktop's login is answered 503
    with Retry-After, says so in Chinese, waits as asked and then logs in."""
    gate = live_server._server.config.app.state.login_gate
    taken = 0
    while gate.try_enter():
        taken += 1
    told = []

    def on_wait(line: str) -> None:
        told.append(line)
        if len(told) == 1:  # the others finish checking their passwords meanwhile
            for _ in range(taken):
                gate.leave()

    db = Database(tmp_path / "familydoc.db")
    try:
        result = session.login(db, live_server.url, "doc_a1", PASSWORD, on_wait=on_wait)
    finally:
        db.close()
    assert result.username == "doc_a1"
    assert told == ["同步服务器正忙，2秒后自动重试……"]
