"""UI test set-up: headless Qt, Chinese translations, a fresh database per test."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from familydoc_desktop.store.database import Database  # noqa: E402


@pytest.fixture
def app(qapp):
    from familydoc_desktop.ui.app import make_application
    return make_application(lang="zh_CN")


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "familydoc.db")
    yield database
    database.close()


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch):
    """A modal message box has no one to answer it in a test run: it would block the test
    forever. Every static QMessageBox call returns its default answer (Yes/OK) at once, a
    hand-built box's exec() its default button, and each is recorded in the list this fixture yields, so a test can assert what the user saw."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def fake(kind, answer):
        def box(_parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return answer
        return box

    monkeypatch.setattr(QMessageBox, "question", fake("question", QMessageBox.StandardButton.Yes))
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind, QMessageBox.StandardButton.Ok))

    def box_exec(box):  # a hand-built box (e.g. "unsaved changes" at a dirty form's close)
        shown.append(("exec", box.windowTitle(), box.text()))
        default = box.defaultButton()
        return int(box.standardButton(default).value) if default is not None else \
            int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", box_exec)
    return shown


@pytest.fixture
def ctx(app, db):
    from familydoc_desktop.ui.context import AppContext
    context = AppContext(db)
    yield context
    assert context.tasks.wait_idle(60000), "a task was still running at teardown"


def close_window(win) -> None:
    """Stop the sync timers, let every task and its callbacks finish, then close."""
    win.sync.stop()
    assert win.ctx.tasks.wait_idle(60000), "a task was still running at teardown"
    win.close()


@pytest.fixture
def window(app, db, qtbot):
    from familydoc_desktop.ui.app import build_window
    context, win = build_window(db)
    # Only the syncs a test asks for: the window's first probe (2 s after it opens) and the
    # probe timer would otherwise sync by themselves in the middle of a slow test run and
    # push its edits first (the flaky sync outcome and township screen tests). A test of the
    # automatic sync turns it back on.
    win.sync.auto_sync = False
    qtbot.addWidget(win)
    win.show()
    yield win
    close_window(win)


def wait_tasks(qtbot, ctx, timeout: int = 20000) -> None:
    """Let background tasks finish and their callbacks run on the GUI thread."""
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=timeout)


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: keys for ASCII, an input-method commit for Chinese (how pinyin
    input delivers it; QTest cannot send non-ASCII key clicks)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
