"""Names, not codes: the village by name and pre-filled, the family by its head, the
self-care scale's words, dialogs that name the patient and ask before the irreversible,
translated buttons, and English mode with English labels and uncut headers."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from familydoc_desktop.domain.models import Organisation
from familydoc_desktop.store import contracts, households, orgs, residents, sickbeds
from familydoc_desktop.ui import labels

VILLAGE = "220102001001"


def no_chinese(text: str) -> bool:
    return not any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


@pytest.fixture
def clinic_ctx(ctx):
    """A PC whose home clinic is 杨树村卫生室 (village code VILLAGE), with a second village."""
    with ctx.session() as s:
        home = Organisation(code=VILLAGE, name="杨树村卫生室", level="clinic")
        other = Organisation(code="220102001002", name="柳河村卫生室", level="clinic")
        s.add(home)
        s.add(other)
        s.flush()
        orgs.set_home_clinic(s, home.id)
    return ctx


def test_village_by_name_prefilled_with_the_clinic_village(clinic_ctx, qtbot):
    from familydoc_desktop.ui.screens.resident_form import ResidentForm
    form = ResidentForm(clinic_ctx)
    qtbot.addWidget(form)
    shown = form.village_edit.currentText()
    assert "杨树村" in shown and shown != VILLAGE
    assert form.village_code() == VILLAGE
    assert form.values()["village_code"] == VILLAGE
    names = [form.village_edit.itemText(i) for i in range(form.village_edit.count())]
    assert any("柳河村" in n for n in names)
    form.village_edit.setCurrentIndex(form.village_edit.findData("220102001002"))
    assert form.values()["village_code"] == "220102001002"
    form.village_edit.setEditText("220102001099")  # a code typed in is kept as typed
    assert form.values()["village_code"] == "220102001099"


def test_saved_resident_shows_the_village_name(clinic_ctx, qtbot):
    from familydoc_desktop.ui.screens.resident_form import ResidentForm
    with clinic_ctx.session() as s:
        r = residents.create_resident(s, org_id=clinic_ctx.org_id, name="李四", sex="male",
                                      birth_date=date(1960, 3, 1), village_code="220102001002",
                                      relation_to_head="配偶")
    form = ResidentForm(clinic_ctx, r.id)
    qtbot.addWidget(form)
    assert "柳河村" in form.village_edit.currentText()
    assert form.values()["village_code"] == "220102001002"
    assert form.values()["relation_to_head"] == "配偶"


def test_family_column_shows_the_head_by_name(clinic_ctx, qtbot):
    from familydoc_desktop.ui.models.resident_table import ResidentTableModel
    with clinic_ctx.session() as s:
        h = households.create_household(s, org_id=clinic_ctx.org_id, household_no="HH-0042")
        head = residents.create_resident(s, org_id=clinic_ctx.org_id, name="赵大山",
                                         sex="male", birth_date=date(1950, 1, 1),
                                         household_id=h.id, relation_to_head="户主")
        residents.create_resident(s, org_id=clinic_ctx.org_id, name="钱小红", sex="female",
                                  birth_date=date(1980, 1, 1), household_id=h.id,
                                  relation_to_head="子女")
        households.set_head(s, h.id, head.id)
    model = ResidentTableModel(clinic_ctx.session)
    model.set_query("钱小红")
    col = model.COLUMNS.index("household_no")
    index = model.index(0, col)
    assert model.data(index) == "赵大山家"
    assert "HH-0042" in model.data(index, 3)  # the number stays in the tooltip
    assert model.headerData(col, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal) \
        == "家庭"


def test_selfcare_items_show_the_scale_words(clinic_ctx, qtbot):
    from familydoc_desktop.domain.codes import VisitKind
    from familydoc_desktop.ui.screens.followup_form import FollowupForm
    with clinic_ctx.session() as s:
        r = residents.create_resident(s, org_id=clinic_ctx.org_id, name="孙老汉", sex="male",
                                      birth_date=date(1935, 5, 5))
    form = FollowupForm(clinic_ctx, r.id, VisitKind.ELDERLY_80)
    qtbot.addWidget(form)
    eating = form.selfcare_combos["eating"]
    texts = [eating.itemText(i) for i in range(eating.count())]
    assert texts[1] == "3分 — 需要协助，如切碎、搅拌食物等"
    assert all("—" in t for t in texts)
    assert [eating.itemData(i) for i in range(eating.count())] == [0, 3, 5]


def _bed(ctx, name="周桂兰"):
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name=name, sex="female",
                                      birth_date=date(1940, 2, 2))
        bed = sickbeds.admit(s, resident_id=r.id, admitted_on=date.today(),
                             bed_type="treatment", diagnosis="脑梗后遗症")
        return bed.id


def test_round_and_discharge_name_the_patient_and_buttons_are_chinese(clinic_ctx, qtbot):
    from familydoc_desktop.ui.screens.sickbeds import AdmitDialog, DischargeDialog, RoundDialog
    bed_id = _bed(clinic_ctx)
    with clinic_ctx.session() as s:
        rid = s.get(sickbeds.Sickbed, bed_id).resident_id
    for dialog in (RoundDialog(clinic_ctx, bed_id), DischargeDialog(clinic_ctx, bed_id),
                   AdmitDialog(clinic_ctx, rid)):
        qtbot.addWidget(dialog)
        assert "周桂兰" in dialog.windowTitle()
        box = dialog.findChild(QDialogButtonBox)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_discharge_asks_first_and_no_keeps_the_bed_open(clinic_ctx, qtbot, monkeypatch,
                                                        no_modal_boxes):
    from familydoc_desktop.ui.screens.sickbeds import DischargeDialog
    bed_id = _bed(clinic_ctx)
    dialog = DischargeDialog(clinic_ctx, bed_id)
    qtbot.addWidget(dialog)
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData("improved"))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    assert dialog.save() is False
    with clinic_ctx.session() as s:
        assert s.get(sickbeds.Sickbed, bed_id).discharged_on is None
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.Yes)
    assert dialog.save() is True
    assert "周桂兰" in asked[0] and "不能撤销" in asked[0]
    with clinic_ctx.session() as s:
        assert s.get(sickbeds.Sickbed, bed_id).discharged_on == date.today()


def test_termination_names_the_resident_and_asks(clinic_ctx, qtbot, monkeypatch):
    from familydoc_desktop.ui.screens.terminate_dialog import TerminateDialog
    with clinic_ctx.session() as s:
        r = residents.create_resident(s, org_id=clinic_ctx.org_id, name="吴建国",
                                      id_number="11010519491231002X")
        contracts.seed_package_catalogue(s, clinic_ctx.org_id)
        cid = contracts.sign_contract(s, resident_id=r.id, start=date.today(), years=1,
                                      consent_by="resident").id
    dialog = TerminateDialog(clinic_ctx, cid)
    qtbot.addWidget(dialog)
    assert "吴建国" in dialog.windowTitle()
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("own_request"))
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.No)
    assert dialog.save() is False
    assert "吴建国" in asked[0]
    with clinic_ctx.session() as s:
        assert s.get(contracts.Contract, cid).status != "terminated"


@pytest.fixture
def english(app):
    from familydoc_desktop.ui.app import make_application
    make_application(lang="en")
    labels.set_language("en")
    yield
    labels.set_language("zh_CN")
    make_application(lang="zh_CN")


def test_english_mode_relations_selfcare_and_uncut_headers(english, clinic_ctx, qtbot):
    from familydoc_desktop.domain.codes import VisitKind
    from familydoc_desktop.ui.screens.followup_form import FollowupForm
    from familydoc_desktop.ui.screens.resident_form import ResidentForm
    from familydoc_desktop.ui.screens.residents import ResidentsScreen
    form = ResidentForm(clinic_ctx)
    qtbot.addWidget(form)
    relations = [form.relation_combo.itemText(i) for i in range(form.relation_combo.count())]
    assert "Spouse" in relations and all(no_chinese(t) for t in relations)
    form.relation_combo.setCurrentIndex(form.relation_combo.findText("Spouse"))
    assert form.values()["relation_to_head"] == "配偶"  # stored as the paper form's word
    with clinic_ctx.session() as s:
        r = residents.create_resident(s, org_id=clinic_ctx.org_id, name="Old", sex="male",
                                      birth_date=date(1935, 5, 5))
    visit = FollowupForm(clinic_ctx, r.id, VisitKind.ELDERLY_80)
    qtbot.addWidget(visit)
    combo = visit.selfcare_combos["activity"]
    assert all(no_chinese(combo.itemText(i)) for i in range(combo.count()))
    screen = ResidentsScreen(clinic_ctx)
    qtbot.addWidget(screen)
    header = screen.view.horizontalHeader()
    model = screen.view.model()
    for col in range(model.columnCount() - 1):  # the last column stretches
        title = model.headerData(col, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal)
        assert no_chinese(title)
        assert screen.view.columnWidth(col) >= header.fontMetrics().horizontalAdvance(title), title


def test_english_indicator_names(english):
    from familydoc_desktop.domain.indicators import INDICATORS
    for ind in INDICATORS:
        assert no_chinese(labels.indicator_label(ind.code, ind.name_zh)), ind.code
    assert labels.indicator_label("pop_aged_80_coverage", "") == "Aged 80+ signing rate"


def test_english_pushes_and_surveys(english, clinic_ctx, qtbot):
    """The push form, the pushes tab and the survey list in English: channels, methods and
    headers have English words; the mandated 基本公共卫生服务 mark stays as the rules word it."""
    from familydoc_desktop.ui.screens.pushes import PushDialog, PushesTab
    from familydoc_desktop.ui.screens.services import SurveysTab
    with clinic_ctx.session() as s:
        r = residents.create_resident(s, org_id=clinic_ctx.org_id, name="Old", sex="male",
                                      birth_date=date(1950, 5, 5))
    dialog = PushDialog(clinic_ctx, [r.id], "Old")
    qtbot.addWidget(dialog)
    channels = [dialog.channel_combo.itemText(i) for i in range(dialog.channel_combo.count())]
    assert channels == ["WeChat", "SMS", "Printed leaflet", "In person"]
    assert dialog.windowTitle() == "Health information push"
    assert dialog.mark_label.text() == "基本公共卫生服务"
    for tab in (PushesTab(clinic_ctx), SurveysTab(clinic_ctx)):
        qtbot.addWidget(tab)
        titles = [tab.model.headerData(c, __import__("PySide6.QtCore").QtCore.Qt.Orientation
                                       .Horizontal) for c in range(tab.model.columnCount())]
        assert all(no_chinese(t) for t in titles), titles
    assert labels.survey_method_label("phone") == "Phone"
    assert labels.push_channel_label("print") == "Printed leaflet"
