"""The keyboard of a HIS, through real key presses: Enter moves to the next field and saves
only on the last, Ctrl+S saves, Esc closes (asking only when something was typed), Tab follows
the paper form; one editor per double-click; closing a record returns to the list it came
from with the row selected; the window opens maximised."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

from tests.ui.conftest import type_text, wait_tasks
from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import contracts, residents, search, sickbeds, visits
from familydoc_desktop.ui.screens import resident_form
from familydoc_desktop.ui.screens.followup_form import FollowupForm
from familydoc_desktop.ui.screens.resident_form import ResidentForm
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog

HT_ID = "11010519491231002X"
ELDER_ID = "110105194005010015"


CURRENT = []  # the dialog under test: its focus widget gets the keys (offscreen windows
# are not always active, so QApplication.focusWidget() may be None)


def focused():
    return CURRENT[-1].focusWidget()


def enter(qtbot, widget=None) -> None:
    qtbot.keyClick(widget or focused(), Qt.Key.Key_Return)


def person(ctx, name: str = "王秀英", id_number: str = HT_ID, *, hypertension=True,
           sign: bool = True) -> str:
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name=name, id_number=id_number,
                                      actor="test")
        if hypertension:
            residents.add_diagnosis(s, r.id, "hypertension", date(2020, 1, 1))
        if sign:
            # Signed four months ago: the quarterly follow-up is due now.
            contracts.sign_contract(s, resident_id=r.id, start=date.today() - timedelta(days=120),
                                    years=1, consent_by="resident")
        return r.id


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    CURRENT.append(dialog)
    return dialog


def test_enter_walks_the_followup_form_and_saves_only_on_the_last_field(ctx, qtbot):
    rid = person(ctx)
    form = shown(qtbot, FollowupForm(ctx, rid, "hypertension"))
    form.quiet = True
    form.fields["sbp"].setFocus()
    type_text(qtbot, focused(), "150")
    enter(qtbot)
    # Enter in the middle of the form moves on; nothing is saved.
    assert focused() is form.fields["dbp"]
    assert form.isVisible() and form.outcome is None
    with ctx.session() as s:
        assert visits.visits_for(s, rid) == []
    type_text(qtbot, focused(), "95")
    order = [focused()]
    while focused() is not form.note_edit:
        enter(qtbot)
        order.append(focused())
        assert form.outcome is None, "saved before the last field"
        assert len(order) < 30
    # The paper form's order: measurements, then symptoms and adherence, the flags, the
    # classification, the note (the issue: Tab/Enter after 身高 jumped past 症状 and 依从性).
    f = form.fields
    assert order == [f["dbp"], f["heart_rate"], f["weight"], f["height"], form.symptoms_edit,
                     form.adherence_combo, form.adverse_check, form.complication_check,
                     form.class_combo, form.note_edit]
    type_text(qtbot, form.note_edit, "ok")
    enter(qtbot)  # the last field: saves
    assert form.outcome is not None, form.error.text()
    assert form.result() == form.DialogCode.Accepted and not form.isVisible()
    with ctx.session() as s:
        (v,) = visits.visits_for(s, rid)
        assert (v.sbp, v.dbp, v.note) == (150, 95, "ok")


def test_tab_follows_the_paper_form_and_text_typed_is_kept(ctx, qtbot):
    rid = person(ctx)
    form = shown(qtbot, FollowupForm(ctx, rid, "hypertension"))
    form.quiet = True
    form.fields["height"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.symptoms_edit
    type_text(qtbot, focused(), "头晕")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.adherence_combo
    assert form.symptoms_edit.text() == "头晕" and form.dirty


def test_ctrl_s_saves_from_any_field_and_esc_closes(ctx, qtbot, no_modal_boxes):
    form = shown(qtbot, ResidentForm(ctx))
    assert focused() is form.name_edit
    type_text(qtbot, form.name_edit, "赵德才")
    enter(qtbot)
    assert focused() is form.id_edit
    qtbot.keyClicks(form.id_edit, ELDER_ID)
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    with ctx.session() as s:
        assert [r.name for r in search.search_residents(s, "赵")] == ["赵德才"]

    # Esc on an untouched form closes at once, asking nothing.
    clean = shown(qtbot, ResidentForm(ctx))
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not clean.isVisible() and no_modal_boxes == []

    # Esc after typing asks; "Cancel" keeps the form and what was typed.
    typed = shown(qtbot, ResidentForm(ctx))
    type_text(qtbot, typed.name_edit, "李四")
    typed.unsaved_answer = QMessageBox.StandardButton.Cancel
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert typed.isVisible() and typed.name_edit.text() == "李四"
    typed.unsaved_answer = None  # now through the real question box: default is Save
    typed.unsaved_answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not typed.isVisible()
    with ctx.session() as s:
        assert search.count_residents(s, "李四") == 0


def _forms(ctx):
    """Every data-entry form of the app, each with its first field."""
    from familydoc_desktop.ui.screens import service_dialogs as sd
    from familydoc_desktop.ui.screens.prescription_dialog import PrescriptionDialog
    from familydoc_desktop.ui.screens.referral_dialog import ReferralDialog, ReferralStepDialog
    from familydoc_desktop.ui.screens.sickbeds import AdmitDialog, DischargeDialog, RoundDialog
    from familydoc_desktop.ui.screens.terminate_dialog import TerminateDialog
    from familydoc_desktop.store import services

    rid = person(ctx)
    with ctx.session() as s:
        contract = contracts.contracts_for(s, rid)[0]
        bed = sickbeds.admit(s, resident_id=rid, admitted_on=date.today(),
                             applied_on=date.today(), bed_type="treatment", diagnosis="x")
        ref = services.add_referral(s, resident_id=rid, direction="up",
                                    referral_date=date.today(), receiving_unit="县医院",
                                    reason="血压高", urgent=False)
        shortage = services.add_drug_shortage(s, resident_id=rid, drug_name="氨氯地平",
                                              reported_on=date.today())
        bed_id, ref_id, contract_id, shortage_id = bed.id, ref.id, contract.id, shortage.id
    return [
        ResidentForm(ctx), ResidentForm(ctx, rid),
        *(FollowupForm(ctx, rid, k) for k in
          ("hypertension", "diabetes", "severe_mental", "elderly_80", "general", "checkup")),
        AdmitDialog(ctx, rid), RoundDialog(ctx, bed_id), DischargeDialog(ctx, bed_id),
        ReferralDialog(ctx, rid), ReferralStepDialog(ctx, ref_id),
        PrescriptionDialog(ctx, rid), TerminateDialog(ctx, contract_id),
        sd.ShortageDialog(ctx, rid), sd.ResolveShortageDialog(ctx, shortage_id),
        sd.PointsDialog(ctx, rid), sd.SurveyDialog(ctx, rid),
    ]


def test_every_form_moves_on_with_enter_and_never_saves_half_filled(ctx, qtbot, monkeypatch):
    saved = []
    monkeypatch.setattr(GuardedDialog, "save", lambda self: saved.append(self) or True,
                        raising=True)
    for form in _forms(ctx):
        # Subclasses' own save() is what accept() calls: count through accept instead.
        monkeypatch.setattr(type(form), "save", lambda self: saved.append(self) or True)
        shown(qtbot, form)
        fields = [w for w in form.keys.fields if w.isVisibleTo(form) and w.isEnabled()
                  and not getattr(w, "isReadOnly", lambda: False)()]
        assert len(fields) >= 2, type(form).__name__
        fields[0].setFocus()
        for expected in fields[1:]:
            # Enter moves on; in a multi-line box it starts a new line and Tab leaves.
            multi = isinstance(focused(), QPlainTextEdit)
            qtbot.keyClick(focused(), Qt.Key.Key_Tab if multi else Qt.Key.Key_Return)
            assert focused() is expected, (type(form).__name__, expected)
            assert form not in saved, f"{type(form).__name__} saved before its last field"
        if isinstance(focused(), QPlainTextEdit):
            enter(qtbot)
            assert form not in saved and form.isVisible()
            qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        else:
            enter(qtbot)
        assert saved and saved[-1] is form, type(form).__name__
        form.close()


def test_contract_wizard_and_small_dialogs_use_the_same_keys(ctx, qtbot):
    from familydoc_desktop.ui.screens.contract_wizard import ContractWizard
    from familydoc_desktop.ui.screens.login_dialog import LoginDialog

    rid = person(ctx, sign=False)
    wizard = shown(qtbot, ContractWizard(ctx, rid))
    t = wizard.team_page
    t.team_combo.setFocus()
    enter(qtbot)
    enter(qtbot)
    enter(qtbot)
    assert focused() is t.years_combo and wizard.currentPage() is t
    enter(qtbot)  # the page's last field: next page, not a signature
    assert wizard.currentPage() is wizard.package_page and wizard.contract_id is None
    wizard.next()
    wizard.next()
    wizard.consent_page.agreed.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert wizard.contract_id is None  # consent not ticked: Ctrl+S cannot sign
    wizard.consent_page.agreed.setChecked(True)
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert wizard.contract_id is not None

    login = shown(qtbot, LoginDialog(ctx))
    login.server_edit.setFocus()
    type_text(qtbot, focused(), "http://127.0.0.1:9")
    enter(qtbot)
    assert focused() is login.user_edit and login.isVisible()
    enter(qtbot)
    assert focused() is login.password_edit
    enter(qtbot)  # the last field: signs in, which here says what is missing
    assert login.error.isVisible() and login.isVisible()


def test_wizard_esc_asks_only_after_a_choice(ctx, qtbot, no_modal_boxes):
    from familydoc_desktop.ui.screens.contract_wizard import ContractWizard

    rid = person(ctx, sign=False)
    untouched = shown(qtbot, ContractWizard(ctx, rid))
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)
    assert not untouched.isVisible() and no_modal_boxes == []
    chosen = shown(qtbot, ContractWizard(ctx, rid))
    chosen.team_page.years_combo.setCurrentIndex(2)
    chosen.unsaved_answer = QMessageBox.StandardButton.No
    qtbot.keyClick(chosen, Qt.Key.Key_Escape)
    assert chosen.isVisible()
    chosen.unsaved_answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(chosen, Qt.Key.Key_Escape)
    assert not chosen.isVisible()


def test_a_real_double_click_opens_one_editor(window, qtbot, monkeypatch):
    ctx = window.ctx
    for name, idn in (("王秀英", HT_ID), ("赵德才", ELDER_ID)):
        person(ctx, name, idn, hypertension=False, sign=False)
    screen = window.show_screen("residents")
    screen._search_now()
    opened = []

    def fake_exec(form):
        opened.append(form.resident_id)
        # A second activation while the editor is open must not open another.
        screen.view.activated.emit(screen.view.currentIndex())
        return 0

    monkeypatch.setattr(ResidentForm, "exec", fake_exec)
    view = screen.view
    rect = view.visualRect(screen.model.index(1, 0))
    # What a mouse sends: press, release, then the double-click press and its release.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(opened) == 1 and opened[0] == screen.model.row_at(1).id


def _saving_exec(edit=None):
    def fake_exec(form):
        form.show()
        if edit is not None:
            edit(form)
        form.accept()
        return int(form.result())
    return fake_exec


def test_after_save_the_list_shows_the_saved_row_selected(window, qtbot, monkeypatch):
    ctx = window.ctx
    for i in range(5):
        with ctx.session() as s:
            residents.create_resident(s, org_id=ctx.org_id, name=f"张{'一二三四五'[i]}",
                                      sex="male", birth_date=date(1950, 1, 1 + i), actor="t")
    screen = window.show_screen("residents")
    screen._search_now()
    rid = screen.model.row_at(3).id
    screen.view.selectRow(3)

    def rename(form):
        form.address_edit.setText("东村3组")
        form.mark_dirty()
    monkeypatch.setattr(ResidentForm, "exec", _saving_exec(rename))
    screen.open_selected()
    assert window.stack.currentWidget() is screen
    assert screen.selected_id() == rid  # not row 0 after the reload

    def new_one(form):
        form.name_edit.setText("阿依古丽")
        form.sex_combo.setCurrentIndex(form.sex_combo.findData("female"))
        form.birth_edit.setDate(form.birth_edit.date().fromString("1960-03-03", "yyyy-MM-dd"))
    monkeypatch.setattr(ResidentForm, "exec", _saving_exec(new_one))
    form = screen.new_resident()
    assert form.saved_id
    assert screen.selected_id() == form.saved_id
    assert screen.search_edit.text() == "阿依古丽" and screen.model.total == 1


def test_a_record_opened_from_today_or_the_ledger_returns_there(window, qtbot, monkeypatch):
    ctx = window.ctx
    rid = person(ctx)
    home = window.show_screen("home")
    home.reload()  # made in the store directly: no data_changed
    wait_tasks(qtbot, ctx)
    assert home.rows_of(due_rules.CHRONIC_FOLLOWUP, rid)
    row = home.proxy.index(0, 0)
    home.view.setCurrentIndex(row)
    key = home.keeper.current_key()
    monkeypatch.setattr(ResidentForm, "exec", _saving_exec(
        lambda f: (f.address_edit.setText("西村"), f.mark_dirty())))
    home.open_selected()
    wait_tasks(qtbot, ctx)
    assert window.stack.currentWidget() is home  # not 居民档案
    assert home.keeper.current_key() == key

    ledger_screen = window.show_screen("ledger")
    ledger_screen.reload()
    wait_tasks(qtbot, ctx)
    ledger_screen.view.setCurrentIndex(ledger_screen.model.index(0, 0))
    ledger_screen.view.activated.emit(ledger_screen.view.currentIndex())
    wait_tasks(qtbot, ctx)
    assert window.stack.currentWidget() is ledger_screen
    assert ledger_screen.selected().resident_id == rid
    # The main window's open_resident (menus, other screens) opens over the screen in front.
    window.open_resident(rid)
    assert window.stack.currentWidget() is ledger_screen


def test_done_due_item_selects_the_next_one(window, qtbot, monkeypatch):
    ctx = window.ctx
    first = person(ctx)
    second = person(ctx, "赵德才", ELDER_ID)
    home = window.show_screen("home")
    home.reload()  # made in the store directly: no data_changed
    wait_tasks(qtbot, ctx)
    chronic = [r.resident_id for r in home.rows_of(due_rules.CHRONIC_FOLLOWUP)]
    assert sorted(chronic) == sorted([first, second])
    home.toggle_filter(due_rules.CHRONIC_FOLLOWUP)
    home.view.setCurrentIndex(home.proxy.index(0, 0))
    done = home.selected_row().resident_id

    def visit(form):
        form.quiet = True
        form.fields["sbp"].setText("128")
        form.fields["dbp"].setText("78")
    monkeypatch.setattr(FollowupForm, "exec", _saving_exec(visit))
    home.do_selected()
    wait_tasks(qtbot, ctx)
    assert [r.resident_id for r in home.model.rows] == [r for r in chronic if r != done]
    assert home.selected_row() is not None and home.selected_row().resident_id != done


def test_the_window_opens_maximised_within_the_screen(window, qtbot):
    window.show_for_work()
    qtbot.waitUntil(window.isMaximized, timeout=2000)
    from PySide6.QtWidgets import QWidget
    area = QWidget.screen(window).availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    assert window.statusBar().isVisible()
