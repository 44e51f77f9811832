"""Indicators computed by the sync server (issue 10): GET /reports/indicators and
`familydoc-server report indicators` give, on the same data, exactly the township PC's own
report (store/report.py), on SQLite and PostgreSQL, for every indicator; never outside the
caller's scope (403, logged, the same for unknown orgs); bad parameters are 422 in Chinese."""
from __future__ import annotations

import copy
import json
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from familydoc_desktop.demo import generate_township
from familydoc_desktop.domain import indicators as ind
from familydoc_desktop.domain.models import Organisation
from familydoc_desktop.domain.models.base import new_id
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.report import township_report
from familydoc_desktop.sync import apply
from familydoc_desktop.sync.protocol import PullResponse
from sync_server import models
from sync_server.cli import main as server_main
from sync_server.core.db import make_engine, read_tx, refresh_statistics, sequenced_tx
from sync_server.services import demo, indicators, pull
from sync_server.services.accounts import Principal

TODAY = date(2026, 11, 20)
TOWNSHIP, CLINIC_A, CLINIC_B = "420100000000", "420101000001", "420101000002"
OTHER_TOWNSHIP, CLINIC_C = "420200000000", "420201000001"
FORBIDDEN = {"detail": "无权访问该机构的数据"}
# (on, from, to): the year so far, a closed quarter, last year seen from this spring
PERIODS = [(TODAY, None, None), (TODAY, date(2026, 7, 1), date(2026, 9, 30)),
           (date(2026, 3, 31), date(2025, 1, 1), date(2025, 12, 31))]


def _batches(world, clinics: list[str], codes: list[str], residents: int, seed: int,
             today: date = TODAY):
    """Demo rows (record ids follow `today`: another day for a second township)."""
    return list(generate_township(
        residents=residents, seed=seed, clinic_ids=[world.orgs[c] for c in clinics],
        today=today, village_codes=codes, village_names=[f"{c}村" for c in clinics],
        ledger_ruleset=load_ruleset("ledger_default")))


def _insert(engine, batches) -> None:
    """Rows into `record` the way the server's demo loader writes them."""
    with sequenced_tx(engine) as (conn, seq):
        demo.insert_rows(conn, seq, batches, {})
    refresh_statistics(engine)


def _extras(batches) -> list[tuple[str, list[dict]]]:
    """Rows the demo has too few of, cloned from its own (so each is a valid record): a visit
    corrected by a later one, deleted and dead residents, shortages and referrals in every
    state, a discharge, redeemed points, a TB patient, 12 health messages to one resident."""
    by = {}
    for table, rows in batches:
        by.setdefault(table, []).extend(rows)
    out: dict[str, list[dict]] = {}

    def clone(table: str, row: dict, **changes) -> dict:
        new = {**copy.deepcopy(row), "id": new_id(), **changes}
        out.setdefault(table, []).append(new)
        return new

    contract_of = {c["resident_id"]: c for c in by["contract"] if c["status"] == "active"}
    signed = [r for r in by["resident"] if r["id"] in contract_of]
    # A hypertension visit in the period corrected by another (the correction counts, once).
    ht = [v for v in by["followup_visit"]
          if v["kind"] == "hypertension" and v["visit_date"] >= date(2026, 7, 1)]
    for v in ht[:3]:
        clone("followup_visit", v, supersedes_id=v["id"], sbp=118, dbp=70,
              visit_date=v["visit_date"] + timedelta(days=1))
    clone("followup_visit", ht[3], deleted=True, visit_date=date(2026, 8, 1))
    # A deleted resident with a contract, a resident who died this year with a contract.
    for n, r in enumerate(signed[:2]):
        changes = {"deleted": True} if n == 0 else {"died_on": date(2026, 5, 1)}
        twin = clone("resident", r, id_number=None, **changes)
        clone("contract", contract_of[r["id"]], resident_id=twin["id"])
    # Drug shortages asked for by residents: open, resolved, resolved after the report date.
    shortage = by["drug_shortage"][0]
    for resolved in (None, date(2026, 10, 1), date(2026, 12, 1)):
        clone("drug_shortage", shortage, resident_id=signed[3]["id"],
              reported_on=date(2026, 9, 1), resolved_on=resolved)
    # Referrals: up completed in the period, down, returned (not counted), deleted.
    ref = by["referral"][0]
    clone("referral", ref, resident_id=signed[4]["id"], status="completed",
          referral_date=date(2026, 8, 1), completed_on=date(2026, 8, 20))
    clone("referral", ref, resident_id=signed[5]["id"], direction="down",
          referral_date=date(2026, 3, 1), completed_on=date(2026, 3, 5))
    clone("referral", ref, resident_id=signed[6]["id"], status="returned",
          referral_date=date(2026, 8, 1), returned_on=date(2026, 8, 2))
    clone("referral", ref, resident_id=signed[7]["id"], deleted=True)
    # Sickbeds: discharged in the quarter, one from last year still open.
    bed = by["sickbed"][0]
    clone("sickbed", bed, resident_id=signed[8]["id"], admitted_on=date(2026, 7, 10),
          discharged_on=date(2026, 8, 30), outcome="improved")
    clone("sickbed", bed, resident_id=signed[9]["id"], admitted_on=date(2025, 11, 1))
    points = by["health_points"][0]
    clone("health_points", points, points=-5, on_date=date(2026, 8, 15))
    clone("health_points", points, points=-3, on_date=date(2025, 6, 15))
    dx = next(d for d in by["diagnosis"] if d["condition"] == "hypertension")
    clone("diagnosis", dx, resident_id=signed[10]["id"], condition="tuberculosis",
          start_date=date(2025, 3, 1), end_date=None)
    # A signed resident sent a health message every week from January (12 by late March).
    push = by["health_push"][0]
    for week in range(12):
        clone("health_push", push, resident_id=signed[11]["id"],
              on_date=date(2026, 1, 5) + timedelta(weeks=week))
    order = list(dict.fromkeys(t for t, _ in batches))  # parents before children
    return [(t, out[t]) for t in order if t in out]


@pytest.fixture
def loaded(world):
    """Township 420100000000 (clinics A and B, 600 demo residents and the extras above) and
    the other township's clinic C (60 residents) on the server."""
    town = _batches(world, ["clinic_a", "clinic_b"], [CLINIC_A, CLINIC_B], 600, 3)
    other = _batches(world, ["clinic_c"], [CLINIC_C], 60, 4, TODAY - timedelta(days=90))
    _insert(world.engine, town + _extras(town))
    _insert(world.engine, other)
    return world


def _principal(world, username: str) -> Principal:
    with read_tx(world.engine) as conn:
        a = conn.execute(select(models.account).where(
            models.account.c.username == username)).one()
    return Principal(a.id, username, a.role, a.org_id, f"dev-{username}", "")


def _township_pc(world, tmp_path) -> Database:
    """The township PC: every record the township account pulls, applied as a sync would,
    and the clinics' organisations (named as the server names them)."""
    db = Database(tmp_path / "township-pc.db")
    who = _principal(world, "town")
    since = 0
    while True:
        page = pull.pull(world.engine, who, since=since, limit=5000)
        apply.apply_page(db, PullResponse.model_validate(page))
        since = page["next_since"]
        if not page["more"]:
            break
    with read_tx(world.engine) as conn:
        orgs = conn.execute(select(models.org)).all()
    with db.session() as s:
        for o in orgs:
            s.add(Organisation(id=o.id, code=o.code, name=o.name, level=o.level,
                               parent_id=o.parent_id))
    return db


def test_server_indicators_equal_the_township_pcs_report(loaded, tmp_path):
    world = loaded
    pc = _township_pc(world, tmp_path)
    try:
        exercised: set[str] = set()
        with pc.session() as s:
            for on, start, end in PERIODS:
                for by in (None, "team", "doctor"):
                    mine = township_report(s, on=on, start=start, end=end, by=by).to_json()
                    theirs = indicators.indicators(world.engine, None, org=TOWNSHIP, on=on,
                                                   start=start, end=end, by=by).to_json()
                    assert theirs == mine, (on, start, by)
                    exercised |= {k for k, v in mine["rows"][0].items() if v}
                # by clinic = by village: the residents' village is their clinic's
                mine = township_report(s, on=on, start=start, end=end, by="village").to_json()
                theirs = indicators.indicators(world.engine, None, org=TOWNSHIP, on=on,
                                               start=start, end=end, by="clinic").to_json()
                assert theirs["rows"] == mine["rows"]
                assert [r["key"] for r in theirs["rows"]] == [None, CLINIC_A, CLINIC_B]
    finally:
        pc.close()
    # The data set exercises every indicator (a count never counted proves nothing).
    assert set(ind.COUNT_CODES) - exercised == set()


def _get(world, headers, **params):
    return world.client.get("/api/v1/reports/indicators", headers=headers, params=params)


def _events(world) -> list[str]:
    with read_tx(world.engine) as conn:
        return conn.execute(select(models.security_log.c.detail).where(
            models.security_log.c.event == "report_out_of_scope")).scalars().all()


def _on_file(body: dict) -> int:
    return body["rows"][0]["on_file"]


def test_scope_for_every_account(loaded):
    world = loaded
    h = {u: world.login(u) for u in ("doc_a", "doc_c", "town", "county", "it")}
    q = {"on": TODAY.isoformat()}
    by_clinic = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY,
                                      by="clinic").to_json()
    per_clinic = {r["key"]: r["on_file"] for r in by_clinic["rows"][1:]}
    town_total = _on_file(by_clinic)
    other_total = _on_file(indicators.indicators(world.engine, None, org=OTHER_TOWNSHIP,
                                                 on=TODAY).to_json())
    assert town_total == per_clinic[CLINIC_A] + per_clinic[CLINIC_B] and other_total > 0

    # A village doctor: their own clinic, by default and by code; nothing else.
    r = _get(world, h["doc_a"], **q)
    assert r.status_code == 200 and _on_file(r.json()) == per_clinic[CLINIC_A]
    assert _on_file(_get(world, h["doc_a"], org=CLINIC_A, **q).json()) == per_clinic[CLINIC_A]
    # The township: its clinics; one of them by code.
    r = _get(world, h["town"], by="clinic", **q)
    assert r.status_code == 200 and r.json() == by_clinic
    assert r.json()["rows"][0]["label"] == "合计" and r.json()["by"] == "clinic"
    assert _on_file(_get(world, h["town"], org=CLINIC_B, **q).json()) == per_clinic[CLINIC_B]
    # The county: every township below it.
    assert _on_file(_get(world, h["county"], **q).json()) == town_total + other_total
    assert _on_file(_get(world, h["county"], org=OTHER_TOWNSHIP, **q).json()) == other_total

    before = len(_events(world))
    refused = [_get(world, h["doc_a"], org=CLINIC_B, **q), _get(world, h["doc_a"], org=TOWNSHIP),
               _get(world, h["town"], org=CLINIC_C), _get(world, h["town"], org=OTHER_TOWNSHIP),
               _get(world, h["town"], org="429999999999"),  # no such org: the same answer
               _get(world, h["town"], org="420000000000"),  # above the township
               _get(world, h["doc_c"], org=CLINIC_A),
               _get(world, h["it"]), _get(world, h["it"], org=TOWNSHIP)]  # IT: no records
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert all(r.json() == FORBIDDEN for r in refused)
    logged = _events(world)[before:]
    assert len(logged) == len(refused)
    assert "indicators org=429999999999" in logged and "indicators org=None" in logged
    assert _get(world, {"X-FamilyDoc-Schema": "2"}).status_code == 401


@pytest.mark.parametrize("params, words", [
    ({"on": "2026-13-01"}, "统计日期（on）应为 YYYY-MM-DD 格式的日期"),
    ({"on": "20261120"}, "统计日期（on）应为 YYYY-MM-DD 格式的日期"),
    ({"from": "2026/01/01"}, "统计期开始（from）应为 YYYY-MM-DD 格式的日期"),
    ({"to": "０２０２-01-01"}, "统计期结束（to）应为 YYYY-MM-DD 格式的日期"),
    ({"on": "1200-01-01"}, "统计日期（on）年份超出"),
    ({"on": "2026-06-30", "from": "2026-07-01", "to": "2026-06-30"}, "统计期的开始日期不能晚于结束日期"),
    ({"on": "2026-06-30", "to": "2026-07-01"}, "统计期不能晚于统计日期"),
    ({"by": "village"}, "分组（by）只能是 clinic（卫生室）、team（团队）或 doctor（医生）"),
    ({"on": "2026-06-30T00:00:00"}, "请求格式错误：on：过长"),
    ({"by": ""}, "请求格式错误：by：过短"),
])
def test_bad_parameters_are_422_in_chinese(world, params, words):
    r = _get(world, world.login("town"), **params)
    assert r.status_code == 422 and words in r.json()["detail"], r.text


def test_server_command_prints_writes_and_refuses(loaded, capsys, tmp_path):
    from openpyxl import load_workbook

    world = loaded
    url = world.engine.url.render_as_string(hide_password=False)
    base = ["--database-url", url, "report", "indicators", "--org", TOWNSHIP,
            "--on", "2026-11-20", "--from", "2026-07-01", "--to", "2026-09-30"]
    assert server_main([*base, "--by", "team", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY,
                                            start=date(2026, 7, 1), end=date(2026, 9, 30),
                                            by="team").to_json()
    assert server_main(base) == 0
    text = capsys.readouterr().out
    assert text.startswith("家庭医生签约服务统计报表  统计期 2026-07-01 至 2026-09-30")
    assert "在册居民" in text and "合计" in text

    out = tmp_path / "指标.xlsx"
    assert server_main([*base, "--by", "clinic", "--output", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    sheet = load_workbook(out).active
    assert sheet.title == "统计报表"
    assert [c.value for c in sheet[2]] == ["指标", "单位", "合计", "clinic_a", "clinic_b"]
    on_file = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "在册居民")
    assert on_file[2] == on_file[3] + on_file[4] > 0

    for argv, words in [
            (["--org", "429999999999"], "机构不存在：429999999999"),
            (["--org", TOWNSHIP, "--on", "2026-02-30"], "统计日期（on）应为 YYYY-MM-DD 格式的日期"),
            (["--org", TOWNSHIP, "--output", str(tmp_path / "a.csv")], "--output 只支持 .xlsx 文件"),
            (["--org", TOWNSHIP, "--json", "--output", str(out)], "只能选一个")]:
        assert server_main(["--database-url", url, "report", "indicators", *argv]) == 1
        assert words in capsys.readouterr().err


def test_a_repeated_report_is_reused_until_the_next_write(loaded, monkeypatch):
    """The server keeps the last reports per scope, period and grouping until the next write
    (its sequence counter moves): a repeated request reads no record; a write, another
    period or another scope is computed afresh; a caller changing its copy changes nothing."""
    world = loaded
    reads: list[list[str]] = []
    real = indicators.read_rows

    def counted(conn, org_ids, **kw):  # noqa: ANN001, ANN202
        reads.append(org_ids)
        return real(conn, org_ids, **kw)

    monkeypatch.setattr(indicators, "read_rows", counted)
    indicators._CACHE.clear()
    first = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY)
    expected = first.to_json()
    first.rows[0].counts["on_file"] = -1  # the caller's copy only
    assert indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json() == expected
    assert len(reads) == 1
    indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY, by="team")
    indicators.indicators(world.engine, None, org=CLINIC_A, on=TODAY)
    indicators.indicators(world.engine, None, org=TOWNSHIP, on=date(2026, 9, 30))
    assert len(reads) == 4
    # A write (one more living resident in clinic A) is counted at the next request.
    more = _batches(world, ["clinic_a"], [CLINIC_A], 1, 11, TODAY - timedelta(days=200))
    resident = [(t, [dict(r, died_on=None) for r in rows]) for t, rows in more
                if t == "resident"]
    _insert(world.engine, resident)
    after = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json()
    assert len(reads) == 5
    assert _on_file(after) == _on_file(expected) + 1


def _one_more_resident(world):
    """One more living resident of clinic A (a record the township's report counts)."""
    more = _batches(world, ["clinic_a"], [CLINIC_A], 1, 11, TODAY - timedelta(days=200))
    return [(t, [dict(r, died_on=None) for r in rows]) for t, rows in more if t == "resident"]


def test_the_tables_are_read_in_one_snapshot(loaded, monkeypatch):
    """A write committed while the report reads its tables is not in it, though on
    PostgreSQL a second connection, started after that commit, reads the residents (it
    imports the first one's snapshot); the cache key is of the same instant, so the next
    request counts the write."""
    world = loaded
    indicators._CACHE.clear()
    expected = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json()
    postgresql = world.engine.dialect.name == "postgresql"
    resident = _one_more_resident(world)
    written, helped = threading.Event(), threading.Event()
    readers: dict[str, str] = {}
    real_read, real_help = indicators.read_table, indicators._SharedRead._help

    def read(conn, table, org_ids):  # noqa: ANN001, ANN202
        if threading.current_thread() is threading.main_thread():
            if not written.is_set():  # the first table: the write commits now
                _insert(world.engine, resident)
                written.set()
                assert not postgresql or helped.wait(20)  # the helper has read a table
        readers[table] = threading.current_thread().name
        got = real_read(conn, table, org_ids)
        if threading.current_thread() is not threading.main_thread():
            helped.set()
        return got

    def help_after_the_write(self, *args):  # noqa: ANN001, ANN202
        assert written.wait(20)
        return real_help(self, *args)

    monkeypatch.setattr(indicators, "read_table", read)
    monkeypatch.setattr(indicators._SharedRead, "_help", help_after_the_write)
    indicators._CACHE.clear()
    assert indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json() == expected
    helpers = {t for t, name in readers.items() if name != threading.main_thread().name}
    assert ("resident" in helpers) if postgresql else not helpers
    assert len(readers) == len(indicators._SOURCES)
    after = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json()
    assert _on_file(after) == _on_file(expected) + 1


def test_a_helpers_failure_fails_the_report_and_none_waits(loaded, monkeypatch):
    """PostgreSQL: an error in the second connection's read is the request's error (raised
    at once, nothing hangs); with no helper connection to spare the request reads every
    table itself, and the report is the same."""
    world = loaded
    if world.engine.dialect.name != "postgresql":
        pytest.skip("one connection on SQLite")
    indicators._CACHE.clear()
    expected = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json()
    real_read = indicators.read_table
    readers: list[str] = []

    def failing(conn, table, org_ids):  # noqa: ANN001, ANN202
        readers.append(threading.current_thread().name)
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("helper failed")
        time.sleep(0.05)  # the helper gets its connection meanwhile
        return real_read(conn, table, org_ids)

    monkeypatch.setattr(indicators, "read_table", failing)
    indicators._CACHE.clear()
    with pytest.raises(RuntimeError, match="helper failed"):
        indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY)
    assert len(set(readers)) == 2
    # Every helper slot taken (other requests'): one connection reads all the tables.
    readers.clear()
    monkeypatch.setattr(indicators, "read_table", lambda *a: (
        readers.append(threading.current_thread().name), real_read(*a))[1])
    taken = 0
    while indicators._PG_HELPER_SLOTS.acquire(blocking=False):
        taken += 1
    try:
        assert indicators.indicators(world.engine, None, org=TOWNSHIP,
                                     on=TODAY).to_json() == expected
    finally:
        for _ in range(taken):
            indicators._PG_HELPER_SLOTS.release()
    assert taken >= 1 and set(readers) == {threading.main_thread().name}
    assert len(readers) == len(indicators._SOURCES)


def test_postgresql_reads_the_arrays_from_the_index_alone(loaded):
    """PostgreSQL: every table's arrays are in ix_record_tally (migration 0013), so once the
    table is vacuumed the read needs no record row (an index-only scan, no heap fetch)."""
    world = loaded
    if world.engine.dialect.name != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    with world.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) record")
    with read_tx(world.engine) as conn:
        org_ids, _ = indicators._scope(conn, None, TOWNSHIP)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny test tables
        conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        cursor = conn.connection.cursor()
        for table in indicators._SOURCES:
            plan = "\n".join(r[0] for r in cursor.execute(
                "EXPLAIN (ANALYZE, COSTS OFF) " + indicators._fast_sql_pg(table),
                {"orgs": sorted(org_ids)}).fetchall())
            assert "Index Only Scan using ix_record_tally" in plan, plan
            assert "Heap Fetches: 0" in plan, plan
    # Read that way (both connections), the report is the one read from the rows.
    forced = make_engine(world.engine.url.render_as_string(hide_password=False)
                         + "?options=-c%20enable_seqscan%3Doff%20-c%20enable_bitmapscan%3Doff")
    try:
        for by in (None, "clinic", "team", "doctor"):
            indicators._CACHE.clear()
            expected = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY, by=by)
            indicators._CACHE.clear()
            got = indicators.indicators(forced, None, org=TOWNSHIP, on=TODAY, by=by)
            assert got.to_json() == expected.to_json()
    finally:
        forced.dispose()
