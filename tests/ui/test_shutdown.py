"""Closing the window while work runs: it asks, waits for the work, and never hangs."""
from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox


def test_close_while_a_task_runs_asks_then_waits_for_it(window, no_modal_boxes):
    release = threading.Event()
    done = []
    window.ctx.tasks.run_in_background(lambda: release.wait(10),
                                       lambda fut: done.append(fut.result()))
    threading.Timer(1.5, release.set).start()  # the work ends after the question was asked
    assert window.close()
    assert [kind for kind, _t, _x in no_modal_boxes] == ["question"]
    assert no_modal_boxes[0][2] == "还有任务在运行。等待其完成后退出吗？"
    assert done == [True]  # waited for the task and ran its callback before closing
    assert not window.ctx.tasks.busy
    assert not window.isVisible()


def test_close_refused_keeps_the_window_and_its_sync(window, no_modal_boxes, monkeypatch, qtbot):
    release = threading.Event()
    window.ctx.tasks.run_in_background(lambda: release.wait(10))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    try:
        assert not window.close()
        assert window.isVisible()
        assert not window.sync.stopped and window.sync.probe_timer.isActive()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10000)


def test_wait_idle_follows_a_chain_of_tasks(ctx):
    order = []

    def second(_fut):
        order.append("second")

    def first(_fut):
        order.append("first")
        ctx.tasks.run_in_background(lambda: None, second)

    ctx.tasks.run_in_background(lambda: None, first)
    assert ctx.tasks.wait_idle(10000)
    assert order == ["first", "second"]
    assert not ctx.tasks.busy
