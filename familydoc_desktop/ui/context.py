"""What every screen needs: the open database, the task runner, who is working, and a signal
that tells other screens to refresh after a save (so the ledger and due list follow a visit).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from PySide6.QtCore import QObject, Signal
from sqlmodel import Session

from familydoc_desktop.store.database import Database
from familydoc_desktop.ui.taskman import Task, TaskManager


class AppContext(QObject):
    # Table names that changed ("resident", "contract", ... or "*" after an import/sync).
    data_changed = Signal(str)
    # Whether full ID numbers / phones are shown (masked by default, PIPL).
    reveal_changed = Signal(bool)

    def __init__(self, db: Database, taskman: TaskManager | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = taskman or TaskManager(self)
        self.reveal = False
        self._org_id: str | None = None
        self._actor: str | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short unit of work on the GUI thread (single-record reads and saves only)."""
        with self.db.session() as s:
            yield s

    @property
    def org_id(self) -> str:
        """The clinic this PC works for (made on first start if the server never said)."""
        if self._org_id is None:
            from familydoc_desktop.store import orgs
            with self.session() as s:
                org = orgs.home_clinic(s)
                self._org_id = org.id
        return self._org_id

    @property
    def actor(self) -> str:
        """Who is signed in (the sync account), else the PC's local user; written to audit."""
        if self._actor is None:
            from familydoc_desktop.store import settings
            with self.session() as s:
                self._actor = settings.get_setting(s, "username") or self.tr("local user")
        return self._actor

    def set_actor(self, name: str | None) -> None:
        self._actor = name

    def reset_identity(self) -> None:
        """Forget the cached clinic and user: a login may have changed both."""
        self._org_id = None
        self._actor = None

    def notify(self, table: str = "*") -> None:
        self.data_changed.emit(table)

    def task(self, work, *, success=None, failure=None, label=None, parent=None,  # noqa: ANN001
             network=False, on_progress=None, cancellable=True) -> Task:  # noqa: ANN001
        t = Task(self.tasks, work, success=success, failure=failure, label=label,
                 parent=parent, network=network, on_progress=on_progress,
                 cancellable=cancellable)
        t.run()
        return t
