"""The other services on the desktop: referral from the resident's record and the services
screen, its next step, and the urgent-referral prompt of a follow-up opening a referral already
filled in."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QDialog

from familydoc_desktop.store import contracts, residents, services
from familydoc_desktop.ui.screens.followup_form import FollowupForm
from familydoc_desktop.ui.screens.prescription_dialog import PrescriptionDialog
from familydoc_desktop.ui.screens.referral_dialog import ReferralDialog, ReferralStepDialog
from familydoc_desktop.ui.screens.resident_history import ResidentHistory


def patient(ctx, *, dx: str | None = "hypertension", born: str = "1950-01-01") -> str:
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name="周建华", sex="男",
                                      birth_date=born)
        if dx:
            residents.add_diagnosis(s, r.id, dx, "2020-01-01")
        contracts.sign_contract(s, resident_id=r.id, start=date.today() - timedelta(days=30),
                                years=1, consent_by="resident")
        return r.id


def test_referral_from_the_record_and_its_steps(ctx, qtbot):
    rid = patient(ctx)
    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)
    assert not history.referral_step_button.isEnabled()
    dialog = ReferralDialog(ctx, rid, history)
    qtbot.addWidget(dialog)
    units = [dialog.unit_combo.itemText(i) for i in range(dialog.unit_combo.count())]
    assert "县人民医院" in units  # the township's list
    dialog.unit_combo.setEditText("省人民医院")  # or any unit typed in
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "请填写转诊原因" in dialog.error.text()
    dialog.reason_edit.setText("血压持续升高")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    history.refresh()
    (row,) = history.referrals_model.rows
    assert (row.receiving_unit, row.status, row.urgent) == ("省人民医院", "sent", False)
    assert history.referral_step_button.isEnabled()  # the only open one

    step = ReferralStepDialog(ctx, row.id, history)
    qtbot.addWidget(step)
    offered = [step.status_combo.itemData(i) for i in range(step.status_combo.count())]
    assert offered == ["received", "returned"]  # completing needs a receipt first
    step.accept()
    assert step.result() == QDialog.DialogCode.Accepted, step.error.text()
    step = ReferralStepDialog(ctx, row.id, history)
    qtbot.addWidget(step)
    step.date_edit.setDate(step.date_edit.date().addDays(1))  # tomorrow: refused, kept open
    step.accept()
    assert "不能晚于今天" in step.error.text() and step.result() != QDialog.DialogCode.Accepted
    step.date_edit.setDate(step.date_edit.date().addDays(-1))
    step.accept()
    history.refresh()
    (row,) = history.referrals_model.rows
    assert (row.status, row.received_on, row.completed_on) == (
        "completed", date.today(), date.today())
    assert not history.referral_step_button.isEnabled()


def test_urgent_prompt_opens_a_filled_in_referral(ctx, qtbot, no_modal_boxes, monkeypatch):
    rid = patient(ctx)
    opened: list[ReferralDialog] = []

    def fake_exec(dialog):  # noqa: ANN001
        opened.append(dialog)
        dialog.unit_combo.setCurrentIndex(1)
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(ReferralDialog, "exec", fake_exec)
    form = FollowupForm(ctx, rid, "hypertension")
    qtbot.addWidget(form)
    form.fields["sbp"].setText("190")
    form.fields["dbp"].setText("115")
    form.accept()
    assert form.result() == QDialog.DialogCode.Accepted, form.error.text()
    assert any(kind == "question" and "紧急转诊" in title for kind, title, _ in no_modal_boxes)
    (dialog,) = opened
    assert dialog.urgent_check.isChecked() and dialog.direction_combo.currentData() == "up"
    assert "收缩压" in dialog.reason_edit.text()
    with ctx.session() as s:
        (ref,) = services.referrals_for(s, rid)
    assert ref.urgent and ref.visit_id == form.outcome.visit.id and ref.reason == \
        dialog.reason_edit.text()


def test_services_screen_lists_and_steps(window, qtbot, monkeypatch):
    rid = patient(window.ctx)
    with window.ctx.session() as s:
        services.add_referral(s, resident_id=rid, direction="down", receiving_unit="县中医院",
                              reason="术后康复")
    screen = window.show_screen("services")
    tab = screen.referrals
    assert tab.model.rowCount() == 1 and not tab.step_button.isEnabled()
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    assert tab.step_button.isEnabled()

    def fake_exec(dialog):  # noqa: ANN001
        dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("returned"))
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(ReferralStepDialog, "exec", fake_exec)
    tab.step_selected()
    assert tab.model.rowCount() == 0  # returned: no longer open
    tab.filter_combo.setCurrentIndex(1)
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, 5).data() == "已退回"


def test_long_prescription_refused_then_saved_and_refilled_from_the_due_list(
        window, qtbot, monkeypatch):
    ctx = window.ctx
    rid = patient(ctx)
    dialog = PrescriptionDialog(ctx, rid, window)
    qtbot.addWidget(dialog)
    dialog.weeks_spin.setValue(3)
    assert "4" in dialog.refill_label.text() and "12" in dialog.refill_label.text()
    dialog.drugs_edit.setPlainText("硝苯地平缓释片 20mg 每日两次\n\n")
    dialog.accept()
    assert "3周太短" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.weeks_spin.setValue(4)
    assert dialog.refill_label.text() == (date.today() + timedelta(weeks=4)).isoformat()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)
    entries = history.services_model.rows
    assert [e.kind for e in entries] == ["long_prescription"]
    assert "硝苯地平缓释片 20mg 每日两次" in entries[0].detail

    # The refill shows on the home due list once a week is left; doing it opens the form
    # filled in from the last prescription.
    from familydoc_desktop.store import due
    with ctx.session() as s:
        rows = due.due_list(s, date.today() + timedelta(days=21), kinds=["long_rx_refill"])
    assert [r.resident_id for r in rows] == [rid]
    seen: list[PrescriptionDialog] = []

    def fake_exec(d):  # noqa: ANN001
        seen.append(d)
        return 0
    monkeypatch.setattr(PrescriptionDialog, "exec", fake_exec)
    window.show_screen("home").do_row(rows[0])
    (refill,) = seen
    assert refill.weeks_spin.value() == 4
    assert refill.drug_lines() == ["硝苯地平缓释片 20mg 每日两次"]
    screen = window.show_screen("services")
    assert screen.prescriptions.model.rowCount() == 1


def test_drug_shortage_registered_seen_and_resolved(window, qtbot, monkeypatch):
    from familydoc_desktop.ui.screens import service_dialogs
    ctx = window.ctx
    rid = patient(ctx)
    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)

    def register(dialog):  # noqa: ANN001
        dialog.accept()  # nothing typed: refused, the dialog stays
        assert "请填写缺少的药品" in dialog.error.text()
        dialog.drug_edit.setText("胰岛素注射液")
        dialog.spec_edit.setText("300单位")
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(service_dialogs.ShortageDialog, "exec", register)
    history.service_form("shortage")
    assert [e.kind for e in history.services_model.rows] == ["drug_shortage"]
    tab = window.show_screen("services").shortages
    assert tab.model.rowCount() == 1 and tab.model.index(0, 3).data() == "胰岛素注射液"
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    assert tab.resolve_button.isEnabled()

    def resolve(dialog):  # noqa: ANN001
        dialog.how_edit.setText("县医院调配")
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(service_dialogs.ResolveShortageDialog, "exec", resolve)
    tab.resolve_selected()
    assert tab.model.rowCount() == 0  # no longer missing


def test_points_earned_and_an_overdraft_refused(ctx, qtbot):
    from familydoc_desktop.ui.screens.service_dialogs import PointsDialog
    rid = patient(ctx)
    dialog = PointsDialog(ctx, rid)
    qtbot.addWidget(dialog)
    dialog.rule_combo.setCurrentIndex(dialog.rule_combo.findData("checkup"))
    assert dialog.points_spin.value() == 10 and not dialog.for_combo.isEnabled()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    redeem = PointsDialog(ctx, rid)
    qtbot.addWidget(redeem)
    assert "10" in redeem.balance_label.text()
    redeem.mode_combo.setCurrentIndex(1)
    assert redeem.for_combo.isEnabled() and not redeem.rule_combo.isEnabled()
    redeem.for_combo.setEditText("电子血压计")
    redeem.points_spin.setValue(50)
    redeem.accept()
    assert "积分不足：现有10分" in redeem.error.text()
    assert redeem.result() != QDialog.DialogCode.Accepted
    redeem.points_spin.setValue(10)
    redeem.accept()
    assert redeem.result() == QDialog.DialogCode.Accepted, redeem.error.text()
    with ctx.session() as s:
        assert services.points_balance(s, rid) == 0


def test_survey_from_the_record(ctx, qtbot, monkeypatch):
    from familydoc_desktop.ui.screens import service_dialogs
    rid = patient(ctx)
    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)

    def answer(dialog):  # noqa: ANN001
        dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("phone"))
        for spin, n in zip(dialog.score_spins, (5, 4, 4, 3, 4)):
            spin.setValue(n)
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(service_dialogs.SurveyDialog, "exec", answer)
    history.service_form("survey")
    with ctx.session() as s:
        (survey,) = services.surveys_for(s, rid)
    assert (survey.score, survey.answers, survey.method) == (4, "5,4,4,3,4", "phone")
    assert [e.kind for e in history.services_model.rows] == ["satisfaction_survey"]
