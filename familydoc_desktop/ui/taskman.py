"""One task runner for everything slow (import, export, sync, reports, backup).

Modelled on Anki's qt/aqt/taskman.py + operations: work runs on a worker thread, results
come back on the GUI thread through `run_on_main`. Database work goes to a pool with ONE
thread, so two writers never race for SQLite's lock and tasks run in the order asked; network
work has its own pool so a slow server never blocks a local save. Each task opens its own
`db.session()` (sessions are not thread-safe; the engine and its pool are).

Feedback follows Anki's progress.py: a busy cursor after 300 ms, a progress dialog after
600 ms, nothing at all for work that finishes in a moment.
"""
from __future__ import annotations

import logging
import threading
import time
import traceback
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

Closure = Callable[[], None]
BUSY_CURSOR_MS = 300
DIALOG_MS = 600


class Cancelled(Exception):
    """Raised inside a task by `Progress.check()` after the user pressed Cancel."""


class Progress:
    """Handed to a task: thread-safe progress reports and a cancel flag.

    Reports are coalesced: only the latest one reaches the GUI, at most every 50 ms, so a
    task that reports for every row cannot flood the event loop.
    """

    def __init__(self, taskman: "TaskManager") -> None:
        self._taskman = taskman
        self._lock = threading.Lock()
        self._latest: tuple[int, int, str] | None = None
        self._posted = False
        self._last_post = 0.0
        self.cancelled = False
        self.listener: Callable[[int, int, str], None] | None = None

    def __call__(self, done: int, total: int = 0, label: str = "") -> None:
        self.update(done, total, label)

    def update(self, done: int, total: int = 0, label: str = "") -> None:
        now = time.monotonic()
        with self._lock:
            self._latest = (int(done), int(total), label)
            if self._posted or (now - self._last_post < 0.05 and done < total):
                return
            self._posted = True
            self._last_post = now
        self._taskman.run_on_main(self._deliver)

    def _deliver(self) -> None:
        with self._lock:
            latest, self._posted = self._latest, False
        if latest is not None and self.listener is not None:
            self.listener(*latest)

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], future: Future) -> None:
        super().__init__()
        self._fn = fn
        self._future = future

    def run(self) -> None:
        if not self._future.set_running_or_notify_cancel():
            return
        try:
            self._future.set_result(self._fn())
        except BaseException as exc:  # handed to the failure callback on the GUI thread
            self._future.set_exception(exc)


class TaskManager(QObject):
    _closures_pending = Signal()

    def __init__(self, parent: QObject | None = None, *, network_threads: int = 2) -> None:
        super().__init__(parent)
        self._closures: list[Closure] = []
        self._lock = threading.Lock()
        self.db_pool = QThreadPool(self)
        self.db_pool.setMaxThreadCount(1)
        self.net_pool = QThreadPool(self)
        self.net_pool.setMaxThreadCount(network_threads)
        self._active = 0
        self._running: set[_Runnable] = set()  # keep Python wrappers alive while queued
        self._closures_pending.connect(self._run_closures, Qt.ConnectionType.QueuedConnection)

    # -- plumbing -------------------------------------------------------------------------
    def run_on_main(self, closure: Closure) -> None:
        """Run `closure` on the GUI thread (callable from any thread)."""
        with self._lock:
            self._closures.append(closure)
        try:
            self._closures_pending.emit()
        except RuntimeError:  # the app is shutting down: nobody is left to tell
            pass

    def _run_closures(self) -> None:
        with self._lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            try:
                closure()
            except Exception:  # a broken callback must not kill the others
                log.exception("callback failed")

    def run_in_background(self, task: Callable[[], Any],
                          on_done: Callable[[Future], None] | None = None, *,
                          network: bool = False) -> Future:
        """Run `task` on the DB worker (or a network thread); `on_done(future)` on the GUI."""
        future: Future = Future()
        self._active += 1
        runnable = _Runnable(task, future)
        runnable.setAutoDelete(False)
        self._running.add(runnable)

        def finished(fut: Future) -> None:
            def on_main() -> None:
                self._active -= 1
                self._running.discard(runnable)
                if on_done is not None:
                    on_done(fut)
            self.run_on_main(on_main)

        future.add_done_callback(finished)
        (self.net_pool if network else self.db_pool).start(runnable)
        return future

    @property
    def busy(self) -> bool:
        return self._active > 0

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Block until no task is left, callbacks included (used at shutdown and by tests).

        A callback may start the next task (a chain), so this drains pools and callbacks
        until `busy` is false or `timeout_ms` has passed; False on timeout."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            left = max(0, int((deadline - time.monotonic()) * 1000))
            ok = self.db_pool.waitForDone(left) and self.net_pool.waitForDone(left)
            self._run_closures()
            if not self.busy:
                return True
            if not ok or time.monotonic() >= deadline:
                return False
            time.sleep(0.005)  # a future's done-callback may still be queueing its closure


def failure_text(exc: BaseException) -> str:
    """The one wording of a failure for the doctor (every task failure and form error).

    Domain, store and sync errors already carry a Chinese message; database and file
    errors get a plain sentence (never the raw "[Errno 21] ..."); anything else is logged
    with its traceback and shown as a short message pointing at the log."""
    import errno
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    from familydoc_desktop.domain.errors import DomainError
    from familydoc_desktop.store.engine import Error as CipherError
    from familydoc_desktop.store.errors import StoreError
    from familydoc_desktop.sync.http import SyncError

    if isinstance(exc, Cancelled):
        return QCoreApplication.translate("Failure", "Cancelled; nothing was changed.")
    if isinstance(exc, (DomainError, StoreError, SyncError)):
        return str(exc)
    if isinstance(exc, IsADirectoryError):
        return QCoreApplication.translate("Failure", "The chosen path is a folder; choose a file name.")
    if isinstance(exc, PermissionError):
        return QCoreApplication.translate("Failure", "No permission to use this file or folder; choose another place.")
    if isinstance(exc, FileNotFoundError):
        return QCoreApplication.translate("Failure", "The file or its folder does not exist; choose an existing folder.")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return QCoreApplication.translate("Failure", "The disk is full; free some space or choose another disk.")
    if isinstance(exc, OSError):
        log.error("file error: %s", "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return QCoreApplication.translate("Failure", "The file could not be read or written; check the disk and the path.")
    if isinstance(exc, (SQLAlchemyError, sqlite3.Error, CipherError)):
        log.error("database error: %s", "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return QCoreApplication.translate("Failure", "The local database could not complete this step; nothing was lost. Try again; if it repeats, make a backup and contact support.")
    log.error("unexpected error: %s", "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return QCoreApplication.translate("Failure", "Something unexpected went wrong; it was written to the log (logs/familydoc.log). Your saved data is safe.")


@dataclass
class Task:
    """A unit of slow work with callbacks, like Anki's CollectionOp/QueryOp.

    `work(progress)` runs off the GUI thread; `success(result)` or `failure(exc)` runs on it.
    With a `label`, the user sees a busy cursor after 300 ms and a cancellable progress
    dialog after 600 ms.
    """

    taskman: TaskManager
    work: Callable[[Progress], Any]
    success: Callable[[Any], None] | None = None
    failure: Callable[[BaseException], None] | None = None
    label: str | None = None
    parent: QWidget | None = None
    network: bool = False
    cancellable: bool = True
    on_progress: Callable[[int, int, str], None] | None = None
    progress: Progress | None = field(default=None, init=False)

    def run(self) -> Future:
        progress = Progress(self.taskman)
        self.progress = progress
        feedback = Feedback(self.label, self.parent, progress, self.cancellable) \
            if self.label else None

        def listener(done: int, total: int, text: str) -> None:
            if feedback is not None:
                feedback.update(done, total, text)
            if self.on_progress is not None:
                self.on_progress(done, total, text)

        progress.listener = listener

        def on_done(fut: Future) -> None:
            if feedback is not None:
                feedback.finish()
            exc = fut.exception()
            if exc is None:
                if self.success is not None:
                    self.success(fut.result())
                return
            if not isinstance(exc, Cancelled):
                log.error("task failed: %s", "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
            if self.failure is not None:
                self.failure(exc)

        return self.taskman.run_in_background(lambda: self.work(progress), on_done,
                                              network=self.network)


class Feedback(QObject):
    """Busy cursor after 300 ms, progress dialog after 600 ms, both gone when done."""

    def __init__(self, label: str, parent: QWidget | None, progress: Progress,
                 cancellable: bool) -> None:
        super().__init__(parent)
        self._label = label
        self._parent = parent
        self._progress = progress
        self._cancellable = cancellable
        self._cursor = False
        self._dialog: QProgressDialog | None = None
        self._state = (0, 0, label)
        self._done = False
        QTimer.singleShot(BUSY_CURSOR_MS, self, self._show_cursor)
        QTimer.singleShot(DIALOG_MS, self, self._show_dialog)

    def _show_cursor(self) -> None:
        if self._done:
            return
        QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))
        self._cursor = True

    def _show_dialog(self) -> None:
        if self._done:
            return
        dlg = QProgressDialog(self._label, self.tr("Cancel") if self._cancellable else "",
                              0, 0, self._parent)
        dlg.setWindowTitle(self.tr("Please wait"))
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setMinimumWidth(380)
        if not self._cancellable:
            dlg.setCancelButton(None)
        dlg.canceled.connect(self._cancel)
        self._dialog = dlg
        self._apply()
        dlg.show()

    def _cancel(self) -> None:
        self._progress.cancelled = True
        if self._dialog is not None:
            self._dialog.setLabelText(self.tr("Cancelling…"))

    def update(self, done: int, total: int, text: str) -> None:
        self._state = (done, total, text or self._label)
        self._apply()

    def _apply(self) -> None:
        if self._dialog is None:
            return
        done, total, text = self._state
        self._dialog.setMaximum(max(total, 0))
        if total:
            self._dialog.setValue(min(done, total))
        if not self._progress.cancelled:
            self._dialog.setLabelText(text)

    @property
    def dialog(self) -> QProgressDialog | None:
        return self._dialog

    def finish(self) -> None:
        self._done = True
        if self._cursor:
            QGuiApplication.restoreOverrideCursor()
            self._cursor = False
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self._cancel)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        self.deleteLater()
