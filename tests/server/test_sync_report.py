"""Sync health (issue 10): devices report on themselves (POST /sync/report), township and
county staff read their clinics' reports with flags (GET /reports/sync), never outside their
scope (403, logged, the same for unknown orgs); township staff list their clinics' devices."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update

from sync_server import models
from sync_server.core.db import write_tx
from sync_server.services import accounts
from tests.server.server_helpers import PASSWORD, SCHEMA, mutation, push, resident

FORBIDDEN = {"detail": "无权访问该机构的数据"}
DAY_MS = 86_400_000


def body(world, user, **fields) -> dict:
    return {"device_id": world.devices[user], "app_version": "0.1.0", "schema_version": 2,
            "pending": 0, "refused": 0, "open_conflicts": 0, "clock_offset_ms": 120,
            "digest_checked_at": int(time.time() * 1000), "digest_ok": True,
            "records": {"resident": 10, "household": 4}, **fields}


def send(world, headers, user, **fields):
    return world.client.post("/api/v1/sync/report", headers=headers,
                             json=body(world, user, **fields))


def sync_report(world, headers, **params):
    return world.client.get("/api/v1/reports/sync", headers=headers, params=params)


def _events(world, event):
    with world.engine.connect() as conn:
        return conn.execute(select(models.security_log.c.detail)
                            .where(models.security_log.c.event == event)).scalars().all()


@pytest.fixture
def township(world):
    """Township 420100000000 with clinics in every state:
    A: doc_a synced, clock 10 minutes behind the server; doc_a2 logged in, never reported;
       an open conflict on the server.
    B: doc_b synced on an old version, 2 edits refused, digest mismatch, last round failed.
    D: doc_d logged in, never synced.  E: no device.  F: doc_f synced 10 days ago.
    And in township2, clinic C: doc_c on a newer version 0.2.0."""
    with write_tx(world.engine) as conn:
        for name, code in (("clinic_d", "420101000003"), ("clinic_e", "420101000004"),
                           ("clinic_f", "420101000005")):
            world.orgs[name] = accounts.add_org(conn, code, f"{name}村卫生室", "clinic",
                                                "420100000000").id
        accounts.add_user(conn, "doc_d", "420101000003", "village_doctor", PASSWORD)
        accounts.add_user(conn, "doc_f", "420101000005", "village_doctor", PASSWORD)
    h = {u: world.login(u) for u in ("doc_a", "doc_a2", "doc_b", "doc_c", "doc_d", "doc_f")}
    # A real open conflict on clinic A: both PCs rename the same resident.
    rid, data = resident(world.orgs["clinic_a"], name="王五")
    push(world, h["doc_a"], "doc_a", [mutation(1, rid, data, op="insert",
                                                hlc=world.hlc("dev-doc_a"))])
    push(world, h["doc_a2"], "doc_a2", [mutation(1, rid, {"name": "王武"}, base_seq=1,
                                                  hlc=world.hlc("dev-doc_a2"))])
    r = push(world, h["doc_a"], "doc_a", [mutation(2, rid, {"name": "汪五"}, base_seq=1,
                                                    hlc=world.hlc("dev-doc_a", 5000))])
    assert r.json()["results"][0]["status"] == "conflict"

    now = int(time.time() * 1000)
    # No measured offset: the server takes it from the request's client time.
    assert send(world, h["doc_a"], "doc_a", clock_offset_ms=None,
                client_time_ms=now - 10 * 60_000, open_conflicts=1).status_code == 200
    assert send(world, h["doc_b"], "doc_b", app_version="0.0.9", refused=2, digest_ok=False,
                refused_reasons=[{"reason": "无权访问该机构的数据", "count": 2}],
                sync_ok=False, last_error="同步服务器出错（500）",
                last_error_at=now).status_code == 200
    assert send(world, h["doc_f"], "doc_f").status_code == 200
    assert send(world, h["doc_c"], "doc_c", app_version="0.2.0").status_code == 200
    with write_tx(world.engine) as conn:  # doc_f's last good sync was 10 days ago
        conn.execute(update(models.device_health)
                     .where(models.device_health.c.device_id == "dev-doc_f")
                     .values(last_sync_at=now - 10 * DAY_MS))
    return world, h


def test_township_report_flags_every_state(township):
    world, h = township
    r = sync_report(world, world.login("town"))
    assert r.status_code == 200, r.text
    data = r.json()
    assert list(data) == ["clinics"]
    clinics = {c["code"]: c for c in data["clinics"]}
    # The township's own PC (the one reading this report) comes first, as its own row;
    # township2's clinic C is not there.
    assert list(clinics) == ["420100000000", "420101000001", "420101000002", "420101000003",
                             "420101000004", "420101000005"]
    assert set(clinics["420101000001"]) == {"code", "name", "level", "flags", "open_conflicts",
                                            "devices"}
    town = clinics.pop("420100000000")
    assert town["level"] == "township" and clinics["420101000001"]["level"] == "clinic"
    assert [d["username"] for d in town["devices"]] == ["town"]
    assert town["flags"] == ["not_synced"]  # it logged in to read, it never synced
    assert {c: clinics[c]["flags"] for c in clinics} == {
        "420101000001": ["device_behind", "clock_offset", "open_conflicts"],
        "420101000002": ["not_synced", "sync_failed", "refused", "digest_mismatch",
                         "old_version"],  # its only round failed: never synced
        "420101000003": ["not_synced"],
        "420101000004": ["no_device"],
        "420101000005": ["not_synced"],
    }
    a = clinics["420101000001"]
    assert a["open_conflicts"] == 1 and a["name"] == "clinic_a"
    doc_a, doc_a2 = a["devices"]
    assert (doc_a["device_id"], doc_a["username"], doc_a2["username"]) == (
        "dev-doc_a", "doc_a", "doc_a2")
    assert 599 <= doc_a["clock_offset_seconds"] <= 602
    assert doc_a["flags"] == ["clock_offset", "open_conflicts"]
    assert doc_a["open_conflicts"] == 1 and doc_a["app_version"] == "0.1.0"
    assert doc_a["last_sync_at"].endswith("+08:00") and doc_a["last_seen_at"]
    assert doc_a["records"] == {"household": 4, "resident": 10} and doc_a["digest_ok"] is True
    # Logged in but never reported: listed with what the server knows.
    assert doc_a2["last_sync_at"] is None and doc_a2["app_version"] is None
    assert doc_a2["last_seen_at"] is not None and doc_a2["flags"] == ["not_synced"]

    [b] = clinics["420101000002"]["devices"]
    assert (b["refused"], b["refused_reasons"]) == (2, [{"reason": "无权访问该机构的数据",
                                                         "count": 2}])
    assert b["digest_ok"] is False and b["last_error"] == "同步服务器出错（500）"
    assert b["sync_ok"] is False and b["last_sync_at"] is None  # no round succeeded yet
    assert b["clock_offset_seconds"] == 0.1
    assert clinics["420101000004"]["devices"] == []
    [f] = clinics["420101000005"]["devices"]
    assert f["flags"] == ["not_synced"] and f["pending"] == 0

    # A longer window: F's 10-day-old sync is recent enough.
    longer = {c["code"]: c["flags"]
              for c in sync_report(world, world.login("town"), stale_days=30).json()["clinics"]}
    assert longer["420101000005"] == [] and longer["420101000003"] == ["not_synced"]


def test_a_failed_round_keeps_the_last_good_sync_time(township):
    world, h = township
    first = sync_report(world, h["doc_a"]).json()["clinics"][0]["devices"][0]["last_sync_at"]
    assert send(world, h["doc_a"], "doc_a", sync_ok=False, last_error="x").status_code == 200
    [dev, _] = sync_report(world, h["doc_a"]).json()["clinics"][0]["devices"]
    assert dev["last_sync_at"] == first and dev["sync_ok"] is False
    assert "sync_failed" in dev["flags"] and dev["clock_offset_seconds"] == 0.1
    with world.engine.connect() as conn:
        assert conn.execute(select(models.device_health)).all().__len__() == 4


def test_old_version_is_against_the_newest_in_the_callers_scope(township):
    world, _ = township
    county = sync_report(world, world.login("county")).json()["clinics"]
    flags = {c["code"]: c["flags"] for c in county}
    assert "420201000001" in flags  # the county sees township2's clinic C (on 0.2.0)
    assert "old_version" not in flags["420201000001"]
    # Against 0.2.0 every 0.1.0 PC of the county is old; not for the township (0.1.0 newest).
    assert "old_version" in flags["420101000005"]
    town = {c["code"]: c["flags"] for c in sync_report(world, world.login("town")).json()["clinics"]}
    assert "old_version" not in town["420101000005"]


def test_report_scope_for_every_account(township):
    world, h = township
    town = world.login("town")
    only_a = sync_report(world, town, org="420101000001").json()["clinics"]
    assert [c["code"] for c in only_a] == ["420101000001"]
    by_id = sync_report(world, town, org=world.orgs["clinic_b"]).json()["clinics"]
    assert [c["code"] for c in by_id] == ["420101000002"]

    other = sync_report(world, town, org="420201000001")  # another township's clinic
    other_town = sync_report(world, town, org="420200000000")
    unknown = sync_report(world, town, org="429999999999")
    assert other.status_code == other_town.status_code == unknown.status_code == 403
    assert other.json() == other_town.json() == unknown.json() == FORBIDDEN
    assert _events(world, "report_out_of_scope") == [
        "sync org=420201000001", "sync org=420200000000", "sync org=429999999999"]

    # A village doctor gets at most their own clinic.
    mine = sync_report(world, h["doc_a"]).json()["clinics"]
    assert [c["code"] for c in mine] == ["420101000001"]
    assert sync_report(world, h["doc_a"], org="420101000002").status_code == 403
    assert sync_report(world, h["doc_a"], org="420100000000").status_code == 403

    county = world.login("county")
    t2 = sync_report(world, county, org="420200000000").json()["clinics"]
    assert [c["code"] for c in t2] == ["420201000001"]
    assert [d["username"] for d in t2[0]["devices"]] == ["doc_c"]

    assert world.client.get("/api/v1/reports/sync", headers=SCHEMA).status_code == 401
    assert sync_report(world, town, stale_days=0).status_code == 422


def test_a_device_reports_only_for_itself(township):
    world, h = township
    r = send(world, h["doc_a"], "doc_b", pending=99)  # doc_a's token, doc_b's device
    assert r.status_code == 403 and r.json() == {"detail": "只能报告本机的同步情况"}
    assert _events(world, "report_device_mismatch") == ["device=dev-doc_b"]
    with world.engine.connect() as conn:
        pending = conn.execute(select(models.device_health.c.pending)
                               .where(models.device_health.c.device_id == "dev-doc_b")).scalar()
    assert pending == 0
    headers = {k: v for k, v in h["doc_a"].items() if k != "Authorization"}
    assert world.client.post("/api/v1/sync/report", headers=headers,
                             json=body(world, "doc_a")).status_code == 401


@pytest.mark.parametrize("bad", [
    {"pending": -1},
    {"pending": 10 ** 10},
    {"app_version": ""},
    {"app_version": "1" * 33},
    {"clock_offset_ms": 10 ** 15},
    {"last_error": "x" * 501},
    {"last_error": "坏\x00消息"},
    {"refused_reasons": [{"reason": "r", "count": 1}] * 21},
    {"refused_reasons": [{"reason": "r\x07", "count": 1}]},
    {"records": {f"t{i}": 1 for i in range(65)}},
    {"records": {"Resident; DROP": 1}},
    {"records": {"resident": -3}},
    {"unknown_field": 1},
    {"digest_ok": "maybe"},
])
def test_bad_reports_are_422_in_chinese(world, bad):
    headers = world.login("doc_a")
    r = send(world, headers, "doc_a", **bad)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("请求格式错误")
    with world.engine.connect() as conn:
        assert conn.execute(select(models.device_health)).first() is None


def test_township_lists_its_clinics_devices(township):
    world, _ = township
    town = world.login("town")
    r = world.client.get("/api/v1/admin/devices", headers=town)
    assert r.status_code == 200, r.text
    listed = {d["id"] for d in r.json()}
    assert listed == {"dev-doc_a", "dev-doc_a2", "dev-doc_b", "dev-doc_d", "dev-doc_f",
                      "dev-town"}  # not doc_c of township2
    # Listing is not managing: revoking stays with the administrators.
    assert world.client.post("/api/v1/admin/devices/dev-doc_a/revoke",
                             headers=town).status_code == 403
    county = {d["id"] for d in world.client.get("/api/v1/admin/devices",
                                                headers=world.login("county")).json()}
    assert listed | {"dev-doc_c", "dev-county"} == county
    assert world.client.get("/api/v1/admin/devices",
                            headers=world.login("doc_a")).status_code == 403


def test_revoked_devices_leave_the_report(township):
    world, _ = township
    with write_tx(world.engine) as conn:
        accounts.revoke_device(conn, "dev-doc_d")
    flags = {c["code"]: c["flags"] for c in sync_report(world, world.login("town")).json()["clinics"]}
    assert flags["420101000003"] == ["no_device"]


def run_cli(capsys, url, *argv):
    from sync_server.cli import main

    code = main(["--database-url", url, "report", "sync", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_report_sync_text_json_and_excel(township, server_url, capsys, tmp_path):
    import json

    from openpyxl import load_workbook

    headers = township[0].login("town")  # the township's own PC, listed as its own row
    code, out, _ = run_cli(capsys, server_url, "--org", "420100000000", "--json")
    assert code == 0
    data = json.loads(out)
    town = sync_report(township[0], headers).json()
    assert data == town  # the same report as the township's GET

    code, out, _ = run_cli(capsys, server_url, "--org", "420100000000")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("各村同步情况：5 个村卫生室、1 个乡镇（县）机构的电脑，6 个需要关注"
                        "（7 天内未同步即标记）")
    assert any(line.startswith("420100000000  township（本机构的电脑）  电脑 1 台")
               for line in lines)
    assert "420101000004  clinic_e村卫生室  电脑 0 台  待处理冲突 0  【没有登记的电脑】" in lines
    assert any(line.startswith("420101000001  clinic_a") and "有电脑7天内没有同步" in line
               and "电脑时钟偏差超过5分钟" in line for line in lines)
    assert any("doc_a  doc_a 的电脑  版本 0.1.0" in line and "时钟 +60" in line for line in lines)
    assert "        最近错误" in out and "同步服务器出错（500）" in out

    code, out, _ = run_cli(capsys, server_url, "--org", "420101000005", "--stale-days", "30")
    assert code == 0 and "【正常】" in out and "1 个村卫生室，0 个需要关注" in out

    xlsx = tmp_path / "同步情况.xlsx"
    code, out, _ = run_cli(capsys, server_url, "--org", "420000000000", "--output", str(xlsx))
    assert code == 0 and "已导出 7 个机构" in out  # 6 clinics and the township's own PC
    wb = load_workbook(xlsx)
    clinics = list(wb["各村同步情况"].iter_rows(values_only=True))
    assert clinics[0][:2] == ("机构代码", "村卫生室") and len(clinics) == 8
    assert ("420101000004", "clinic_e村卫生室", 0, 0, "没有登记的电脑") in clinics
    devices = list(wb["电脑明细"].iter_rows(values_only=True))
    assert len(devices) == 1 + 7
    b = next(r for r in devices if r[2] == "doc_b")
    assert b[5] == "0.0.9" and b[6] == "网络" and b[10] == 2
    assert b[11] == "无权访问该机构的数据（2）" and b[14] == "不一致"


def test_cli_report_sync_errors_are_chinese(township, server_url, capsys, tmp_path):
    code, _, err = run_cli(capsys, server_url, "--org", "429999999999")
    assert code == 1 and err.strip() == "错误：机构不存在：429999999999"
    code, _, err = run_cli(capsys, server_url, "--org", "420100000000", "--output",
                           str(tmp_path / "x.csv"))
    assert code == 1 and "只支持 .xlsx" in err
    code, _, err = run_cli(capsys, server_url, "--org", "420100000000", "--stale-days", "0")
    assert code == 1 and "--stale-days" in err
    code, _, err = run_cli(capsys, server_url, "--org", "420100000000", "--json", "--output",
                           str(tmp_path / "x.xlsx"))
    assert code == 1 and "只能选一个" in err
