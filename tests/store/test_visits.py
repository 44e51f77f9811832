"""Follow-ups: checks, suggested class, referral prompts, corrections, ledger colours."""
from datetime import date

import pytest
from sqlmodel import select

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import LedgerAssessment
from familydoc_desktop.store import contracts, ledger, residents, visits

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    """A signed 76-year-old with hypertension."""
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="王秀英",
                                      id_number="11010519491231002X", today=TODAY)
        residents.add_diagnosis(s, r.id, "hypertension", "2020-01-01", today=TODAY)
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 5, 1), years=1,
                                consent_by="resident", today=TODAY)
        return r.id


def bp(s, rid, d, sbp, dbp, **kw):
    kw.setdefault("method", "clinic")
    return visits.record_followup(s, resident_id=rid, kind="hypertension", visit_date=d,
                                  sbp=sbp, dbp=dbp, today=TODAY, **kw)


def test_satisfactory_visit_green_next_in_90_days(db, rid):
    with db.session() as s:
        out = bp(s, rid, date(2026, 5, 20), 130, 80)
        assert out.suggested_class == "satisfactory" and out.visit.visit_class == "satisfactory"
        assert out.assessment.colour == "green" and out.visit.next_visit_date == date(2026, 8, 18)
        assert not out.referral_prompt and out.urgent_reasons == []


def test_unsatisfactory_then_two_in_a_row(db, rid):
    with db.session() as s:
        first = bp(s, rid, date(2026, 5, 10), 165, 95)  # 65+ target is < 150/90
        assert first.suggested_class == "unsatisfactory"
        assert first.visit.next_visit_date == date(2026, 5, 24)  # revisit in 14 days
        assert first.assessment.colour == "yellow" and not first.referral_prompt
        second = bp(s, rid, date(2026, 5, 24), 160, 92)
        assert second.referral_prompt
        assert second.assessment.colour == "red"
        assert "连续两次随访控制不满意" in second.assessment.reasons


def test_urgent_values_prompt_referral(db, rid):
    with db.session() as s:
        out = bp(s, rid, date(2026, 5, 20), 185, 112)
        assert out.urgent_reasons == ["收缩压≥180 mmHg", "舒张压≥110 mmHg"]
        assert out.assessment.colour == "red"


@pytest.mark.parametrize("kw, message", [
    ({"sbp": 300, "dbp": 80}, "收缩压 300 mmHg 超出合理范围"),
    ({"sbp": 120, "dbp": 130}, "舒张压应低于收缩压"),
    ({"sbp": 120, "dbp": 80, "d": date(2026, 6, 2)}, "随访日期不能晚于今天"),
    ({"sbp": None, "dbp": 80}, "须填写收缩压和舒张压"),
    ({"sbp": 120, "dbp": 80, "method": "fax"}, "随访方式无效"),
])
def test_bad_visit_refused_and_nothing_written(db, rid, kw, message):
    d = kw.pop("d", date(2026, 5, 20))
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            bp(s, rid, d, kw.pop("sbp"), kw.pop("dbp"), **kw)
    with db.session() as s:
        assert visits.visits_for(s, rid) == []


def test_warnings_near_edge_and_class_differs(db, rid):
    with db.session() as s:
        out = bp(s, rid, date(2026, 5, 20), 130, 80, heart_rate=32,
                 visit_class="unsatisfactory")
        assert any("接近合理范围下限" in w for w in out.warnings)
        assert any("与系统建议" in w for w in out.warnings)
        assert out.visit.visit_class == "unsatisfactory"


def test_correction_is_a_new_version(db, rid):
    with db.session() as s:
        first = bp(s, rid, date(2026, 5, 20), 165, 95)
        fixed = bp(s, rid, date(2026, 5, 20), 135, 85, supersedes_id=first.visit.id)
        assert [v.id for v in visits.visits_for(s, rid)] == [fixed.visit.id]
        assert len(visits.visits_for(s, rid, include_superseded=True)) == 2
        assert fixed.assessment.colour == "green"
        with pytest.raises(DomainError, match="已被更正过"):
            bp(s, rid, date(2026, 5, 20), 135, 85, supersedes_id=first.visit.id)


def test_elderly_phone_visit_flagged_and_selfcare_scored(db):
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="李四", sex="男",
                                      birth_date="1940-01-01", today=TODAY)
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                                consent_by="resident", today=TODAY)
        out = visits.record_followup(
            s, resident_id=r.id, kind="elderly_80", visit_date=date(2026, 5, 1), method="phone",
            selfcare={"eating": 5, "grooming": 7, "dressing": 5, "toileting": 1, "activity": 1},
            today=TODAY)
        assert visits.PHONE_ELDERLY_WARNING in out.warnings
        assert out.visit.selfcare_total == 19
        assert out.assessment.colour == "red"  # cannot self-care
        with pytest.raises(DomainError, match="进餐"):
            visits.record_followup(s, resident_id=r.id, kind="elderly_80",
                                   visit_date=date(2026, 5, 2), method="home",
                                   selfcare={"eating": 4, "grooming": 0, "dressing": 0,
                                             "toileting": 0, "activity": 0}, today=TODAY)


def test_ledger_writes_only_on_change_and_override_stands(db, rid):
    with db.session() as s:
        bp(s, rid, date(2026, 5, 10), 130, 80)
        n = len(s.exec(select(LedgerAssessment)).all())
        bp(s, rid, date(2026, 5, 20), 128, 78)  # still green for the same reason
        assert len(s.exec(select(LedgerAssessment)).all()) == n
        with pytest.raises(DomainError, match="调整颜色必须填写原因"):
            ledger.override_colour(s, rid, "yellow", " ", "doc1")
        ledger.override_colour(s, rid, "yellow", "家属反映近期头晕", "doc1", on=TODAY)
        assert ledger.current_colour(s, rid) == "yellow"
        ledger.evaluate_resident(s, rid, on=TODAY)  # computed still green: override stands
        assert ledger.current_colour(s, rid) == "yellow"
        row = ledger.ledger_rows(s, on=TODAY)[0]
        assert row.override and row.colour == "yellow" and row.changed_on == TODAY
        out = bp(s, rid, date(2026, 5, 30), 185, 100)  # computed colour changes: override ends
        assert out.assessment.colour == "red" and not out.assessment.override


def test_unsigned_or_no_key_population_not_in_ledger(db):
    with db.session() as s:
        young = residents.create_resident(s, org_id=db.clinic_id, name="张三", sex="男",
                                          birth_date="1990-01-01", today=TODAY)
        contracts.sign_contract(s, resident_id=young.id, start=date(2026, 1, 1), years=1,
                                consent_by="resident", today=TODAY)
        assert ledger.evaluate_resident(s, young.id, on=TODAY) is None
        old = residents.create_resident(s, org_id=db.clinic_id, name="李四", sex="男",
                                        birth_date="1940-01-01", today=TODAY)
        assert ledger.evaluate_resident(s, old.id, on=TODAY) is None  # not signed
        with pytest.raises(DomainError, match="不在三色管理台账中"):
            ledger.override_colour(s, old.id, "red", "原因", "doc1")


def test_reevaluate_all_and_counts(db, rid):
    with db.session() as s:
        bp(s, rid, date(2026, 5, 10), 130, 80)
        seen = []
        assert ledger.reevaluate_all(s, date(2026, 9, 1), progress=lambda d, t: seen.append((d, t))) == 1
        assert seen[-1] == (1, 1)
        assert ledger.current_colour(s, rid) == "yellow"  # follow-up now overdue
        assert ledger.ledger_counts(s, on=date(2026, 9, 1)) == {"red": 0, "yellow": 1, "green": 0}
        assert ledger.ledger_rows(s, colour="yellow", on=date(2026, 9, 1))[0].reasons == ["随访逾期"]


def _on_the_day(s, rid, d, sbp, dbp):
    """A visit recorded on the day it was made (the ledger stamps the recording day)."""
    visits.record_followup(s, resident_id=rid, kind="hypertension", visit_date=d, sbp=sbp,
                           dbp=dbp, method="clinic", today=d)


def _signed_on_may_1(s, clinic_id):
    r = residents.create_resident(s, org_id=clinic_id, name="王秀英",
                                  id_number="11010519491231002X", today=date(2026, 5, 1))
    residents.add_diagnosis(s, r.id, "hypertension", "2020-01-01", today=date(2026, 5, 1))
    contracts.sign_contract(s, resident_id=r.id, start=date(2026, 5, 1), years=1,
                            consent_by="resident", today=date(2026, 5, 1))
    return r.id


def test_ledger_as_of_a_past_day_shows_the_colours_recorded_by_then(db):
    with db.session() as s:
        rid = _signed_on_may_1(s, db.clinic_id)
        _on_the_day(s, rid, date(2026, 5, 10), 130, 80)  # green
        _on_the_day(s, rid, date(2026, 5, 20), 150, 95)  # unsatisfactory: yellow
        _on_the_day(s, rid, date(2026, 5, 30), 185, 100)  # red
        assert ledger.current_colour(s, rid) == "red"
        then = ledger.ledger_rows(s, on=date(2026, 5, 25), as_of=date(2026, 5, 25))
        assert [(r.colour, r.changed_on) for r in then] == [("yellow", date(2026, 5, 20))]
        assert ledger.ledger_counts(s, on=date(2026, 5, 25), as_of=date(2026, 5, 25)) == {
            "red": 0, "yellow": 1, "green": 0}
        before = ledger.ledger_rows(s, on=date(2026, 5, 9), as_of=date(2026, 5, 9))
        assert [(r.colour, r.changed_on) for r in before] == [("green", date(2026, 5, 1))]
        # not yet signed on April 30: not in that day's ledger at all
        assert ledger.ledger_rows(s, on=date(2026, 4, 30), as_of=date(2026, 4, 30)) == []
        now = ledger.ledger_rows(s, on=date(2026, 5, 31))
        assert [(r.colour, r.changed_on) for r in now] == [("red", date(2026, 5, 30))]


def test_cli_ledger_on_reads_history_and_refuses_a_back_dated_reevaluation(cli_db, capsys):
    import json

    from familydoc_desktop.cli.main import main
    with cli_db.session() as s:
        rid = _signed_on_may_1(s, cli_db.clinic_id)
        _on_the_day(s, rid, date(2026, 5, 10), 130, 80)
        _on_the_day(s, rid, date(2026, 5, 20), 150, 95)
    data_dir = str(cli_db.path.parent)
    assert main(["--data-dir", data_dir, "--json", "ledger", "--on", "2026-05-15"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["colour"], row["changed_on"]) == ("green", "2026-05-01")  # signed green
    assert main(["--data-dir", data_dir, "ledger", "--on", "2026-05-15", "--reevaluate"]) == 1
    assert "不能与其他日期的 --on 同用" in capsys.readouterr().err
