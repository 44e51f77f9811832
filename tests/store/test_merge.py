"""Merging duplicate residents: candidates, what the kept resident holds afterwards, the
contract rule, one transaction, captured edits, indicators without a double count."""
import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import (
    Contract, FollowupVisit, Household, LedgerAssessment, OutboxEntry, Resident, SyncState,
)
from familydoc_desktop.store import contracts, due, households, merge, residents, search, visits
from familydoc_desktop.store.report import township_report

TODAY = date(2026, 6, 30)
NUMBER = "11010519491231002X"
VILLAGE = "220102001001"


def _person(s, db, name="王秀英", **kw):
    kw.setdefault("sex", "女")
    kw.setdefault("birth_date", "1949-12-31")
    return residents.create_resident(s, org_id=db.clinic_id, name=name, village_code=VILLAGE,
                                     phone=kw.pop("phone", None), today=TODAY, **kw)


def _signed_with_visit(s, r, start, sbp):
    residents.add_diagnosis(s, r.id, "hypertension", "2020-01-01", today=TODAY)
    c = contracts.sign_contract(s, resident_id=r.id, start=start, years=1,
                                consent_by="resident", today=start)
    visits.record_followup(s, resident_id=r.id, kind="hypertension", visit_date=TODAY,
                           method="clinic", sbp=sbp, dbp=80, today=TODAY)
    return c


def _clash(s, flagged, holder):
    s.merge(SyncState(key=merge.CLASH_KEY, value=json.dumps({flagged: holder})))


@pytest.fixture
def pair(db):
    """The same woman registered twice: once with her ID number, once (on the other PC, the
    copy sync flagged) without it but with a phone number and a household."""
    with db.session() as s:
        kept = _person(s, db, id_number=NUMBER)
        hh = households.create_household(s, org_id=db.clinic_id, household_no="0007")
        dropped = _person(s, db, phone="13800001111", household_id=hh.id)
        hh.head_id = dropped.id
        s.add(hh)
        c_kept = _signed_with_visit(s, kept, date(2026, 1, 1), 150)
        c_drop = _signed_with_visit(s, dropped, date(2026, 3, 1), 185)
        _clash(s, dropped.id, kept.id)
    return {"keep": kept.id, "drop": dropped.id, "hh": hh.id, "c_keep": c_kept.id,
            "c_drop": c_drop.id}


def test_candidates_name_id_clashes_and_likely_duplicates(db, pair):
    with db.session() as s:
        other = _person(s, db, name="李四", sex="男", birth_date="1950-01-01")
        twin = _person(s, db, name="李四", sex="男", birth_date="1950-01-01")
        _person(s, db, name="李四", sex="男", birth_date="1951-01-01")  # another birth date
        _person(s, db, name="张三", sex="男", birth_date="1950-01-01", id_number="110105195001010012")
        _person(s, db, name="张三", sex="男", birth_date="1950-01-01", id_number="110105195001010039")
        found = merge.find_candidates(s)
    kinds = [(c.kind, c.keep.id, c.drop.id) for c in found]
    # The ID clash keeps the copy holding the number; 李四 keeps the one registered first;
    # two different ID numbers are two people (张三), and the pair is listed once.
    assert kinds == [("id_clash", pair["keep"], pair["drop"]),
                     ("same_person", other.id, twin.id)]


def test_merge_keeps_every_record_under_the_kept_resident(db, pair):
    with db.session() as s:
        before = s.execute(text("SELECT max(mutation_id) FROM sync_outbox")).scalar_one()
        result = merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY, actor="doc")
    assert result.ended_contracts == [pair["c_drop"]]
    assert {"phone", "household_id"} <= set(result.filled)
    with db.session() as s:
        keep, drop = s.get(Resident, pair["keep"]), s.get(Resident, pair["drop"])
        assert (drop.deleted, drop.merged_into) == (True, keep.id)
        # The kept resident's values stand; its blanks come from the other.
        assert (keep.id_number, keep.phone, keep.household_id) == (NUMBER, "13800001111", pair["hh"])
        assert s.get(Household, pair["hh"]).head_id == keep.id
        owners = {t: set(s.execute(text(f"SELECT resident_id FROM {t}")).scalars())
                  for t in ("contract", "followup_visit", "ledger_assessment", "diagnosis")}
        assert all(o == {keep.id} for o in owners.values()), owners
        assert len(s.exec(select(Contract)).all()) == 2
        assert len(s.exec(select(FollowupVisit)).all()) == 2
        # One contract in force: the dropped copy's is ended, with the reason.
        ended = s.get(Contract, pair["c_drop"])
        assert (ended.status, ended.termination_reason, ended.terminated_on) == (
            "terminated", "other", TODAY)
        assert "重复建档" in ended.termination_note
        assert contracts.active_contract(s, keep.id, TODAY).id == pair["c_keep"]
        # The merged visits are one history: the 185 mmHg visit of the dropped copy colours
        # the kept resident red.
        latest = s.exec(select(LedgerAssessment).where(LedgerAssessment.resident_id == keep.id)
                        .order_by(LedgerAssessment.id.desc())).first()
        assert latest.colour == "red"
        # Every change is a captured edit: it syncs.
        sent = {(e.table_name, e.record_id, e.op) for e in s.exec(
            select(OutboxEntry).where(OutboxEntry.mutation_id > before))}
        assert ("resident", drop.id, "delete") in sent and ("resident", keep.id, "update") in sent
        assert ("contract", pair["c_drop"], "update") in sent
        moved = json.loads(next(e.changes for e in s.exec(select(OutboxEntry).where(
            OutboxEntry.mutation_id > before, OutboxEntry.table_name == "followup_visit"))))
        assert moved == {"resident_id": keep.id}  # a visit changes only whose it is
        # Gone from lists and search; the candidate list is empty.
        assert [r.id for r in search.search_residents(s, "王秀英")] == [keep.id]
        assert merge.find_candidates(s) == []
        assert residents.get_resident(s, drop.id) is None
        actions = s.execute(text("SELECT record_id FROM audit_log WHERE action = 'merge'")).scalars()
        assert set(actions) == {keep.id, drop.id}


def test_indicators_count_the_merged_pair_once(db, pair):
    with db.session() as s:
        before = township_report(s, on=TODAY).total.values
        merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY)
        after = township_report(s, on=TODAY).total.values
        due_ids = [i.resident_id for i in due.due_list(s, TODAY, horizon_days=400)]
    assert (before["on_file"], before["signed"]) == (2, 2)
    assert (after["on_file"], after["signed"], after["pop_hypertension"]) == (1, 1, 1)
    assert after["ledger_red"] + after["ledger_yellow"] + after["ledger_green"] == 1
    assert after["hypertension_managed"] == 1
    assert pair["drop"] not in due_ids


def test_the_number_moves_when_the_flagged_copy_is_kept(db, pair):
    with db.session() as s:
        merge.merge_residents(s, pair["drop"], pair["keep"], today=TODAY)
    with db.session() as s:
        kept, gone = s.get(Resident, pair["drop"]), s.get(Resident, pair["keep"])
        assert (kept.id_number, kept.needs_id_match, kept.id_rev) == (NUMBER, False, NUMBER[::-1])
        assert gone.id_number is None and gone.deleted
        assert residents.find_by_id_number(s, NUMBER).id == kept.id
        # Both had a contract in force: the dropped one's (here the first signed) ends.
        assert s.get(Contract, pair["c_keep"]).status == "terminated"
        assert s.get(Contract, pair["c_drop"]).status != "terminated"


def test_refusals_change_nothing(db, pair):
    with db.session() as s:
        man = _person(s, db, name="王秀英", sex="男")
        other = _person(s, db, name="王秀英", id_number="110105194912310046")
        ids = (man.id, other.id)
    for keep, drop, words in ((pair["keep"], pair["keep"], "自己"),
                              (pair["drop"], ids[0], "性别不同"),
                              (pair["keep"], ids[1], "身份证号不同"),
                              (pair["keep"], "no-such-id", "找不到")):
        with db.session() as s:
            n = s.execute(text("SELECT count(*) FROM sync_outbox")).scalar_one()
            with pytest.raises(DomainError, match=words):
                merge.merge_residents(s, keep, drop, today=TODAY)
            assert s.execute(text("SELECT count(*) FROM sync_outbox")).scalar_one() == n
    with db.session() as s:
        merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY)
    with db.session() as s, pytest.raises(DomainError, match="已被合并"):
        merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY)


def test_a_failed_merge_leaves_both_residents_as_they_were(db, pair, monkeypatch):
    from familydoc_desktop.store import ledger

    def broken(*_a, **_k):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ledger, "evaluate_resident", broken)
    with pytest.raises(RuntimeError), db.session() as s:
        merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY)
    with db.session() as s:
        assert not s.get(Resident, pair["drop"]).deleted
        assert set(s.execute(text("SELECT resident_id FROM followup_visit")).scalars()) == {
            pair["keep"], pair["drop"]}


def test_records_arriving_later_for_a_merged_resident_are_re_pointed(db, pair):
    with db.session() as s:
        merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY)
    with db.session(capture=False) as s:  # a visit pulled from a PC that had not heard of it
        s.add(FollowupVisit(org_id=db.clinic_id, resident_id=pair["drop"], kind="hypertension",
                            visit_date=TODAY, method="home", sbp=140, dbp=85))
    with db.session() as s:
        assert merge.follow_merges(s) == 1
        assert merge.follow_merges(s) == 0
    with db.session() as s:
        assert set(s.execute(text("SELECT resident_id FROM followup_visit")).scalars()) == {
            pair["keep"]}
        assert s.execute(text("SELECT count(*) FROM sync_outbox WHERE table_name ="
                              " 'followup_visit' AND op = 'update'")).scalar_one() == 2  # the merge's, then this


def test_a_chain_of_merges_ends_at_the_last_kept_resident(db, pair):
    with db.session() as s:
        third = _person(s, db, name="王秀英", phone="13900002222")
        merge.merge_residents(s, pair["keep"], pair["drop"], today=TODAY)
        merge.merge_residents(s, third.id, pair["keep"], today=TODAY)
        assert set(s.execute(text("SELECT resident_id FROM contract")).scalars()) == {third.id}
        assert s.get(Resident, third.id).id_number == NUMBER


def test_a_merge_into_another_village_moves_the_records_and_what_hangs_under_them(db):
    from familydoc_desktop.domain.models import (
        ContractPackage, Organisation, Sickbed, SickbedRound,
    )
    from familydoc_desktop.store import sickbeds

    with db.session() as s:
        west = Organisation(code="220102001002", name="西村卫生室", level="clinic")
        s.add(west)
        s.flush()
        contracts.seed_package_catalogue(s, db.clinic_id)
        kept = residents.create_resident(s, org_id=west.id, name="王秀英", id_number=NUMBER,
                                         village_code="220102001002", today=TODAY)
        dropped = _person(s, db)
        c = contracts.sign_contract(s, resident_id=dropped.id, start=date(2026, 1, 1), years=1,
                                    consent_by="resident", today=date(2026, 1, 1))
        bed = sickbeds.admit(s, resident_id=dropped.id, admitted_on=date(2026, 6, 1),
                             bed_type="treatment", diagnosis="脑梗死后遗症", today=TODAY)
        sickbeds.admit(s, resident_id=kept.id, admitted_on=date(2026, 6, 2),
                       bed_type="rehabilitation", diagnosis="骨折术后", today=TODAY)
        sickbeds.record_round(s, bed.id, round_date=date(2026, 6, 8), findings="平稳",
                              today=TODAY)
        ids = (kept.id, dropped.id, c.id, bed.id, west.id)
    kept_id, dropped_id, contract_id, bed_id, west_id = ids
    with db.session() as s:
        assert s.exec(select(ContractPackage).where(ContractPackage.contract_id == contract_id)).all()
        result = merge.merge_residents(s, kept_id, dropped_id, today=TODAY)
    # Both had a sickbed open: both stay open (a discharge needs the doctor's outcome), and
    # the doctor is told.
    assert result.warnings == ["合并后该居民有两份在床的家庭病床，请撤掉重复的一份"]
    with db.session() as s:
        assert (s.get(Contract, contract_id).resident_id, s.get(Contract, contract_id).org_id) == (
            kept_id, west_id)
        assert s.get(Sickbed, bed_id).org_id == west_id
        assert {p.org_id for p in s.exec(select(ContractPackage))} == {west_id}
        assert {r.org_id for r in s.exec(select(SickbedRound))} == {west_id}
        assert len(sickbeds.open_sickbeds(s)) == 2
        # The tombstone stays where it was: the east village's PCs learn of the merge.
        assert s.get(Resident, dropped_id).org_id == db.clinic_id
