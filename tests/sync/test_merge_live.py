"""A merge of duplicate residents travels like any edit (live server): two PCs register the
same ID number offline, sync flags the later copy, the township merges, and every PC ends
with each contract, visit and ledger row under the kept resident, counted once."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import contracts, merge, residents, search, visits
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.report import township_report
from familydoc_desktop.sync import session
from tests.sync.sync_live import PASSWORD

NUMBER = "11010519491231002X"
TABLES = ("contract", "followup_visit", "ledger_assessment", "diagnosis")


def _pc(tmp_path, live_server, name: str) -> Database:
    (tmp_path / name).mkdir()
    db = Database(tmp_path / name / "familydoc.db")
    session.login(db, live_server.url, name, PASSWORD)
    return db


def sync(db: Database):  # noqa: ANN201
    return session.make_engine(db, reconcile=True).run()


def _register(db: Database, org: str, start: date, sbp: int) -> str:
    """One registration of the same woman, signed, hypertensive, visited (a ledger row)."""
    today = date.today()
    with db.session() as s:
        r = residents.create_resident(s, org_id=org, name="王秀英", sex="女", id_number=NUMBER,
                                      village_code="431001100201", today=today)
        residents.add_diagnosis(s, r.id, "hypertension", "2020-01-01", today=today)
        contracts.sign_contract(s, resident_id=r.id, start=start, years=1,
                                consent_by="resident", today=start)
        visits.record_followup(s, resident_id=r.id, kind="hypertension", visit_date=today,
                               method="clinic", sbp=sbp, dbp=80, today=today)
        return r.id


def _owners(db: Database) -> dict[str, dict[str, int]]:
    with db.session() as s:
        return {t: dict(s.execute(text(f"SELECT resident_id, count(*) FROM {t}"
                                       " WHERE deleted = 0 GROUP BY resident_id")).all())
                for t in TABLES}


def _server_values(live_server) -> dict:  # noqa: ANN001
    from sync_server.core.db import make_engine
    from sync_server.services import indicators

    engine = make_engine(live_server.database_url)
    try:
        return indicators.indicators(engine, None, org="431001100000").total.values
    finally:
        engine.dispose()


def test_the_township_merges_an_id_clash_and_every_pc_converges(tmp_path, live_server):
    home = live_server.clinic()
    a, b = _pc(tmp_path, live_server, "doc_a1"), _pc(tmp_path, live_server, "doc_a2")
    town = None
    try:
        today = date.today()
        first = _register(a, home, today.replace(day=1), 150)
        second = _register(b, home, today, 150)  # offline on the other PC, the same number
        sync(a)
        sync(b)  # the server sequenced b's copy later: flagged on every PC
        sync(a)
        for db in (a, b):
            with db.session() as s:
                assert s.get(Resident, second).needs_id_match
                assert s.get(Resident, second).id_number is None
        town = _pc(tmp_path, live_server, "town")
        sync(town)
        assert _server_values(live_server)["on_file"] == 2  # counted twice until merged
        with town.session() as s:
            (pair,) = merge.find_candidates(s)
            assert (pair.kind, pair.keep.id, pair.drop.id) == ("id_clash", first, second)
        # Meanwhile b, not yet told, records a visit for its copy.
        with b.session() as s:
            visits.record_followup(s, resident_id=second, kind="hypertension",
                                   visit_date=today, method="home", sbp=186, dbp=90,
                                   today=today)
        with town.session() as s:
            merge.merge_residents(s, first, second, actor="town")
        sync(town)
        report_b = sync(b)  # pushes its visit (for the dropped copy), pulls the merge,
        assert report_b.pending == 0  # re-points the visit and pushes that in the same round
        for _ in range(2):
            for db in (a, town, b):
                sync(db)
        expected = {"contract": {first: 2}, "followup_visit": {first: 3},
                    "ledger_assessment": None, "diagnosis": {first: 2}}
        for db in (a, b, town):
            owners = _owners(db)
            for table, want in expected.items():
                if want is None:  # ledger rows: every one of them under the kept resident
                    assert set(owners[table]) == {first}, (db.path, table, owners[table])
                else:
                    assert owners[table] == want, (db.path, table, owners[table])
            with db.session() as s:
                gone, kept = s.get(Resident, second), s.get(Resident, first)
                assert (gone.deleted, gone.merged_into) == (True, first)
                assert (kept.id_number, kept.deleted) == (NUMBER, False)
                assert [r.id for r in search.search_residents(s, "王秀英")] == [first]
                values = township_report(s).total.values
                assert (values["on_file"], values["signed"], values["pop_hypertension"]) == (
                    1, 1, 1)
                assert values["ledger_red"] + values["ledger_yellow"] + values[
                    "ledger_green"] == 1
                # b's 186 mmHg home visit counts for the kept resident: red, everywhere.
                assert values["ledger_red"] == 1
                assert merge.find_candidates(s) == []
        report = sync(a)
        assert report.reconciled_tables == [] and report.pending == 0
        # The township's report computed by the server counts her once too.
        values = _server_values(live_server)
        assert (values["on_file"], values["signed"], values["pop_hypertension"]) == (1, 1, 1)
        assert (values["ledger_red"], values["ledger_yellow"], values["ledger_green"]) == (
            1, 0, 0)
    finally:
        for db in (a, b, town):
            if db is not None:
                db.close()
