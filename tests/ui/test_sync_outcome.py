"""A sync that set changes aside is never shown as a plain success: the status bar turns amber
and the sync screen lists each refused change, with its reason in Chinese, until the doctor
acknowledges it; a later refusal shows again. Against a REAL server (uvicorn in a thread)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_tasks
from tests.ui.test_sync_ui import server  # noqa: F401 - the live server fixture
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import outcome, session
from familydoc_desktop.ui.screens.sync_panel import SyncScreen
from tests.sync.sync_live import PASSWORD


def _sync(window, qtbot) -> None:
    window.sync.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20000)
    wait_tasks(qtbot, window.ctx)


def _moved_away(server, tmp_path, resident_id: str, name: str) -> None:
    """The township moves the resident to the west village."""
    folder = tmp_path / f"town-{name}"
    folder.mkdir()
    town = Database(folder / "familydoc.db")
    try:
        session.login(town, server.url, "town", PASSWORD)
        session.run_sync(town)
        with town.session() as s:
            s.get(Resident, resident_id).org_id = server.clinic("431001100202")
        assert session.run_sync(town).pushed == 1
    finally:
        town.close()


def test_refused_changes_turn_the_status_amber_and_stay_listed_until_seen(
        window, qtbot, server, tmp_path):  # noqa: F811
    ctx = window.ctx
    session.login(ctx.db, server.url, "doc_a1", PASSWORD)
    ctx.reset_identity()
    east = server.clinic()
    with ctx.session() as s:
        moved = Resident(org_id=east, name="王五", sex="male")
        s.add(moved)
    window.sync.refresh_status()
    wait_tasks(qtbot, ctx)
    _sync(window, qtbot)
    assert window.sync.last_report.refused == 0
    bar = window.sync_status
    assert bar.message.property("state") == "ok" and not bar.warning_button.isVisibleTo(window)

    _moved_away(server, tmp_path, moved.id, "1")
    with ctx.session() as s:  # this PC still holds him and edits him
        s.get(Resident, moved.id).phone = "13800000009"
        s.add(Resident(org_id=east, name="陈三", sex="male"))
    ctx.notify("resident")
    wait_tasks(qtbot, ctx)
    _sync(window, qtbot)
    report = window.sync.last_report
    assert (report.pushed, report.refused) == (1, 1)

    # Status bar: amber, not "同步完成", with a button to the list.
    assert bar.message.property("state") == "warning"
    assert "同步完成" not in bar.message.text() and "搁置 1 条" in bar.message.text()
    assert bar.warning_button.isVisibleTo(window)
    assert "1" in bar.warning_button.text()
    qtbot.mouseClick(bar.warning_button, Qt.MouseButton.LeftButton)
    screen = window.stack.currentWidget()
    assert isinstance(screen, SyncScreen)
    wait_tasks(qtbot, ctx)
    box_rows = screen.set_aside_model.rows
    assert screen.set_aside_box.isVisibleTo(window) and len(box_rows) == 1
    (change,) = box_rows
    assert change.kind == outcome.REFUSED and change.record_id == moved.id
    assert screen.set_aside_model.index(0, 2).data() == "居民档案（王五）"
    reason = screen.set_aside_model.index(0, 3).data()
    assert reason and any("\u4e00" <= ch <= "\u9fff" for ch in reason)  # Chinese
    assert screen.result_label.property("state") == "warning"
    import os
    if os.environ.get("FAMILYDOC_SHOTS"):  # for a look at it
        window.resize(1366, 768)
        qtbot.wait(50)
        window.grab().save(os.path.join(os.environ["FAMILYDOC_SHOTS"], "sync_set_aside.png"))

    # Still listed after another (clean) sync and after a restart of the screen.
    _sync(window, qtbot)
    assert window.sync.last_report.refused == 0  # set aside once, not refused again
    assert len(window.sync.status.unseen) == 1 and bar.warning_button.isVisibleTo(window)
    assert bar.message.property("state") == "warning"
    fresh = SyncScreen(ctx, window.sync)
    qtbot.addWidget(fresh)
    assert fresh.set_aside_box.isVisibleTo(fresh) and len(fresh.set_aside_model.rows) == 1
    assert fresh.result_label.text()  # 上次结果 is never empty once a sync has run

    # Acknowledged: gone from the bar and the screen; kept in the store.
    qtbot.mouseClick(screen.acknowledge_button, Qt.MouseButton.LeftButton)
    wait_tasks(qtbot, ctx)
    assert window.sync.status.unseen == []
    assert not bar.warning_button.isVisibleTo(window)
    assert not screen.set_aside_box.isVisibleTo(window)
    assert bar.message.property("state") == "ok"
    assert len(outcome.set_aside_changes(ctx.db)) == 1

    # A new refusal shows again.
    with ctx.session() as s:
        other = Resident(org_id=east, name="赵六", sex="female")
        s.add(other)
    _sync(window, qtbot)
    _moved_away(server, tmp_path, other.id, "2")
    with ctx.session() as s:
        s.get(Resident, other.id).address = "西村"
    _sync(window, qtbot)
    assert [c.whose for c in window.sync.status.unseen] == ["赵六"]
    assert bar.warning_button.isVisibleTo(window)
