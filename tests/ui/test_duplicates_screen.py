"""The 疑似重复居民 screen: pairs side by side, masked; the merge names both residents and asks
(default No), runs as a task, and failures read as Chinese through the one failure handler."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QMessageBox

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import contracts, merge, residents, visits
from tests.ui.conftest import wait_tasks

NUMBER = "11010519491231002X"
VILLAGE = "220102001001"


def _pair(ctx) -> tuple[str, str]:
    today = date.today()
    with ctx.session() as s:
        kept = residents.create_resident(s, org_id=ctx.org_id, name="欧阳秀英", id_number=NUMBER,
                                         village_code=VILLAGE, today=today)
        dropped = residents.create_resident(s, org_id=ctx.org_id, name="欧阳秀英", sex="女",
                                            birth_date="1949-12-31", village_code=VILLAGE,
                                            phone="13800001111", today=today)
        contracts.sign_contract(s, resident_id=dropped.id, start=today, years=1,
                                consent_by="resident", today=today)
        residents.add_diagnosis(s, dropped.id, "hypertension", "2020-01-01", today=today)
        visits.record_followup(s, resident_id=dropped.id, kind="hypertension",
                               visit_date=today, method="home", sbp=150, dbp=90, today=today)
        return kept.id, dropped.id


def _open(window, qtbot):
    screen = window.show_screen("duplicates")
    wait_tasks(qtbot, window.ctx)
    return screen


def test_pairs_are_side_by_side_masked_and_swappable(window, qtbot):
    kept, dropped = _pair(window.ctx)
    screen = _open(window, qtbot)
    assert window.nav.item(window.nav.currentRow()).text() == "疑似重复"
    assert screen.model.rowCount() == 1
    assert screen.model.index(0, 0).data() == "姓名、出生日期和村相同"
    assert screen.keep_values["id_number"].text() == "110105********002X"
    assert screen.drop_values["id_number"].text() == "无（待核对）"
    assert screen.drop_values["phone"].text() != "13800001111"  # masked
    assert (screen.keep_values["contracts"].text(), screen.drop_values["contracts"].text(),
            screen.drop_values["visits"].text()) == ("0", "1", "1")
    screen.swap()
    assert screen.keep_values["id_number"].text() == "无（待核对）"
    assert [p.id for p in screen.selected()] == [dropped, kept]
    screen.swap()


def test_either_record_opens_for_checking(window, qtbot, monkeypatch):
    from familydoc_desktop.ui.screens import resident_form

    kept, dropped = _pair(window.ctx)
    screen = _open(window, qtbot)
    opened = []
    monkeypatch.setattr(resident_form, "open_record",
                        lambda _ctx, rid, _parent: opened.append(rid))
    screen.open_keep_button.click()
    screen.open_drop_button.click()
    assert opened == [kept, dropped]


def test_merge_names_both_asks_and_keeps_every_record(window, qtbot, no_modal_boxes):
    kept, dropped = _pair(window.ctx)
    screen = _open(window, qtbot)
    screen.merge_selected()
    wait_tasks(qtbot, window.ctx)
    (kind, title, question), *_ = no_modal_boxes
    assert (kind, title) == ("question", "合并居民")
    assert question.count("欧阳秀英") == 2 and "110105********002X" in question
    assert "不可撤销" in question
    assert "已合并到" in screen.status.text() and "欧阳秀英" in screen.status.text()
    assert screen.model.rowCount() == 0
    with window.ctx.session() as s:
        assert s.get(Resident, dropped).merged_into == kept
        assert {c.resident_id for c in contracts.contracts_for(s, kept)} == {kept}
        assert len(contracts.contracts_for(s, kept)) == 1


def test_answering_no_changes_nothing(window, qtbot, monkeypatch):
    kept, dropped = _pair(window.ctx)
    screen = _open(window, qtbot)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.No)
    screen.merge_selected()
    wait_tasks(qtbot, window.ctx)
    with window.ctx.session() as s:
        assert not s.get(Resident, dropped).deleted
    assert screen.model.rowCount() == 1


def test_a_failed_merge_reads_chinese_and_the_button_comes_back(window, qtbot, monkeypatch):
    _pair(window.ctx)
    screen = _open(window, qtbot)

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(merge, "merge_residents", broken)
    screen.merge_selected()
    wait_tasks(qtbot, window.ctx)
    assert "磁盘已满" in screen.status.text()
    assert "Errno" not in screen.status.text() and "No space" not in screen.status.text()
    assert screen.merge_button.isEnabled()


def test_english_mode_reads_english(window, app, qtbot):
    from familydoc_desktop.ui import i18n
    from familydoc_desktop.ui.screens.duplicates import DuplicatesScreen

    _pair(window.ctx)
    i18n.install_translators(app, "en")
    try:
        screen = DuplicatesScreen(window.ctx)
        qtbot.addWidget(screen)
        screen.reload()
        wait_tasks(qtbot, window.ctx)
        assert screen.merge_button.text() == "Merge…"
        assert screen.model.index(0, 0).data() == "Same name, birth date and village"
        assert screen.drop_values["id_number"].text() == "none (to be checked)"
        assert screen.status.text() == "Possible duplicates: 1"
    finally:
        i18n.install_translators(app, "zh_CN")
    zh = DuplicatesScreen(window.ctx)
    qtbot.addWidget(zh)
    assert zh.merge_button.text() == "合并…"
