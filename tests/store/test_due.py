"""Due list kinds and the 80+ visit completion rate; `familydoc due` / `ledger` CLI."""
import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.store import contracts, due, ledger, residents, sickbeds, visits

TODAY = date(2026, 6, 1)


def person(s, db, name, born, **kw):
    r = residents.create_resident(s, org_id=db.clinic_id, name=name, sex="女", birth_date=born,
                                  today=TODAY)
    if kw.get("signed", True):
        contracts.sign_contract(s, resident_id=r.id, start=kw.get("start", date(2026, 1, 1)),
                                years=1, consent_by="resident", today=TODAY)
    return r.id


# The yearly follow-up and the 65+ check-up (tests/store/test_annual_checkup.py) fall due
# for most people here; these tests are about the other kinds.
OTHER_KINDS = [k for k in due.KINDS if k not in ("annual_followup", "checkup")]


def kinds_for(s, rid, on=TODAY, **kw):
    kw.setdefault("kinds", OTHER_KINDS)
    return [(r.kind, r.due_date) for r in due.due_list(s, on, **kw) if r.resident_id == rid]


def visit(s, rid, kind, d, method="clinic", **kw):
    return visits.record_followup(s, resident_id=rid, kind=kind, visit_date=d, method=method,
                                  today=TODAY, **kw)


def test_elderly_80_phone_does_not_count_last_year_does_not_count(db):
    with db.session() as s:
        rid = person(s, db, "李奶奶", "1940-01-01")
        unsigned = person(s, db, "张奶奶", "1940-01-01", signed=False)
        assert kinds_for(s, rid) == [("elderly_80", date(2026, 12, 31))]
        assert kinds_for(s, unsigned) == []
        visit(s, rid, "elderly_80", date(2025, 12, 30), method="home")  # last year
        visit(s, rid, "elderly_80", date(2026, 3, 1), method="phone")
        assert kinds_for(s, rid, kinds=["elderly_80"]) == [("elderly_80", date(2026, 12, 31))]
        assert due.elderly_visit_progress(s, 2026, TODAY) == (0, 1)
        visit(s, rid, "elderly_80", date(2026, 4, 1), method="home")
        assert kinds_for(s, rid) == []
        assert due.elderly_visit_progress(s, 2026, TODAY) == (1, 1)


def test_elderly_80_any_face_to_face_follow_up_counts(db):
    # seed 001 item 22: one face-to-face or home follow-up a year, of whatever kind.
    with db.session() as s:
        rid = person(s, db, "陈大爷", "1944-01-13")
        residents.add_diagnosis(s, rid, "hypertension", "2020-01-01", today=TODAY)
        visit(s, rid, "hypertension", date(2026, 3, 30), method="phone", sbp=130, dbp=80)
        assert ("elderly_80", date(2026, 12, 31)) in kinds_for(s, rid)
        assert due.elderly_visit_progress(s, 2026, TODAY) == (0, 1)
        visit(s, rid, "hypertension", date(2026, 5, 25), method="home", sbp=128, dbp=78)
        assert "elderly_80" not in [k for k, _ in kinds_for(s, rid)]
        assert due.elderly_visit_progress(s, 2026, TODAY) == (1, 1)


def test_unsatisfactory_hypertension_revisit_in_14_days_then_red(db):
    with db.session() as s:
        rid = person(s, db, "王秀英", "1960-01-01", start=date(2026, 5, 1))
        residents.add_diagnosis(s, rid, "hypertension", "2020-01-01", today=TODAY)
        # never followed up since signing: due on the signing date
        assert kinds_for(s, rid) == [("chronic_followup", date(2026, 5, 1))]
        out = visit(s, rid, "hypertension", date(2026, 5, 20), sbp=150, dbp=95)
        assert out.assessment.colour == "yellow"
        assert kinds_for(s, rid) == []
        assert kinds_for(s, rid, horizon_days=3) == [("revisit", date(2026, 6, 3))]
        assert kinds_for(s, rid, on=date(2026, 6, 5), kinds=["revisit"]) == [
            ("revisit", date(2026, 6, 3))]
        assert due.due_list(s, date(2026, 6, 5), kinds=["revisit"])[0].overdue_days == 2
        out = visit(s, rid, "hypertension", date(2026, 6, 1), sbp=152, dbp=96)
        assert out.referral_prompt and out.assessment.colour == "red"


def test_satisfactory_green_next_quarter(db):
    with db.session() as s:
        rid = person(s, db, "赵六", "1960-01-01")
        residents.add_diagnosis(s, rid, "diabetes", "2020-01-01", today=TODAY)
        visit(s, rid, "diabetes", date(2026, 5, 1), fasting_glucose=6.1)
        assert ledger.current_colour(s, rid) == "green"
        assert kinds_for(s, rid, on=date(2026, 7, 30)) == [("chronic_followup", date(2026, 7, 30))]
        assert kinds_for(s, rid, on=date(2026, 7, 29)) == []


def test_sickbed_round_due_weekly(db):
    with db.session() as s:
        rid = person(s, db, "孙七", "1950-01-01")
        bed = sickbeds.admit(s, resident_id=rid, admitted_on=date(2026, 5, 20),
                             bed_type="treatment", diagnosis="肺炎", today=TODAY)
        assert kinds_for(s, rid) == [("sickbed_round", date(2026, 5, 27))]
        sickbeds.record_round(s, bed.id, round_date=date(2026, 5, 28), today=TODAY)
        assert kinds_for(s, rid) == []
        assert kinds_for(s, rid, on=date(2026, 6, 4)) == [("sickbed_round", date(2026, 6, 4))]


def test_contract_expiring_until_renewed(db):
    with db.session() as s:
        rid = person(s, db, "周八", "1990-01-01", start=date(2025, 7, 1))
        assert kinds_for(s, rid) == [("contract_expiring", date(2026, 6, 30))]
        (old,) = contracts.contracts_for(s, rid)
        contracts.renew_contract(s, old.id, years=1, consent_by="resident", today=TODAY)
        assert kinds_for(s, rid) == []


def test_unknown_kind(db):
    with db.session() as s, pytest.raises(Exception, match="未知的待办类型"):
        due.due_list(s, TODAY, kinds=["nap"])


def test_cli_due_and_ledger(cli_db, capsys):
    with cli_db.session() as s:
        rid = person(s, cli_db, "李奶奶", "1940-01-01")
    d = str(cli_db.path.parent)
    cli_db.close()
    assert main(["--data-dir", d, "due", "--on", "2026-06-01", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["kind"] for r in rows) == ["checkup", "elderly_80"]
    (row,) = [r for r in rows if r["kind"] == "elderly_80"]
    assert (row["kind"], row["resident_id"], row["due_date"]) == ("elderly_80", rid, "2026-12-31")
    assert main(["--data-dir", d, "due", "--on", "2026-06-01"]) == 0
    assert "80岁以上老人年度访视  李奶奶" in capsys.readouterr().out
    assert main(["--data-dir", d, "ledger", "--colour", "yellow", "--on", "2026-06-01",
                 "--json"]) == 0
    (lrow,) = json.loads(capsys.readouterr().out)
    assert lrow["reasons"] == ["80岁及以上老年人"]
