"""reevaluate_all (bulk read, one executemany with its outbox entries) writes exactly what the
per-resident ORM path (evaluate_resident, change capture on flush) writes, on a generated
township with overrides, run on a later day so colours change."""
import json
import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store import ledger
from familydoc_desktop.store.bulk import load_demo
from familydoc_desktop.store.database import Database

TODAY = date(2026, 5, 20)
LATER = TODAY + timedelta(days=45)  # follow-ups fall overdue, sickbeds close: colours move
MUCH_LATER = TODAY + timedelta(days=150)
FIELDS = ("colour", "computed_colour", "reasons", "ruleset_version", "override",
          "override_reason", "author")
NOT_COMPARED = {"id", "hlc", "created_at", "updated_at"}


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    """A demo township with a few doctor overrides, as a database file to copy."""
    path = tmp_path_factory.mktemp("ledger_bulk") / "town.db"
    db = Database(path)
    load_demo(db, residents=700, seed=14, today=TODAY)
    with db.session() as s:
        rows = s.execute(text(
            "SELECT resident_id, colour FROM ledger_assessment ORDER BY resident_id")).all()
        for rid, colour in rows[::25]:
            other = "red" if colour != "red" else "yellow"
            ledger.override_colour(s, rid, other, "家属反映近期病情变化", "doc1", on=TODAY)
    db.close()
    return path


def _open(township, tmp_path, name):
    shutil.copy(township, tmp_path / name)
    return Database(tmp_path / name)


def _written(db, on=LATER):
    """resident_id -> (assessment fields, outbox change fields) of rows assessed on `on`."""
    with db.session() as s:
        rows = s.execute(text(
            f"SELECT id, resident_id, hlc, {', '.join(FIELDS)} FROM ledger_assessment"
            " WHERE assessed_on = :on"), {"on": on.isoformat()}).all()
        outbox = {r[0]: (r[1], r[2], json.loads(r[3])) for r in s.execute(text(
            "SELECT record_id, op, hlc, changes FROM sync_outbox WHERE table_name ="
            " 'ledger_assessment'")).all()}
    out = {}
    for rid_row, resident_id, hlc, *values in rows:
        op, entry_hlc, changes = outbox[rid_row]  # every new row has its outbox entry
        assert op == "insert" and entry_hlc == hlc != ""
        assert changes["id"] == rid_row and changes["resident_id"] == resident_id
        out[resident_id] = (tuple(values),
                            {k: v for k, v in changes.items() if k not in NOT_COMPARED})
    return out


def test_bulk_reevaluation_matches_per_resident_rules(township, tmp_path):
    bulk_db = _open(township, tmp_path, "bulk.db")
    one_db = _open(township, tmp_path, "one.db")
    with bulk_db.session() as s:
        written = ledger.reevaluate_all(s, LATER)
    with one_db.session() as s:
        ids = s.execute(text("SELECT id FROM resident WHERE deleted = 0")).scalars().all()
        per_resident = 0
        for rid in ids:
            before = len(ledger.history(s, rid))
            ledger.evaluate_resident(s, rid, on=LATER)
            per_resident += len(ledger.history(s, rid)) - before
    bulk, one = _written(bulk_db), _written(one_db)
    assert written == len(bulk) == per_resident > 50
    assert bulk == one
    # The data exercised the interesting branches: colours changed, overrides carried over.
    colours = [v[0][0] for v in bulk.values()]
    assert {"red", "yellow", "green"} <= set(colours)
    assert any(v[0][4] for v in bulk.values())
    with bulk_db.session() as s, one_db.session() as t:
        assert ledger.ledger_counts(s, LATER) == ledger.ledger_counts(t, LATER)
        # HLC stamps are unique and the clock state moved past the last one.
        hlcs = s.execute(text("SELECT hlc FROM sync_outbox")).scalars().all()
        assert len(hlcs) == len(set(hlcs))
        last = s.execute(text("SELECT value FROM sync_state WHERE key = 'hlc_last'")).scalar()
        assert last == max(hlcs)
        # Nothing changed since: a second run writes nothing, in either path.
        assert ledger.reevaluate_all(s, LATER) == 0
        assert ledger.reevaluate_all(t, LATER) == 0
    # Months on, under a province's stricter rule set (new version: every row rewritten, so
    # every override meets its computed colour again), from the states compared above.
    strict = load_ruleset("ledger_default")
    strict["version"] = "province-2026.2"
    strict["yellow"] = [dict(r, sbp=135, dbp=85) if r["code"] == "bp_high" else r
                        for r in strict["yellow"]]
    with bulk_db.session() as s:
        written = ledger.reevaluate_all(s, MUCH_LATER, ruleset=strict)
    with one_db.session() as s:
        for rid in ids:
            ledger.evaluate_resident(s, rid, on=MUCH_LATER, ruleset=strict)
    bulk, one = _written(bulk_db, MUCH_LATER), _written(one_db, MUCH_LATER)
    assert written == len(bulk) > 100 and bulk == one
    assert any(v[0][4] for v in bulk.values())
    bulk_db.close()
    one_db.close()


def test_bulk_reevaluation_without_capture_writes_no_outbox(township, tmp_path):
    db = _open(township, tmp_path, "quiet.db")
    with db.session(capture=False) as s:
        pending = s.execute(text("SELECT count(*) FROM sync_outbox")).scalar()
        assert ledger.reevaluate_all(s, LATER) > 50
        assert s.execute(text("SELECT count(*) FROM sync_outbox")).scalar() == pending
        assert s.execute(text("SELECT count(*) FROM ledger_assessment WHERE hlc = ''"
                              " AND assessed_on = :on"), {"on": LATER.isoformat()}).scalar() > 50
    db.close()


def test_ledger_listing_by_village_and_colour(township, tmp_path):
    db = _open(township, tmp_path, "list.db")
    with db.session() as s:
        everyone = ledger.ledger_rows(s, on=TODAY)
        villages = dict(s.execute(text("SELECT id, village_code FROM resident")).all())
        total = ledger.ledger_counts(s, TODAY)
        assert sum(total.values()) == len(everyone) > 100
        by_village = {}
        for code in sorted(set(villages.values())):
            counts = ledger.ledger_counts(s, TODAY, village_code=code)
            rows = ledger.ledger_rows(s, on=TODAY, village_code=code)
            assert rows == [r for r in everyone if villages[r.resident_id] == code]
            assert sum(counts.values()) == len(rows)
            by_village[code] = counts
        assert {c: sum(v[c] for v in by_village.values()) for c in total} == total
        reds = ledger.ledger_rows(s, on=TODAY, colour="red")
        assert reds == [r for r in everyone if r.colour == "red"] and len(reds) == total["red"]
        page = ledger.ledger_rows(s, on=TODAY, limit=20, offset=10)
        assert page == everyone[10:30]
    db.close()
