"""The task runner: work off the GUI thread, results on it, one DB worker, quiet feedback
for quick work and a progress dialog for slow work."""
from __future__ import annotations

import threading
import time

import pytest

from familydoc_desktop.ui.taskman import Cancelled, Task, TaskManager


@pytest.fixture
def tm(qapp):
    manager = TaskManager()
    yield manager
    manager.wait_idle()


def test_work_runs_off_the_gui_thread_and_callbacks_on_it(tm, qtbot):
    seen = {}

    def work(_progress):  # noqa: ANN001, ANN202
        seen["worker"] = threading.current_thread()
        return 42

    def success(value) -> None:  # noqa: ANN001
        seen["value"] = value
        seen["callback"] = threading.current_thread()

    Task(tm, work, success=success).run()
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == 42
    assert seen["worker"] is not threading.main_thread()
    assert seen["callback"] is threading.main_thread()


def test_failures_reach_the_failure_callback(tm, qtbot):
    errors = []
    Task(tm, lambda _p: 1 / 0, failure=errors.append).run()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_db_tasks_run_one_at_a_time_in_order(tm, qtbot):
    order, active, overlap = [], [0], []

    def make(i):  # noqa: ANN001, ANN202
        def work(_p):  # noqa: ANN001, ANN202
            active[0] += 1
            overlap.append(active[0])
            time.sleep(0.02)
            order.append(i)
            active[0] -= 1
        return work

    for i in range(5):
        Task(tm, make(i)).run()
    qtbot.waitUntil(lambda: len(order) == 5, timeout=5000)
    assert order == [0, 1, 2, 3, 4] and max(overlap) == 1


def test_quick_work_shows_no_dialog_slow_work_does_and_can_be_cancelled(tm, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

    def dialogs():  # noqa: ANN202
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]

    done = []
    Task(tm, lambda _p: None, success=done.append, label="quick").run()
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    qtbot.wait(700)
    assert dialogs() == []

    failed = []

    def slow(progress):  # noqa: ANN001, ANN202
        for i in range(400):
            progress.check()
            progress.update(i, 400, f"row {i}")
            time.sleep(0.01)

    Task(tm, slow, failure=failed.append, label="slow").run()
    qtbot.waitUntil(lambda: bool(dialogs()), timeout=3000)
    dialog = dialogs()[0]
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=3000)
    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # 取消
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert isinstance(failed[0], Cancelled)
    qtbot.waitUntil(lambda: dialogs() == [], timeout=2000)
