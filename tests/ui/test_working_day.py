"""A village doctor's day through the real widgets: register a resident from the ID number,
sign a contract in the wizard, record follow-ups and see the ledger and due list follow,
admit and discharge a home sickbed."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import type_text, wait_tasks
from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.store import contracts, ledger, residents, search, sickbeds
from familydoc_desktop.ui.screens.contract_wizard import ContractWizard
from familydoc_desktop.ui.screens.followup_form import FollowupForm
from familydoc_desktop.ui.screens.resident_form import ResidentForm
from familydoc_desktop.ui.screens.sickbeds import AdmitDialog, DischargeDialog, RoundDialog

HT_ID = "11010519491231002X"  # woman born 1949-12-31
ELDER_ID = "110105194005010015"  # man born 1940-05-01


def register(ctx, qtbot, id_number: str, name: str, *, hypertension: bool = False) -> str:
    form = ResidentForm(ctx)
    qtbot.addWidget(form)
    type_text(qtbot, form.name_edit, name)
    type_text(qtbot, form.id_edit, id_number)
    if hypertension:
        form.pop_checks["hypertension"].setChecked(True)
    type_text(qtbot, form.phone_edit, "13800001234")
    form.accept()
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    return form.saved_id


def sign(ctx, qtbot, resident_id: str) -> str:
    wizard = ContractWizard(ctx, resident_id)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.team_page.years_combo.setCurrentIndex(wizard.team_page.years_combo.findData(1))
    wizard.next()
    personalised = [p for p in wizard.packages if p.kind == "personalised"][0]
    wizard.package_page.set_checked(personalised.id)
    wizard.next()
    assert wizard.fee_page.table.rowCount() == 3  # basic + personalised + total
    wizard.next()
    consent = wizard.consent_page
    assert not consent.isComplete()  # consent must be confirmed
    consent.agreed.setChecked(True)
    assert consent.isComplete()
    wizard.accept()
    assert wizard.contract_id, consent.error.text()
    return wizard.contract_id


def test_id_number_fills_birth_date_and_sex_and_rejects_bad_numbers(ctx, qtbot):
    form = ResidentForm(ctx)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.id_edit, HT_ID)
    assert form.birth_edit.date().toPython() == date(1949, 12, 31)
    assert form.sex_combo.currentData() == "female"
    assert not form.id_error.isVisibleTo(form)
    form.id_edit.clear()
    type_text(qtbot, form.id_edit, "110105194912310021")  # wrong check digit
    assert form.id_error.isVisibleTo(form)
    assert "校验位" in form.id_error.text()
    # Saving refuses inline, in Chinese, without closing.
    type_text(qtbot, form.name_edit, "王秀英")
    form.accept()
    assert form.result() != form.DialogCode.Accepted
    assert form.id_error.text()


def test_unsaved_form_asks_before_closing(ctx, qtbot):
    form = ResidentForm(ctx)
    qtbot.addWidget(form)
    form.show()
    type_text(qtbot, form.name_edit, "李四")
    form.unsaved_answer = QMessageBox.StandardButton.Cancel
    form.reject()
    assert form.isVisible()  # cancelled: still open, nothing lost
    form.unsaved_answer = QMessageBox.StandardButton.Discard
    form.reject()
    assert not form.isVisible()
    with ctx.session() as s:
        assert search.count_residents(s) == 0


def test_unsaved_form_can_save_on_close(ctx, qtbot):
    form = ResidentForm(ctx)
    qtbot.addWidget(form)
    form.show()
    type_text(qtbot, form.name_edit, "赵六")
    qtbot.keyClicks(form.id_edit, ELDER_ID)
    form.unsaved_answer = QMessageBox.StandardButton.Save
    form.close()
    assert not form.isVisible()
    with ctx.session() as s:
        assert [r.name for r in search.search_residents(s, "赵")] == ["赵六"]


def test_a_working_day(window, qtbot):
    ctx = window.ctx
    home = window.screen("home")
    rid = register(ctx, qtbot, HT_ID, "王秀英", hypertension=True)
    elder = register(ctx, qtbot, ELDER_ID, "赵德才")
    with ctx.session() as s:
        r = residents.get_resident(s, rid)
        assert (r.birth_date, r.sex) == (date(1949, 12, 31), "female")

    # The list finds her by pinyin initials and by the ID tail; numbers are masked.
    screen = window.show_screen("residents")
    type_text(qtbot, screen.search_edit, "wxy")
    qtbot.waitUntil(lambda: screen.model.total == 1, timeout=2000)
    assert screen.model.index(0, 3).data() == "110105********002X"
    screen.search_edit.setText("002X")
    qtbot.waitUntil(lambda: screen.model.total == 1 and screen.model.row_at(0).id == rid,
                    timeout=2000)

    contract_id = sign(ctx, qtbot, rid)
    sign(ctx, qtbot, elder)
    with ctx.session() as s:
        c = s.get(contracts.Contract, contract_id)
        assert c.status == "active" and c.term_years == 1
        assert len(contracts.packages_of(s, contract_id)) == 2  # basic + personalised
        assert ledger.current_colour(s, rid) == "green"

    # 80+ visit is due for the elder; home shows it with the year's progress.
    window.show_screen("home")
    wait_tasks(qtbot, ctx)
    assert [r.resident_id for r in home.rows_of(due_rules.ELDERLY_80)] == [elder]
    assert home.progress.value() == 0 and home.progress.maximum() == 1

    # Unsatisfactory hypertension follow-up -> yellow, a revisit on the due list.
    form = FollowupForm(ctx, rid, "hypertension")
    qtbot.addWidget(form)
    form.quiet = True
    type_text(qtbot, form.fields["sbp"], "156")
    type_text(qtbot, form.fields["dbp"], "96")
    assert "控制不满意" in form.suggestion.text()
    assert not form.urgent.isVisibleTo(form)
    form.accept()
    assert form.outcome is not None, form.error.text()
    assert form.outcome.visit.visit_class == "unsatisfactory"
    assert form.outcome.visit.next_visit_date == date.today().fromordinal(
        date.today().toordinal() + 14)
    with ctx.session() as s:
        assert ledger.current_colour(s, rid) == "yellow"
    wait_tasks(qtbot, ctx)
    assert [r.resident_id for r in home.rows_of(due_rules.REVISIT)] == [rid]

    # 80+ visit at home with a self-care assessment: it leaves the due list.
    visit = FollowupForm(ctx, elder, "elderly_80")
    qtbot.addWidget(visit)
    visit.quiet = True
    visit.method_combo.setCurrentIndex(visit.method_combo.findData("home"))
    visit.selfcare_combos["toileting"].setCurrentIndex(1)  # 1 point
    assert visit.selfcare_total.text().startswith("1")
    visit.accept()
    assert visit.outcome is not None, visit.error.text()
    wait_tasks(qtbot, ctx)
    assert home.rows_of(due_rules.ELDERLY_80) == []
    assert home.progress.value() == 1

    # Home sickbed: admission turns the ledger red; a round, then discharge.
    admit = AdmitDialog(ctx, rid)
    qtbot.addWidget(admit)
    type_text(qtbot, admit.diagnosis_edit, "脑梗死后遗症")
    admit.accept()
    assert admit.sickbed_id, admit.error.text()
    with ctx.session() as s:
        assert ledger.current_colour(s, rid) == "red"
    beds = window.show_screen("sickbeds")
    assert [b.bed.id for b in beds.model.rows] == [admit.sickbed_id]
    rnd = RoundDialog(ctx, admit.sickbed_id)
    qtbot.addWidget(rnd)
    type_text(qtbot, rnd.findings_edit, "生命体征平稳")
    rnd.accept()
    discharge = DischargeDialog(ctx, admit.sickbed_id)
    qtbot.addWidget(discharge)
    discharge.quiet = True
    discharge.accept()
    assert "转归" in discharge.error.text()  # outcome is required
    discharge.outcome_combo.setCurrentIndex(discharge.outcome_combo.findData("improved"))
    discharge.accept()
    assert discharge.result() == discharge.DialogCode.Accepted, discharge.error.text()
    with ctx.session() as s:
        assert sickbeds.open_sickbed_of(s, rid) is None
        assert ledger.current_colour(s, rid) == "yellow"
    window.show_screen("sickbeds")
    assert beds.model.rows == []

    # The ledger screen lists both with colour and reasons.
    led = window.show_screen("ledger")
    wait_tasks(qtbot, ctx)
    colours = {r.resident_id: r.colour for r in led.model.rows}
    assert colours == {rid: "yellow", elder: "yellow"}
    assert any("不满意" in reason for r in led.model.rows if r.resident_id == rid
               for reason in r.reasons)


def test_shortcuts_reach_search_and_new_resident(window, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(window.screen("residents"), "new_resident", lambda: opened.append(1))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.screen("residents")
    assert window.screen("residents").search_edit.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [1]
