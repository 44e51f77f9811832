"""Severe mental disorder follow-ups drive the ledger's 'not stable' red and the due list."""
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import contracts, due, ledger, residents, visits

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    """A signed 40-year-old with schizophrenia (severe mental disorder) and nothing else."""
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="李建国",
                                      id_number="11010519860101001X", today=TODAY)
        residents.add_diagnosis(s, r.id, "severe_mental", "2020-01-01", today=TODAY)
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                                consent_by="guardian", guardian_name="李母", today=TODAY)
        return r.id


def mental(s, rid, d, assessed=True, **kw):
    """A home visit; the assessment is the given fields over the form's defaults (all well)."""
    visit_class = kw.pop("visit_class", None)
    return visits.record_followup(s, resident_id=rid, kind="severe_mental", visit_date=d,
                                  method="home", mental=kw if assessed else None,
                                  visit_class=visit_class, today=TODAY)


def due_for(s, rid, on=TODAY):
    return [(r.kind, r.due_date) for r in due.due_list(s, on) if r.resident_id == rid]


def test_unstable_turns_red_and_back_when_stable(db, rid):
    with db.session() as s:
        assert due_for(s, rid) == [("chronic_followup", date(2026, 1, 1))]  # never seen
        out = mental(s, rid, date(2026, 5, 1), risk_level=3, insight="none")
        assert out.suggested_class == "unstable" and out.visit.visit_class == "unstable"
        assert out.urgent_reasons == ["危险性评估3级", "自知力缺失"]
        assert out.visit.next_visit_date == date(2026, 5, 15)
        assert out.assessment.colour == "red"
        assert "严重精神障碍病情不稳定" in out.assessment.reasons
        assert due_for(s, rid) == [("revisit", date(2026, 5, 15))]

        calmer = mental(s, rid, date(2026, 5, 14), risk_level=1)
        assert calmer.visit.visit_class == "basically_stable"
        assert calmer.assessment.colour == "green" and calmer.urgent_reasons == []
        assert due_for(s, rid) == [("revisit", date(2026, 5, 28))]

        stable = mental(s, rid, date(2026, 5, 28))
        assert stable.visit.visit_class == "stable"
        assert stable.visit.next_visit_date == date(2026, 8, 26)
        assert due_for(s, rid) == []
        assert due_for(s, rid, on=date(2026, 8, 26)) == [("chronic_followup", date(2026, 8, 26))]


def test_chosen_class_kept_and_checked_against_kind(db, rid):
    with db.session() as s:
        out = mental(s, rid, date(2026, 5, 1), risk_level=0, visit_class="unstable")
        assert out.visit.visit_class == "unstable" and out.suggested_class == "stable"
        assert any("系统建议" in w for w in out.warnings)
        assert ledger.ledger_facts(s, rid, TODAY).severe_mental_unstable
        with pytest.raises(DomainError, match="随访分类无效"):
            mental(s, rid, date(2026, 5, 2), visit_class="satisfactory")  # a chronic class
        with pytest.raises(DomainError, match="危险性评估"):
            mental(s, rid, date(2026, 5, 2), assessed=False)  # neither assessment nor class
        with pytest.raises(DomainError, match="随访分类无效"):
            visits.record_followup(s, resident_id=rid, kind="hypertension", method="clinic",
                                   visit_date=date(2026, 5, 2), sbp=130, dbp=80,
                                   visit_class="stable", today=TODAY)


def test_unstable_counts_only_while_in_the_group(db):
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="张红",
                                      id_number="11010519491231002X", today=TODAY)
        # Diagnosis closed on 1 May (e.g. revised): the April visit colours April only.
        residents.add_diagnosis(s, r.id, "severe_mental", "2020-01-01", end_date="2026-05-01",
                                today=TODAY)
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                                consent_by="guardian", guardian_name="李母", today=TODAY)
        mental(s, r.id, date(2026, 4, 1), symptoms="obvious")
        assert ledger.ledger_facts(s, r.id, date(2026, 4, 15)).severe_mental_unstable
        assert not ledger.ledger_facts(s, r.id, TODAY).severe_mental_unstable


def test_cli_visit_add_severe_mental(cli_db, capsys):
    data = ["--data-dir", str(cli_db.path.parent)]
    cli_db.close()
    assert main([*data, "--json", "resident", "add", "--name", "李建国",
                 "--id-number", "11010519860101001X", "--diagnosis", "severe_mental:2020-01-01"]) == 0
    capsys.readouterr()
    assert main([*data, "contract", "sign", "11010519860101001X", "--consent-by", "guardian",
                 "--guardian", "李母"]) == 0
    capsys.readouterr()
    assert main([*data, "visit", "add", "11010519860101001X", "--kind", "severe_mental",
                 "--method", "home", "--risk-level", "4"]) == 0
    out = capsys.readouterr().out
    assert "病情不稳定" in out and "紧急转诊提示：危险性评估4级" in out and "红色" in out
    assert main([*data, "visit", "add", "11010519860101001X", "--kind", "hypertension",
                 "--method", "home", "--sbp", "130", "--dbp", "80", "--risk-level", "1"]) == 1
    assert "只用于严重精神障碍随访" in capsys.readouterr().err
