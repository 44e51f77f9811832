"""record.tally (issue 10, migration 0012): every write of a record keeps the indicator tally's
row of it beside `data` (services/tally_fields.py), the report reads it, and a record whose
array is missing or was made for other columns still counts, read from `data`. On SQLite and
PostgreSQL."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text

from familydoc_desktop.domain.models.base import new_id
from sync_server.core.db import read_tx, sequenced_tx, write_tx
from sync_server.services import demo, digest, indicators, records, tally_fields
from sync_server.services.accounts import Principal
from tests.server.server_helpers import assert_all_kept, kept, mutation, push, resident, visit

TOWNSHIP = "420100000000"
TODAY = date(2026, 11, 20)


def _on_file(engine, org: str = TOWNSHIP) -> int:  # noqa: ANN001
    indicators._CACHE.clear()
    return indicators.indicators(engine, None, org=org, on=TODAY).to_json()["rows"][0]["on_file"]


def test_pushed_records_are_kept_and_counted_through_their_array(world):
    """A pushed insert and a later edit (push.py -> records.save_many) keep the array; the
    report reads the array, not `data` (an array edited behind the app's back is what it
    counts); one set to NULL, or with a stale fingerprint, is counted from `data` again."""
    h = world.login("doc_a")
    clinic = world.orgs["clinic_a"]
    rid, data = resident(clinic, name="王\"五\\", birth_date="1950-03-04")
    v = visit(clinic, resident_id=rid, visit_date="2026-10-01", sbp=128, dbp=82,
              fasting_glucose=0.1 + 0.2)
    vid = new_id()
    r = push(world, h, "doc_a", [
        mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a")),
        mutation(2, vid, v, op="insert", table="followup_visit", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200 and {x["status"] for x in r.json()["results"]} == {"applied"}
    assert assert_all_kept(world.engine) == 2
    assert _on_file(world.engine) == 1
    # An edit: died before the report date -> no longer on file; the array follows.
    r = push(world, h, "doc_a", [mutation(3, rid, {"died_on": "2026-01-02"},
                                          hlc=world.hlc("dev-doc_a", counter=1))])
    assert r.json()["results"][0]["status"] == "applied"
    assert kept(world.engine)[("resident", rid)][0] == [rid, clinic, "1950-03-04",
                                                          "2026-01-02", "male"]
    assert assert_all_kept(world.engine) == 2 and _on_file(world.engine) == 0

    def set_resident(sql: str) -> None:
        with write_tx(world.engine) as conn:
            conn.execute(text(f"UPDATE record SET {sql} WHERE table_name = 'resident'"))

    # The array is what the report reads: alive again in the array only -> counted.
    mark = tally_fields.shape_mark("resident")
    set_resident(f"tally = '{json.dumps([rid, clinic, '1950-03-04', None, 'male'])}'")
    assert _on_file(world.engine) == 1
    # Missing, or made for other columns (a later SHAPES): `data` is read, the right count.
    set_resident("tally = NULL, tally_shape = NULL")
    assert _on_file(world.engine) == 0
    set_resident(f"tally = '[1]', tally_shape = {mark + 1}")
    assert _on_file(world.engine) == 0
    # refill makes them again (what a migration after a change of SHAPES calls).
    with write_tx(world.engine) as conn:
        assert tally_fields.refill(conn) == 1
        assert tally_fields.refill(conn) == 0
    assert assert_all_kept(world.engine) == 2 and _on_file(world.engine) == 0


def test_demo_records_are_kept_and_the_sql_fill_makes_the_same_arrays(world):
    """The demo loader (demo.insert_rows) keeps every record's array; the migration's SQL
    fill (tally_fields.refill) makes the same ones from `data`, and the report read from the
    arrays, from `data` (all NULL) and from the SQL fill is the same."""
    stats = demo.load(world.engine, township_code=TOWNSHIP, residents=150, seed=5, clinics=2,
                      today=TODAY)
    n = assert_all_kept(world.engine)
    assert n > stats["residents"] * 3
    with read_tx(world.engine) as conn:
        org_ids, clinics = indicators._scope(conn, None, TOWNSHIP)
    orgs = sorted(org_ids)

    def rows() -> dict[str, list]:  # in no particular order: an UPDATE moves PG's rows
        with read_tx(world.engine) as conn:
            return {t: sorted(indicators.read_table(conn, t, orgs), key=json.dumps)
                    for t in indicators._SOURCES}

    from_arrays = rows()
    assert sum(map(len, from_arrays.values())) == n  # the demo deletes none of these
    reports = [indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY,
                                     by="team").to_json()]
    with write_tx(world.engine) as conn:
        conn.execute(text("UPDATE record SET tally = NULL, tally_shape = NULL"))
    assert rows() == from_arrays
    indicators._CACHE.clear()
    reports.append(indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY,
                                         by="team").to_json())
    with write_tx(world.engine) as conn:
        assert tally_fields.refill(conn) == n
    assert assert_all_kept(world.engine) == n
    assert rows() == from_arrays
    indicators._CACHE.clear()
    reports.append(indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY,
                                         by="team").to_json())
    assert reports[0] == reports[1] == reports[2] and reports[0]["rows"][0]["on_file"] > 100


def test_the_arrays_change_no_content_hash_or_digest(world):
    """record.tally is derived: the content digest (sum of record.content_hash) and the
    (id, seq) digest are the same with the arrays, without them and with them made again."""
    demo.load(world.engine, township_code=TOWNSHIP, residents=40, seed=6, clinics=1,
              today=TODAY)
    who = Principal("x", "town", "township_staff", world.orgs["township"], "dev-town", "")

    def digests():  # noqa: ANN202
        return (digest.content_digest(world.engine, who).model_dump(exclude={"server_time_ms"}),
                digest.digest(world.engine, who).model_dump(exclude={"server_time_ms"}))

    before = digests()
    with write_tx(world.engine) as conn:
        conn.execute(text("UPDATE record SET tally = NULL, tally_shape = NULL"))
    assert digests() == before
    with write_tx(world.engine) as conn:
        tally_fields.refill(conn)
    assert digests() == before


def test_records_written_before_0012_get_their_array_on_upgrade(server_url):
    """A field server at 0011 holding records (a resident, a contract, a visit, a team, which
    the tally does not read, and a deleted one): the upgrade fills record.tally as a write
    would, set-based, and changes no content hash; the report counts the same."""
    from alembic import command
    from alembic.config import Config

    from sync_server.core import db as core_db
    from sync_server.core.db import make_engine, migrate

    engine = make_engine(server_url)
    migrate(engine, backup=False)
    cfg = Config()
    cfg.set_main_option("script_location", str(core_db.MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
    rid, cid, vid, tid = new_id(), new_id(), new_id(), new_id()
    rows = [
        ("resident", rid, {"name": "居民\u4e00", "sex": "female", "birth_date": "1948-02-03",
                           "died_on": None, "org_id": "org-1", "deleted": False}),
        ("contract", cid, {"resident_id": rid, "team_id": tid, "doctor_id": None,
                           "status": "active", "start_date": "2026-01-01",
                           "end_date": "2026-12-31", "fee_public_health_fen": 1200,
                           "org_id": "org-1", "deleted": False}),
        ("followup_visit", vid, {"resident_id": rid, "kind": "diabetes", "method": "home",
                                 "visit_date": "2026-03-01", "fasting_glucose": 6.95,
                                 "supersedes_id": None, "org_id": "org-1", "deleted": True}),
        ("team", tid, {"name": "一队", "org_id": "org-1", "deleted": False}),
    ]
    with sequenced_tx(engine) as (conn, seq):
        for table, record_id, data in rows:
            s = seq.next()
            conn.execute(text(
                "INSERT INTO record (table_name, id, org_id, seq, hlc, deleted, data, meta,"
                " content_hash) VALUES (:t, :i, 'org-1', :s, 'h', :d, :data, '{}', :h)"),
                {"t": table, "i": record_id, "s": s, "d": data["deleted"],
                 "data": json.dumps(data, ensure_ascii=False),
                 "h": records.content_hash(table, record_id, s, data)})
    with read_tx(engine) as conn:
        hashes = conn.execute(text("SELECT id, content_hash FROM record")).all()
    migrate(engine, backup=False)
    got = kept(engine)
    assert got[("resident", rid)][:2] == ([rid, "org-1", "1948-02-03", None, "female"],
                                          tally_fields.shape_mark("resident"))
    assert got[("followup_visit", vid)][0] == [vid, rid, "diabetes", "home", "2026-03-01",
                                               None, None, 6.95, None]
    assert got[("team", tid)][:2] == (None, None)
    assert assert_all_kept(engine) == 3
    with read_tx(engine) as conn:
        assert sorted(conn.execute(text("SELECT id, content_hash FROM record")).all()) == \
            sorted(hashes)
    engine.dispose()


def test_a_later_shape_reads_old_arrays_from_data(world, monkeypatch):
    """SHAPES changed by a later version (here: the contract's fields in another order):
    every stored contract array is stale, and its rows are read from `data`, in the new
    order; back on today's fields the report is the one before."""
    demo.load(world.engine, township_code=TOWNSHIP, residents=60, seed=7, clinics=1,
              today=TODAY)
    expected = indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json()
    stored = tally_fields.shape_mark("contract")
    real = tally_fields.fields

    def moved(table: str):  # noqa: ANN202
        got = real(table)
        return (got[1], got[0], *got[2:]) if table == "contract" else got

    monkeypatch.setattr(tally_fields, "fields", moved)
    tally_fields.shape_mark.cache_clear()
    try:
        assert tally_fields.shape_mark("contract") != stored
        with read_tx(world.engine) as conn:
            org_ids, _ = indicators._scope(conn, None, TOWNSHIP)
            got = indicators.read_table(conn, "contract", sorted(org_ids))
            data = {i: records.loads(d) for i, d in conn.execute(text(
                "SELECT id, data FROM record WHERE table_name = 'contract'")).all()}
        assert len(got) == len(data) > 30
        assert all(row[1:3] == [data[row[0]]["team_id"], data[row[0]]["resident_id"]]
                   for row in got)
    finally:
        monkeypatch.undo()
        tally_fields.shape_mark.cache_clear()
    indicators._CACHE.clear()
    assert indicators.indicators(world.engine, None, org=TOWNSHIP, on=TODAY).to_json() == \
        expected


def test_every_array_fits_in_an_index_entry():
    """PostgreSQL keeps the arrays in ix_record_tally (migration 0013), whose B-tree entries
    are limited to ~2.7 KB: a write of a longer one would fail. Every field an array holds is
    a date, a number or a text of bounded length (the push refuses longer ones), so the
    longest possible array, every character a 6-byte JSON escape, stays far below."""
    from sync_server.services.columns import check_value, columns

    for table in tally_fields.tables():
        specs = columns(table)
        worst = 2 + 2 * len(tally_fields.head(table)) + 6 * 36 * len(tally_fields.head(table))
        for name in tally_fields.fields(table):
            spec = specs[name]
            if spec.kind == "str":
                assert spec.max_length, (table, name)
                assert check_value(spec, "x" * (spec.max_length + 1))  # refused
                worst += 2 + 6 * spec.max_length
            else:
                assert spec.kind in ("date", "int", "float", "bool"), (table, name)
                worst += 32  # "YYYY-MM-DD", a 64-bit integer or a float's repr
            worst += 1  # the comma
        assert worst < 1500, (table, worst)
