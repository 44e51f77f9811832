"""The digest of values (issue 14): a field changed in a PC's database behind the app's back is
found by `sync --verify`, named per table and repaired from the server, pending local edits
kept and pushed; equal data matches on a SQLite and a PostgreSQL server alike; an older
server's (id, seq) digest still works. Against a REAL server (uvicorn on loopback)."""
from __future__ import annotations

import io
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import (
    FollowupVisit, LedgerAssessment, Resident, SyncState,
)
from familydoc_desktop.store.database import Database, open_database
from familydoc_desktop.sync import apply, health, outbox, session, verify
from familydoc_desktop.sync.engine import local_digests
from familydoc_desktop.sync.protocol import DigestResponse
from sync_server.core.db import make_engine, migrate
from tests.sync.sync_live import PASSWORD, LiveServer

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class PgLiveServer(LiveServer):
    pg_url: str = ""

    @property
    def database_url(self) -> str:
        return self.pg_url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_server(request, tmp_path, live_server):
    """The live server on SQLite (the shared fixture) or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield live_server
        return
    name = f"familydoc_digest_{secrets.token_hex(4)}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 — no PostgreSQL here: skip
        pytest.skip("PostgreSQL is not reachable")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    server = PgLiveServer(tmp_path / "unused.db", pg_url=url)
    try:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        server.setup_world()
        server.start()
        yield server
    finally:
        server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pc(tmp_path, server, username: str) -> Database:
    (tmp_path / username).mkdir()
    db = Database(tmp_path / username / "familydoc.db")
    session.login(db, server.url, username, PASSWORD)
    return db


def sync(db: Database, reconcile: bool = True):  # noqa: ANN201
    return session.make_engine(db, reconcile=reconcile).run()


def server_phone(db: Database, rid: str) -> str | None:
    """The phone the server holds, as a fresh pull of the record shows it."""
    eng = session.make_engine(db)
    page = eng._get_page(since=0, limit=10_000, table="resident").tables["resident"].as_rows()
    at = page.columns.index("phone")
    return next(row[at] for row in page.rows if row[0] == rid)


def stored(db: Database, rid: str, *columns: str) -> tuple:
    with db.session(capture=False) as s:
        return s.connection().exec_driver_sql(
            f"SELECT {', '.join(columns)} FROM resident WHERE id = ?", (rid,)).one()


@pytest.fixture
def two_pcs(tmp_path, live_server):
    a, b = pc(tmp_path, live_server, "doc_a1"), pc(tmp_path, live_server, "doc_a2")
    with a.session() as s:
        residents = [Resident(org_id=live_server.clinic(), name=f"居民{i}", sex="female",
                              phone=f"1380000000{i}", birth_date=date(1950, 1, 1 + i))
                     for i in range(8)]
        s.add_all(residents)
        ids = [r.id for r in residents]
    sync(a), sync(b)
    yield a, b, ids
    a.close(), b.close()


def test_a_phone_changed_with_sql_is_named_and_repaired(two_pcs):
    a, b, ids = two_pcs
    rid = ids[3]
    before = local_digests(b)
    with b.session(capture=False) as s:  # behind the app's back: no outbox entry, same seq
        s.connection().exec_driver_sql("UPDATE resident SET phone = '13999999999' WHERE id = ?",
                                       (rid,))
    assert local_digests(b) == before  # what the (id, seq) digest saw: nothing
    report = sync(b)
    assert report.verified and report.reconciled_tables == ["resident"]
    assert report.pulled == 0 and report.pending == 0
    assert any("数据核对发现本机数据与服务器不一致：居民档案 1 条" in w for w in report.warnings)
    assert stored(b, rid, "phone", "phone_rev") == ("13800000003", "30000000831")
    assert server_phone(b, rid) == "13800000003"
    # The sync-health report says the check failed; the next round finds nothing.
    assert health.build(b, sync_ok=True, clock_offset_ms=None).digest_ok is False
    again = sync(b)
    assert again.verified and again.reconciled_tables == [] and again.warnings == []
    assert health.build(b, sync_ok=True, clock_offset_ms=None).digest_ok is True


def test_sync_verify_command_names_the_table(two_pcs, tmp_path, capsys, monkeypatch,
                                             live_server):
    a, b, ids = two_pcs
    d = str(tmp_path / "cli")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--data-dir", d, "login", "--server", live_server.url, "--username",
                 "doc_a3", "--password-stdin"]) == 0
    assert main(["--data-dir", d, "sync", "--json"]) == 0
    db = open_database(d)
    with db.session(capture=False) as s:
        s.connection().exec_driver_sql("UPDATE resident SET phone = NULL WHERE id = ?",
                                       (ids[0],))
    db.close()
    capsys.readouterr()
    assert main(["--data-dir", d, "sync", "--verify"]) == 0
    out, err = capsys.readouterr()
    assert "已修复与服务器不一致的数据表：居民档案" in out
    assert "警告：数据核对发现本机数据与服务器不一致：居民档案 1 条" in err
    db = open_database(d)
    assert stored(db, ids[0], "phone") == ("13800000000",)
    db.close()


def test_a_pending_edit_of_the_row_survives_the_repair_and_reaches_the_server(two_pcs):
    a, b, ids = two_pcs
    rid = ids[5]
    with b.session(capture=False) as s:
        s.connection().exec_driver_sql("UPDATE resident SET phone = '10000000000' WHERE id = ?",
                                       (rid,))
    with b.session() as s:  # an edit in the app: pending in the outbox
        s.get(Resident, rid).address = "新地址 5 号"
    eng = session.make_engine(b, reconcile=True)
    # The repair while the edit is still pending (as when the doctor edits during a sync).
    assert eng.reconcile(lambda *_: None) == ["resident"]
    assert eng.repairs[0].rows == 1
    assert stored(b, rid, "phone", "address") == ("13800000005", "新地址 5 号")
    with b.session(capture=False) as s:
        assert outbox.pending_count(s) == 1
    # A row whose only difference is the pending edit is not drift.
    assert eng.reconcile(lambda *_: None) == []
    report = sync(b)
    assert report.pushed == 1 and report.reconciled_tables == [] and report.pending == 0
    sync(a)
    with a.session() as s:
        r = s.get(Resident, rid)
        assert (r.phone, r.address) == ("13800000005", "新地址 5 号")
    assert stored(b, rid, "phone", "address") == ("13800000005", "新地址 5 号")


def test_the_same_in_one_round_push_first_then_repair(two_pcs):
    a, b, ids = two_pcs
    rid = ids[6]
    with b.session(capture=False) as s:
        s.connection().exec_driver_sql(
            "UPDATE resident SET phone = '10000000000', birth_date = '1900-01-01' WHERE id = ?",
            (rid,))
    with b.session() as s:
        s.get(Resident, rid).note = "本机备注"
    report = sync(b)
    assert report.pushed == 1 and report.reconciled_tables == ["resident"]
    assert stored(b, rid, "phone", "birth_date", "note") == (
        "13800000006", "1950-01-07", "本机备注")
    sync(a)
    with a.session() as s:
        assert s.get(Resident, rid).note == "本机备注"


def test_only_the_differing_bucket_is_pulled(tmp_path, live_server):
    a, b = pc(tmp_path, live_server, "doc_a1"), pc(tmp_path, live_server, "doc_a2")
    with a.session() as s:
        rows = [Resident(org_id=live_server.clinic(), name=f"居民{i}", sex="male")
                for i in range(600)]  # > 256: buckets of one trailing character
        s.add_all(rows)
    sync(a), sync(b)
    victim = rows[100].id
    with b.session(capture=False) as s:
        s.connection().exec_driver_sql("UPDATE resident SET name = '改' WHERE id = ?",
                                       (victim,))
    eng = session.make_engine(b, reconcile=True)
    asked = []
    real = eng._get_page

    def spy(**kw):  # noqa: ANN003, ANN202
        page = real(**kw)
        asked.append((kw.get("buckets"), len(page.tables.get("resident").rows
                                             if "resident" in page.tables else [])))
        return page

    eng._get_page = spy
    assert eng.reconcile(lambda *_: None) == ["resident"]
    [(buckets, _)] = asked
    assert buckets == [victim[-1]]
    with b.session() as s:
        assert s.get(Resident, victim).name == "居民100"
    assert eng.repairs[0].rows == 1


RAW_VALUES = {  # what a PC (or an older one) may push: the server keeps it as sent
    "created_at": "2026-03-01T08:30:00.123456+08:00", "updated_at": "2026-03-01T00:30:00",
}


def test_equal_data_matches_on_both_server_databases(tmp_path, any_server):
    """Dates, datetimes (microseconds, an offset, none), floats (an integer one too), NULLs,
    Chinese text and a JSON column: pushed, pulled by another PC, digest equal everywhere."""
    server = any_server
    a, b, c = (pc(tmp_path, server, name) for name in ("doc_a1", "doc_a2", "doc_a3"))
    home = server.clinic()
    with a.session() as s:
        r = Resident(org_id=home, name="欧阳娜娜", sex="female", birth_date=date(1948, 2, 29),
                     phone=None, address="吉林省九台区“红旗”村 3 组\t12 号", note="含\"引号\"与\\",
                     created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc))
        s.add(r)
        s.flush()
        s.add(FollowupVisit(resident_id=r.id, org_id=home, kind="hypertension",
                            visit_date=date(2026, 2, 1), method="clinic", sbp=150, dbp=90,
                            weight=62.5, height=170.0, fasting_glucose=None,
                            adverse_reaction=True, note="头晕"))
        s.add(LedgerAssessment(resident_id=r.id, org_id=home, assessed_on=date(2026, 2, 1),
                               colour="red", computed_colour="yellow",
                               reasons=json.dumps([{"code": "bp", "text": "血压未达标"}],
                                                  ensure_ascii=False),
                               ruleset_version="ledger_default@1", override=True,
                               override_reason="医生判断"))
        rid = r.id
    # Another PC pushes values in forms this app does not write itself.
    other = str(uuid.uuid4())
    eng_c = session.make_engine(c)
    hlc = f"{int(time.time() * 1000):013d}-0000-raw"
    body = {"device_id": c.device_id, "client_time_ms": int(time.time() * 1000),
            "mutations": [{"mutation_id": 1, "table": "followup_visit", "record_id": other,
                           "op": "insert", "hlc": hlc, "changes": {
                               "id": other, "org_id": home, "resident_id": rid,
                               "kind": "diabetes", "visit_date": "2026-02-03",
                               "method": "phone", "weight": 70, "height": 1.5e2,
                               "fasting_glucose": 7.25, "adverse_reaction": False,
                               "new_complication": False, "referral": False,
                               "hlc": hlc, **RAW_VALUES}}]}
    eng_c.client.post("/sync/push", body)
    for db in (a, b, a, b):
        report = sync(db)
        assert report.verified and report.reconciled_tables == [], db.path
    with b.session() as s:
        v = s.get(FollowupVisit, other)
        assert (v.weight, v.height, v.fasting_glucose) == (70.0, 150.0, 7.25)
        assert v.created_at.replace(tzinfo=timezone.utc) == datetime(
            2026, 3, 1, 0, 30, 0, 123456, tzinfo=timezone.utc)  # in UTC, as every stored time
        assert s.get(Resident, rid).note == "含\"引号\"与\\"
    # The server's version 2 digest equals each PC's, table by table.
    remote = DigestResponse.model_validate_json(
        session.make_engine(a).client.get("/sync/digest", {"version": 2}))
    assert remote.version == 2
    for db in (a, b):
        mine = verify.table_digests(db, remote.columns)
        assert {t: (d.count, d.digest) for t, d in remote.tables.items()} == mine
    assert mine["followup_visit"][0] == 2 and mine["ledger_assessment"][0] == 1
    a.close(), b.close(), c.close()


def test_an_older_server_without_the_digest_of_values_still_verifies(two_pcs, monkeypatch):
    """A server that knows no `version` answers version 1: the PC compares (id, seq) and
    re-pulls the drifted table as before."""
    a, b, ids = two_pcs
    with b.session(capture=False) as s:
        s.connection().exec_driver_sql(
            "UPDATE resident SET name = '旧', server_seq = 1 WHERE id = ?", (ids[2],))
    eng = session.make_engine(b, reconcile=True)
    real = eng.client.get
    asked = []

    def old_server(path, params=None):  # noqa: ANN001, ANN202
        asked.append((path, dict(params or {})))
        if path == "/sync/digest":
            params = {k: v for k, v in (params or {}).items() if k != "version"}
        return real(path, params)

    monkeypatch.setattr(eng.client, "get", old_server)
    assert eng.reconcile(lambda *_: None) == ["resident"]
    assert ("/sync/digest", {"version": 2}) in asked
    assert not any("bucket" in p for _, p in asked)  # the whole table, as version 1 did
    with b.session() as s:
        assert s.get(Resident, ids[2]).name == "居民2"


def test_a_set_aside_row_counts_as_held(two_pcs):
    """A row this PC set aside is hashed as the server sent it: no mismatch, no re-pull."""
    a, b, ids = two_pcs
    with b.session(capture=False) as s:
        held = s.connection().exec_driver_sql(
            "SELECT server_seq FROM resident WHERE id = ?", (ids[1],)).scalar()
    eng = session.make_engine(b)
    page = eng._get_page(since=0, limit=1000, table="resident").tables["resident"].as_rows()
    raw = next(row for row in page.rows if row[0] == ids[1])
    with b.session(capture=False) as s:
        cursor = s.connection().connection.dbapi_connection.cursor()
        from familydoc_desktop.store import set_aside as store_set_aside

        store_set_aside.put(cursor, "resident", page.columns, raw, "测试", None, "2026-01-01")
        s.connection().exec_driver_sql("UPDATE resident SET name = '另存前' WHERE id = ?",
                                       (ids[1],))
    assert held == raw[1]
    report = sync(b)
    assert report.verified and report.reconciled_tables == []


def test_local_digests_are_taken_while_the_server_takes_its_own(two_pcs, monkeypatch):
    """The PC hashes its tables with the columns it would send while the server answers:
    one pass when the server names the same columns; with other columns (a server of another
    version) those tables are hashed again with the server's, and drift is still found."""
    from familydoc_desktop.sync import engine as sync_engine

    a, b, ids = two_pcs
    passes, asked = [], []
    real_digests = verify.table_digests
    monkeypatch.setattr(verify, "table_digests",
                        lambda db, columns: passes.append(sorted(columns))
                        or real_digests(db, columns))
    eng = session.make_engine(b, reconcile=True)
    real_get = eng.client.get
    eng.client.get = lambda path, params=None: asked.append(dict(params or {})) \
        or real_get(path, params)
    report = eng.run()
    assert report.verified and report.reconciled_tables == []
    assert len(passes) == 2 and passes[1] == []  # the early pass was the whole comparison
    assert not any("table" in p for p in asked)  # no table was looked into

    real_kinds = sync_engine.content_kinds
    monkeypatch.setattr(sync_engine, "content_kinds",  # the resident's columns differently
                        lambda t: list(reversed(real_kinds(t))) if t == "resident"
                        else real_kinds(t))
    passes.clear(), asked.clear()
    report = eng.run()
    assert report.verified and report.reconciled_tables == []
    assert passes[-1] == ["resident"] and not any("table" in p for p in asked)
    with b.session(capture=False) as s:  # behind the app's back
        s.connection().exec_driver_sql("UPDATE resident SET phone = '13999999999' WHERE id = ?",
                                       (ids[2],))
    report = eng.run()
    assert report.verified and report.reconciled_tables == ["resident"]
    assert stored(b, ids[2], "phone") == ("13800000002",)
