"""The health check-up form and the yearly follow-up from the home due list: typed with the
keyboard, refused when impossible, gone from the list once saved, shown in the history."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.store import contracts, residents, visits
from familydoc_desktop.ui.screens.followup_form import FollowupForm
from familydoc_desktop.ui.screens.resident_history import ResidentHistory
from tests.ui.conftest import type_text, wait_tasks


def elder(ctx, start=None, years=1) -> str:
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name="王秀兰", sex="女",
                                      birth_date=date(1950, 4, 2))
        contracts.sign_contract(s, resident_id=r.id, start=start or date.today(), years=years,
                                consent_by="resident")
        return r.id


FORMS: list = []


def focused():
    return FORMS[-1].focusWidget()  # the offscreen platform has no active window


def test_checkup_typed_with_the_keyboard_bmi_and_refusals(ctx, qtbot):
    rid = elder(ctx)
    form = FollowupForm(ctx, rid, "checkup")
    qtbot.addWidget(form)
    form.quiet = True
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    FORMS.append(form)
    # The paper form's order: date, method, vitals, then the results.
    order = [w for w in form.keys.fields if w.isVisibleTo(form)]
    assert order[2:8] == [form.fields[k] for k in ("sbp", "dbp", "heart_rate", "weight",
                                                    "height", "fasting_glucose")]
    assert order[8:12] == list(form.checkup_inputs) and order[-1] is form.note_edit
    assert not form.class_combo.isVisibleTo(form)  # no follow-up class on a check-up
    methods = [form.method_combo.itemData(i) for i in range(form.method_combo.count())]
    assert methods == ["clinic", "home"]  # no check-up by phone
    form.fields["sbp"].setFocus()
    for key, text in (("sbp", "300"), ("dbp", "80"), ("heart_rate", "72"), ("weight", "60"),
                      ("height", "160")):
        assert focused() is form.fields[key]
        qtbot.keyClicks(focused(), text)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert form.bmi_label.text() == "23.4"
    assert "收缩压 300 mmHg 超出合理范围" in form.issues.text()
    # Ctrl+S with an impossible pressure and no assessment: refused, the form stays.
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.isVisible() and "超出合理范围" in form.error.text()
    form.fields["sbp"].selectAll()
    qtbot.keyClicks(form.fields["sbp"], "150")
    qtbot.keyClick(form.fields["sbp"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.isVisible() and "须填写健康评价" in form.error.text()
    form.conclusion_combo.setCurrentIndex(form.conclusion_combo.findData("abnormal"))
    qtbot.keyClick(form.conclusion_combo, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.isVisible() and "写明异常" in form.error.text()
    form.findings_edit.setFocus()
    type_text(qtbot, form.findings_edit, "血压偏高")
    form.advice_edit.setFocus()
    type_text(qtbot, form.advice_edit, "低盐饮食")
    qtbot.keyClick(form.advice_edit, Qt.Key.Key_Return)  # to the note, the last field
    assert focused() is form.note_edit and form.isVisible()
    qtbot.keyClick(form.note_edit, Qt.Key.Key_Return)  # Enter on the last field saves
    assert form.result() == form.DialogCode.Accepted, form.error.text()
    v = form.outcome.visit
    assert (v.kind, v.sbp, v.weight, v.conclusion, v.findings, v.health_advice) == (
        "checkup", 150, 60, "abnormal", "血压偏高", "低盐饮食")
    assert "有异常" in form.summary() and "BMI 23.4" in form.summary()

    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)
    (row,) = history.visits_model.rows
    assert row.kind == "checkup"
    cells = [history.visits_model.index(0, c).data() for c in
             range(history.visits_model.columnCount())]
    assert {"健康体检", "150/80", "有异常", "基本公共卫生服务"} <= set(cells)


def test_due_list_checkup_and_yearly_follow_up_go_when_done(window, qtbot, monkeypatch):
    ctx = window.ctx
    # Signed eleven months ago for 3 years: the last 90 days of the first contract year.
    rid = elder(ctx, start=date.today() - timedelta(days=330), years=3)
    home = window.show_screen("home")
    home.reload()
    wait_tasks(qtbot, ctx)
    kinds = sorted(r.kind for r in home.rows if r.resident_id == rid)
    assert kinds == [due_rules.ANNUAL_FOLLOWUP, due_rules.CHECKUP]
    assert home.cards[due_rules.CHECKUP].number.text() == "1"
    assert home.cards[due_rules.ANNUAL_FOLLOWUP].number.text() == "1"

    opened: list[FollowupForm] = []

    def fill_and_save(form):  # noqa: ANN001
        opened.append(form)
        form.quiet = True
        form.fields["sbp"].setText("130")
        form.fields["dbp"].setText("80")
        if form.is_checkup:
            form.conclusion_combo.setCurrentIndex(form.conclusion_combo.findData("normal"))
        form.accept()
        return form.result()
    monkeypatch.setattr(FollowupForm, "exec", fill_and_save)
    (checkup_row,) = home.rows_of(due_rules.CHECKUP, rid)
    home.do_row(checkup_row)
    wait_tasks(qtbot, ctx)
    assert opened[-1].kind == "checkup"
    # The check-up is not the yearly follow-up: only the check-up item is gone.
    assert sorted(r.kind for r in home.rows if r.resident_id == rid) == [
        due_rules.ANNUAL_FOLLOWUP]
    (annual_row,) = home.rows_of(due_rules.ANNUAL_FOLLOWUP, rid)
    home.do_row(annual_row)
    wait_tasks(qtbot, ctx)
    assert opened[-1].kind == "general"
    assert [r for r in home.rows if r.resident_id == rid] == []
    with ctx.session() as s:
        assert sorted(v.kind for v in visits.visits_for(s, rid)) == ["checkup", "general"]
