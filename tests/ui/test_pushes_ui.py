"""Health-information pushes and the survey list on the desktop: the list of signed residents
short of 12 pushes this year (village and population filters, lazy pages), a push to the
selected residents and to everyone listed, refused input kept in the form, a push from the
resident's record with the 基本公共卫生服务 mark in the history, and the survey tab with the
satisfaction rate per team."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QDialog

from familydoc_desktop.domain.models import Organisation
from familydoc_desktop.store import contracts, orgs, residents, services, visits
from familydoc_desktop.ui.screens.pushes import PushDialog
from familydoc_desktop.ui.screens.resident_history import ResidentHistory
from tests.ui.conftest import wait_tasks

EAST, WEST = "220102001001", "220102001002"


@pytest.fixture
def villages_db(db):
    """Two village clinics' codes known to the PC; the home clinic is the east one."""
    with db.session() as s:
        east = Organisation(code=EAST, name="东村卫生室", level="clinic")
        west = Organisation(code=WEST, name="西村卫生室", level="clinic")
        s.add_all([east, west])
        s.flush()
        orgs.set_home_clinic(s, east.id)
    return db


def signed(ctx, name: str, village: str = EAST, born: str = "1950-01-01") -> str:
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name=name, sex="女",
                                      birth_date=born, village_code=village)
        contracts.sign_contract(s, resident_id=r.id, start=date.today() - timedelta(days=30),
                                years=1, consent_by="resident")
        return r.id


@pytest.fixture
def pushes_tab(villages_db, window, qtbot):
    screen = window.show_screen("services")
    screen.tabs.setCurrentWidget(screen.pushes)
    return screen.pushes


def fill(topic: str, channel: str = "wechat", days_ahead: int = 0):  # noqa: ANN201
    def fake_exec(dialog: PushDialog) -> int:
        dialog.topic_combo.setEditText(topic)
        dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData(channel))
        dialog.date_edit.setDate(dialog.date_edit.date().addDays(days_ahead))
        dialog.accept()
        return dialog.result()
    return fake_exec


def test_push_to_selected_then_to_everyone_listed(window, pushes_tab, qtbot, monkeypatch):
    ctx = window.ctx
    a, b = signed(ctx, "张秀兰"), signed(ctx, "李桂芝")
    c = signed(ctx, "王淑珍", village=WEST, born="1990-05-05")
    window.ctx.notify("resident")
    wait_tasks(qtbot, ctx)
    tab = pushes_tab
    assert tab.model.total == 3 and "3" in tab.count_label.text()
    assert tab.mark_label.text() == "基本公共卫生服务"
    assert not tab.selected_button.isEnabled() and tab.all_button.isEnabled()
    assert [tab.model.index(r, 3).data() for r in range(3)] == ["12"] * 3
    assert tab.model.index(0, 1).data() in ("东村", "西村")  # the village's name, not its code

    sel = tab.view.selectionModel()
    rows_of = {tab.model.row_at(r).id: r for r in range(3)}
    for rid in (a, b):
        sel.select(tab.model.index(rows_of[rid], 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    assert tab.selected_button.isEnabled()

    # Refused input keeps the form open with the reason; nothing is written.
    monkeypatch.setattr(PushDialog, "exec", fill("   "))
    dialog = tab.push_selected()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "请填写推送主题" in dialog.error.text()
    assert "张秀兰" in dialog.who_label.text() and "李桂芝" in dialog.who_label.text()
    assert dialog.mark_label.text() == "基本公共卫生服务"
    monkeypatch.setattr(PushDialog, "exec", fill("冬季防跌倒", days_ahead=1))
    assert "推送日期不能晚于今天" in tab.push_selected().error.text()
    with ctx.session() as s:
        assert services.pushes_this_year(s, a) == 0

    monkeypatch.setattr(PushDialog, "exec", fill("冬季防跌倒", "print"))
    dialog = tab.push_selected()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    wait_tasks(qtbot, ctx)  # the list follows the save
    counts = {tab.model.row_at(r).name: tab.model.row_at(r).pushes for r in range(3)}
    assert counts == {"张秀兰": 1, "李桂芝": 1, "王淑珍": 0}
    assert tab.model.row_at(0).name == "王淑珍"  # the fewest pushes first

    # A village's group: everyone the list shows for the west village.
    tab.village_combo.setCurrentIndex(tab.village_combo.findData(WEST))
    wait_tasks(qtbot, ctx)
    assert tab.model.total == 1
    monkeypatch.setattr(PushDialog, "exec", fill("控烟限酒", "sms"))
    dialog = tab.push_listed()
    assert dialog.resident_ids == [c] and "西村" in dialog.who_label.text()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    with ctx.session() as s:
        (push,) = services.pushes_for(s, c)
        assert (push.topic, push.channel, push.on_date) == ("控烟限酒", "sms", date.today())
    # The population filter: the aged 65+ of every village.
    tab.village_combo.setCurrentIndex(0)
    tab.population_combo.setCurrentIndex(tab.population_combo.findData("aged_65"))
    wait_tasks(qtbot, ctx)
    assert {tab.model.row_at(r).id for r in range(tab.model.rowCount())} == {a, b}


def test_list_loads_page_by_page(window, pushes_tab, qtbot):
    ctx = window.ctx
    with ctx.session() as s:
        for n in range(230):
            r = residents.create_resident(s, org_id=ctx.org_id, name=f"居民{n:03d}", sex="男",
                                          birth_date="1960-01-01", village_code=EAST)
            contracts.sign_contract(s, resident_id=r.id, start=date.today(), years=1,
                                    consent_by="resident")
    ctx.notify("resident")
    wait_tasks(qtbot, ctx)
    tab = pushes_tab
    assert tab.model.total == 230 and tab.model.rowCount() == 200  # one page held
    assert tab.model.canFetchMore()
    tab.model.fetchMore()
    assert tab.model.rowCount() == 230 and not tab.model.canFetchMore()
    tab.short_check.setChecked(False)
    wait_tasks(qtbot, ctx)
    assert "230" in tab.count_label.text()


def test_push_from_the_record_shows_the_mark(ctx, qtbot, monkeypatch):
    rid = signed(ctx, "赵玉兰")
    with ctx.session() as s:
        residents.add_diagnosis(s, rid, "hypertension", "2020-01-01")
        visits.record_followup(s, resident_id=rid, kind="hypertension",
                               visit_date=date.today(), method="clinic", sbp=130, dbp=80)
        visits.record_followup(s, resident_id=rid, kind="general", visit_date=date.today(),
                               method="home")
    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)
    monkeypatch.setattr(PushDialog, "exec", fill("高血压的自我管理与按时服药"))
    form = history.service_form("push")
    assert form.result() == QDialog.DialogCode.Accepted, form.error.text()
    (entry,) = history.services_model.rows
    assert entry.kind == "health_push" and "微信：高血压的自我管理与按时服药" in entry.detail
    model = history.services_model
    assert model.index(0, 3).data() == "基本公共卫生服务"
    marks = {history.visits_model.rows[r].kind: history.visits_model.index(r, 8).data()
             for r in range(history.visits_model.rowCount())}
    assert marks == {"hypertension": "基本公共卫生服务", "general": ""}


def test_survey_list_and_rate_per_team(window, qtbot):
    ctx = window.ctx
    a, b = signed(ctx, "孙桂英"), signed(ctx, "周凤兰")
    with ctx.session() as s:
        services.add_satisfaction(s, resident_id=a, scores=[5, 5], method="phone")
        services.add_satisfaction(s, resident_id=b, scores=[2, 3], method="in_person")
    screen = window.show_screen("services")
    screen.tabs.setCurrentWidget(screen.surveys)
    ctx.notify("satisfaction_survey")
    wait_tasks(qtbot, ctx)
    tab = screen.surveys
    assert tab.model.total == 2 and "2" in tab.count_label.text()
    rows = {tab.model.index(r, 1).data(): [tab.model.index(r, c).data() for c in range(6)]
            for r in range(2)}
    assert rows["孙桂英"][2:] == ["电话", "5", "5,5", "家庭医生团队"]
    assert rows["周凤兰"][2:4] == ["面对面", "3"]
    assert "家庭医生团队 50.0%（2份）" in tab.rates_label.text(), tab.rates_label.text()


def test_due_list_marks_the_basic_public_health_follow_ups(window, qtbot):
    """A hypertension patient's follow-up carries the mark on the home due list; a contract
    expiring does not (domain/public_health.py decides both)."""
    ctx = window.ctx
    rid = signed(ctx, "钱玉珍")
    with ctx.session() as s:
        residents.add_diagnosis(s, rid, "hypertension", "2020-01-01")
    home = window.show_screen("home")
    ctx.notify("diagnosis")
    home.reload()
    wait_tasks(qtbot, ctx)
    header = [home.model.headerData(c, __import__("PySide6.QtCore").QtCore.Qt.Orientation
                                    .Horizontal) for c in range(home.model.columnCount())]
    col = header.index("经费来源")
    marks = {home.model.rows[r].kind: home.model.index(r, col).data()
             for r in range(home.model.rowCount())}
    assert marks.get("chronic_followup") == "基本公共卫生服务", marks
    marked = ("chronic_followup", "revisit", "checkup")  # a check-up item: always a 65+
    assert all(v == "基本公共卫生服务" for k, v in marks.items() if k in marked), marks
    assert all(v == "" for k, v in marks.items() if k not in marked), marks


def test_a_large_group_is_written_on_the_worker(villages_db, window, qtbot, monkeypatch):
    """From BACKGROUND_FROM residents the push runs as a task: the form waits with Save
    disabled and closes when written; a refusal the store makes comes back into the form."""
    ctx = window.ctx
    monkeypatch.setattr(PushDialog, "BACKGROUND_FROM", 2)
    a, b = signed(ctx, "张秀兰"), signed(ctx, "李桂芝")
    with ctx.session() as s:
        west = s.exec(__import__("sqlmodel").select(Organisation).where(
            Organisation.code == WEST)).one()
        stranger = residents.create_resident(s, org_id=west.id, name="外村人", sex="男",
                                             birth_date="1950-01-01").id
    dialog = PushDialog(ctx, [a, b, stranger], "三人", window)
    qtbot.addWidget(dialog)
    dialog.topic_combo.setEditText("")
    dialog.accept()  # refused at once, before any task
    assert "请填写推送主题" in dialog.error.text() and dialog.save_button.isEnabled()
    dialog.topic_combo.setEditText("控烟限酒")
    dialog.accept()
    assert not dialog.save_button.isEnabled()  # waiting for the worker
    wait_tasks(qtbot, ctx)
    assert "外村人不属于本卫生室" in dialog.error.text()
    assert dialog.save_button.isEnabled() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.resident_ids = [a, b]
    dialog.accept()
    wait_tasks(qtbot, ctx)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.saved == 2
    with ctx.session() as s:
        assert [services.pushes_this_year(s, r) for r in (a, b, stranger)] == [1, 1, 0]
