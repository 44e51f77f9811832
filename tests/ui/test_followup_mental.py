"""The severe mental disorder follow-up form: the stability class follows the assessment as it
is typed, urgent findings prompt a referral, and saving colours the ledger and the due list."""
from __future__ import annotations

from datetime import date, timedelta

from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.store import contracts, due, ledger, residents
from familydoc_desktop.ui.screens.followup_form import FollowupForm

PATIENT_ID = "11010519860101001X"


def patient(ctx) -> str:
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name="李建国",
                                      id_number=PATIENT_ID)
        residents.add_diagnosis(s, r.id, "severe_mental", "2020-01-01")
        contracts.sign_contract(s, resident_id=r.id, start=date.today() - timedelta(days=30),
                                years=1, consent_by="guardian", guardian_name="李母")
        return r.id


def test_form_suggests_stability_and_colours_the_ledger(ctx, qtbot):
    rid = patient(ctx)
    form = FollowupForm(ctx, rid, "severe_mental")
    qtbot.addWidget(form)
    form.quiet = True
    assert "sbp" not in form.fields  # no blood pressure on this form
    assert form.suggested_class() == "stable" and not form.urgent.isVisibleTo(form)
    form.insight_combo.setCurrentIndex(form.insight_combo.findData("partial"))
    assert form.suggested_class() == "basically_stable"
    assert "基本稳定" in form.suggestion.text()
    form.risk_combo.setCurrentIndex(form.risk_combo.findData(3))
    assert form.suggested_class() == "unstable"
    assert form.urgent.isVisibleTo(form) and "危险性评估3级" in form.urgent.text()
    classes = [form.class_combo.itemData(i) for i in range(1, form.class_combo.count())]
    assert classes == ["stable", "basically_stable", "unstable"]
    form.accept()
    assert form.result() == form.DialogCode.Accepted, form.error.text()
    assert form.outcome.visit.visit_class == "unstable"
    with ctx.session() as s:
        assert ledger.latest_assessments(s, [rid])[rid].colour == "red"
        rows = [r for r in due.due_list(s, date.today() + timedelta(days=14))
                if r.resident_id == rid]
        assert [r.kind for r in rows] == [due_rules.REVISIT]
