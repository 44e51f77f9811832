"""Sync in the app: the status bar (last successful sync, pending changes, open conflicts),
manual sync with progress (F5), and automatic sync when the server becomes reachable.

A QTimer asks the sync package whether the server answers /api/v1/health; the probe runs on
a network thread so a dead network never freezes the window. When the server comes back
(or every few minutes while it is up) and there is something to push, a sync starts on its
own. Nothing is reported as synced unless the server answered.

What a sync set aside (edits the server refused, rows this PC could not hold) is never
reported as a plain success: the status bar turns amber and the sync screen lists each change
with its reason in Chinese until the doctor acknowledges it (`sync.outcome`).
"""
from __future__ import annotations

import json
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.sync import apply, conflicts, outbox, outcome, probe, session
from familydoc_desktop.sync.engine import LAST_REPORT_KEY, LAST_SYNC_KEY
from familydoc_desktop.sync.http import NetworkDown
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.icons import icon
from familydoc_desktop.ui.models.rows_table import Column, RowsTableModel
from familydoc_desktop.ui.widgets.common import fit_columns, table_view
from familydoc_desktop.ui.taskman import failure_text

PROBE_MS = 60_000
AUTO_SYNC_EVERY_S = 15 * 60


class SyncStatus:
    def __init__(self, last_sync: str | None, pending: int, open_conflicts: int,
                 server_url: str | None, username: str | None, logged_in: bool,
                 unseen: list[outcome.SetAsideChange] | None = None,
                 last_report: dict | None = None, role: str | None = None) -> None:
        self.last_sync = last_sync
        self.pending = pending
        self.open_conflicts = open_conflicts
        self.server_url = server_url
        self.username = username
        self.logged_in = logged_in
        self.unseen = unseen or []  # set-aside changes the doctor has not acknowledged
        self.last_report = last_report  # the last sync's report, as stored
        self.role = role  # the signed-in account's role (codes.Role), None if never signed in

    @property
    def supervisor(self) -> bool:
        """Township or county staff: the township screens are theirs."""
        return self.role in session.SUPERVISOR_ROLES


def read_status(ctx: AppContext) -> SyncStatus:
    """Runs on a worker: reads the device database and the credential store."""
    info = session.current(ctx.db)
    with ctx.db.session(capture=False) as s:
        pending = outbox.pending_count(s)
    try:
        last_report = json.loads(apply.get_state(ctx.db, LAST_REPORT_KEY) or "null")
    except ValueError:
        last_report = None
    return SyncStatus(apply.get_state(ctx.db, LAST_SYNC_KEY), pending,
                      conflicts.open_count(ctx.db), info.server_url, info.username,
                      bool(info.token), outcome.unseen(ctx.db),
                      last_report if isinstance(last_report, dict) else None,
                      session.account_role(ctx.db))


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    sync_started = Signal()
    sync_finished = Signal(object, object)  # SyncReport | None, error message | None
    acknowledged = Signal()  # the doctor has seen the set-aside changes
    progress = Signal(str)
    online_changed = Signal(bool)

    def __init__(self, ctx: AppContext, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.status: SyncStatus | None = None
        self.online: bool | None = None
        self.running = False
        self.last_report = None
        self.last_error: str | None = None
        self._last_auto = 0.0
        self.stopped = False
        self.auto_sync = True  # off: probes still tell online/offline, only F5 syncs
        self.probe_timer = QTimer(self)
        self.probe_timer.setInterval(PROBE_MS)
        self.probe_timer.timeout.connect(self.probe)
        self.probe_timer.start()
        ctx.data_changed.connect(lambda _t: self.refresh_status())
        QTimer.singleShot(0, self, self.refresh_status)
        QTimer.singleShot(2000, self, self.probe)

    def stop(self) -> None:
        """No more probes, status reads or automatic syncs (the window is closing)."""
        self.stopped = True
        self.probe_timer.stop()

    def resume(self) -> None:
        self.stopped = False
        self.probe_timer.start()

    # -- status ---------------------------------------------------------------------------
    def refresh_status(self) -> None:
        if self.stopped:
            return
        self.ctx.task(lambda _p: read_status(self.ctx), success=self._got_status,
                      failure=lambda _e: None)

    def _got_status(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    # -- automatic sync -------------------------------------------------------------------
    def probe(self) -> None:
        status = self.status
        if self.stopped or status is None or not status.server_url or self.running:
            return
        url = status.server_url
        self.ctx.task(lambda _p: probe.reachable(url), success=self._probed,
                      failure=lambda _e: self._probed(False), network=True)

    def _probed(self, up: bool) -> None:
        came_back = up and self.online is False
        if up != self.online:
            self.online = up
            self.online_changed.emit(up)
        status = self.status
        if not up or not self.auto_sync or status is None or not status.logged_in \
                or self.running:
            return
        now = datetime.now().timestamp()
        due = status.pending > 0 or now - self._last_auto > AUTO_SYNC_EVERY_S
        if came_back or due:
            self._last_auto = now
            self.sync_now(interactive=False)

    # -- manual sync ----------------------------------------------------------------------
    def sync_now(self, interactive: bool = True) -> None:
        if self.running:
            return
        status = self.status
        if status is None or not status.logged_in:
            if interactive and self.login():
                self.sync_now(interactive)
            return
        self.running = True
        self.sync_started.emit()
        self.progress.emit(self.tr("Syncing…"))
        phases = {"push": self.tr("Sending changes"), "pull": self.tr("Receiving changes"),
                  "reconcile": self.tr("Checking")}

        def work(progress):  # noqa: ANN001, ANN202
            return session.run_sync(self.ctx.db, lambda phase, done, total: progress.update(
                done, total or 0, f"{phases.get(phase, phase)} {done}"
                + (f"/{total}" if total else "")))

        self.ctx.task(work, success=self._synced, failure=self._sync_failed, network=True,
                      label=self.tr("Syncing with the server…") if interactive else None,
                      parent=self.window if interactive else None,
                      on_progress=lambda _d, _t, text: self.progress.emit(text))

    def _synced(self, report) -> None:  # noqa: ANN001
        self.running = False
        self.last_report, self.last_error = report, None
        self.online = True
        self.sync_finished.emit(report, None)
        self.ctx.notify("*")  # pulled rows may touch any screen

    def _sync_failed(self, exc: BaseException) -> None:
        self.running = False
        self.last_error = failure_text(exc)
        if isinstance(exc, NetworkDown):
            self.online = False
            self.online_changed.emit(False)
        self.sync_finished.emit(None, failure_text(exc))
        self.refresh_status()

    # -- dialogs --------------------------------------------------------------------------
    def login(self) -> bool:
        from familydoc_desktop.ui.screens.login_dialog import LoginDialog
        dialog = LoginDialog(self.ctx, self.window)
        ok = bool(dialog.exec())
        if ok:
            self.refresh_status()
        return ok

    def acknowledge(self, changes: list) -> None:  # noqa: ANN001
        """The doctor has seen these set-aside changes: no more amber for them."""
        db = self.ctx.db
        def done(_result) -> None:  # noqa: ANN001
            self.acknowledged.emit()
            self.refresh_status()

        self.ctx.task(lambda _p: outcome.acknowledge(db, changes), success=done,
                      failure=lambda _e: self.refresh_status())

    def show_outcome(self) -> None:
        """Open the sync screen, where the set-aside changes are listed."""
        show = getattr(self.window, "show_screen", None)
        if show is not None:
            show("sync")

    def review_conflicts(self) -> None:
        from familydoc_desktop.ui.screens.conflicts_dialog import ConflictsDialog
        ConflictsDialog(self.ctx, self.window).exec()
        self.refresh_status()


def _ago(iso: str | None, never: str) -> str:
    """The last sync time; `never` comes translated by the caller (tr() needs its class's
    context: a bare tr() here is looked up under no context and stays English)."""
    if not iso:
        return never
    try:
        when = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return when.strftime("%Y-%m-%d %H:%M")


class SyncStatusWidget(QWidget):
    """Status bar: online dot, last successful sync, pending changes, open conflicts."""

    def __init__(self, ctx: AppContext, controller: SyncController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.dot = QLabel(self)
        self.dot.setPixmap(icon("offline").pixmap(12, 12))
        self.text = QLabel(self.tr("Not signed in to a sync server"), self)
        self.message = QLabel(self)
        self.message.setObjectName("syncMessage")
        self._result_state = ""
        # Amber, and there until acknowledged on the sync screen: changes a sync set aside.
        self.warning_button = QPushButton(icon("warning"), "", self)
        self.warning_button.setObjectName("syncWarning")
        self.warning_button.setFlat(True)
        self.warning_button.setVisible(False)
        self.warning_button.clicked.connect(controller.show_outcome)
        self.conflicts_button = QPushButton(self)
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setVisible(False)
        self.conflicts_button.clicked.connect(controller.review_conflicts)
        self.sync_button = QPushButton(icon("sync"), self.tr("Sync (F5)"), self)
        self.sync_button.clicked.connect(lambda: controller.sync_now())
        layout.addWidget(self.dot)
        layout.addWidget(self.text)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.warning_button)
        layout.addWidget(self.conflicts_button)
        layout.addWidget(self.sync_button)
        controller.status_changed.connect(self.show_status)
        controller.progress.connect(self.message.setText)
        controller.sync_started.connect(lambda: self.sync_button.setEnabled(False))
        controller.sync_finished.connect(self.show_result)
        controller.online_changed.connect(self.show_online)
        controller.acknowledged.connect(self.acknowledged)

    def show_online(self, up: bool) -> None:
        self.dot.setPixmap(icon("online" if up else "offline").pixmap(12, 12))
        self.dot.setToolTip(self.tr("Server reachable") if up else self.tr("Server not reachable"))

    def show_status(self, st: SyncStatus) -> None:
        if not st.logged_in:
            self.text.setText(self.tr("Not signed in to a sync server · %1 changes waiting")
                              .replace("%1", str(st.pending)))
        else:
            self.text.setText(self.tr("Last sync: %1 · %2 changes waiting")
                              .replace("%1", _ago(st.last_sync, self.tr("never")))
                              .replace("%2", str(st.pending)))
        self.conflicts_button.setText(self.tr("%1 conflicts to review")
                                      .replace("%1", str(st.open_conflicts)))
        self.conflicts_button.setVisible(st.open_conflicts > 0)
        n = len(st.unseen)
        self.warning_button.setText(self.tr("%1 changes not synced: see Sync").replace(
            "%1", str(n)))
        self.warning_button.setToolTip("\n".join(
            f"{c.record_zh}：{c.reason}" for c in st.unseen[:10]))
        self.warning_button.setVisible(n > 0)
        self._show_state()

    def acknowledged(self) -> None:
        """The set-aside changes were seen: the last result is no longer a warning."""
        if self._result_state == "warning":
            self._result_state = "ok"
        self._show_state()

    def _set_state(self, state: str) -> None:
        self._result_state = state
        self._show_state()

    def _show_state(self) -> None:
        """ok (green), warning (amber: also while set-aside changes are unseen), failed
        (red) or "" (nothing said yet)."""
        status = self.controller.status
        state = "warning" if status is not None and status.unseen else self._result_state
        self.setProperty("state", state)
        self.message.setProperty("state", state)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def show_result(self, report, error) -> None:  # noqa: ANN001
        self.sync_button.setEnabled(True)
        if error:
            self.message.setText(self.tr("Sync failed: %1").replace("%1", error))
            self._set_state("failed")
        elif report.refused or report.set_aside or report.warnings:
            # Never a plain "synced" when something was set aside.
            self.message.setText(self.tr("Synced with problems: %1 sent, %2 received, "
                                         "%3 changes set aside")
                                 .replace("%1", str(report.pushed))
                                 .replace("%2", str(report.pulled))
                                 .replace("%3", str(report.refused + report.set_aside)))
            self._set_state("warning")
        else:
            self.message.setText(self.tr("Synced: %1 sent, %2 received")
                                 .replace("%1", str(report.pushed))
                                 .replace("%2", str(report.pulled)))
            self._set_state("ok")
        self.controller.refresh_status()


class SyncScreen(QWidget):
    """The sync page: account, server, figures of the last sync, and the actions."""

    def __init__(self, ctx: AppContext, controller: SyncController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel(self.tr("Sync"), self)
        title.setObjectName("heading")
        layout.addWidget(title)
        form = QFormLayout()
        self.server_label = QLabel(self)
        self.user_label = QLabel(self)
        self.last_label = QLabel(self)
        self.pending_label = QLabel(self)
        self.conflicts_label = QLabel(self)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("syncResult")
        self.result_label.setWordWrap(True)
        self._shown_result = False
        form.addRow(self.tr("Server"), self.server_label)
        form.addRow(self.tr("Account"), self.user_label)
        form.addRow(self.tr("Last successful sync"), self.last_label)
        form.addRow(self.tr("Changes waiting"), self.pending_label)
        form.addRow(self.tr("Open conflicts"), self.conflicts_label)
        form.addRow(self.tr("Last result"), self.result_label)
        layout.addLayout(form)
        layout.addWidget(self._set_aside_box())
        buttons = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("Sync now (F5)"), self)
        self.sync_button.clicked.connect(lambda: controller.sync_now())
        self.login_button = QPushButton(self.tr("Sign in…"), self)
        self.login_button.clicked.connect(controller.login)
        self.conflicts_button = QPushButton(self.tr("Review conflicts…"), self)
        self.conflicts_button.clicked.connect(controller.review_conflicts)
        for b in (self.sync_button, self.login_button, self.conflicts_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        hint = QLabel(self.tr("Work is saved on this PC first. When the server can be reached, "
                              "changes are sent automatically; F5 syncs at once."), self)
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        usb = QGroupBox(self.tr("USB transfer (no network)"), self)
        usb_layout = QVBoxLayout(usb)
        usb_buttons = QHBoxLayout()
        self.usb_export_button = QPushButton(self.tr("Write changes for the server…"), usb)
        self.usb_export_button.clicked.connect(lambda: self.export_usb())
        self.usb_import_button = QPushButton(self.tr("Read the server's file…"), usb)
        self.usb_import_button.clicked.connect(lambda: self.import_usb())
        usb_buttons.addWidget(self.usb_export_button)
        usb_buttons.addWidget(self.usb_import_button)
        usb_buttons.addStretch(1)
        usb_layout.addLayout(usb_buttons)
        self.usb_label = QLabel(self.tr("With no line: write this PC's changes to a USB stick "
                                        "for the township, and read the file the township "
                                        "writes back. Only the server can read what you "
                                        "write; a changed or foreign file is refused. Sign in "
                                        "once over the network first."), usb)
        self.usb_label.setWordWrap(True)
        usb_layout.addWidget(self.usb_label)
        layout.addWidget(usb)
        layout.addStretch(1)
        controller.status_changed.connect(self.show_status)
        controller.sync_finished.connect(self.show_result)
        if controller.status is not None:
            self.show_status(controller.status)

    def _set_aside_box(self) -> QGroupBox:
        """Amber: the changes a sync set aside, each with its reason, until acknowledged."""
        box = QGroupBox(self.tr("Changes that were not synced"), self)
        box.setObjectName("setAside")
        box_layout = QVBoxLayout(box)
        self.set_aside_note = QLabel(box)
        self.set_aside_note.setObjectName("setAsideNote")
        self.set_aside_note.setWordWrap(True)
        box_layout.addWidget(self.set_aside_note)
        self.set_aside_model = RowsTableModel([
            Column(self.tr("When"), lambda c: _ago(c.at, "")),
            Column(self.tr("What happened"), lambda c: c.direction_zh),
            Column(self.tr("Record"), lambda c: c.record_zh),
            Column(self.tr("Reason"), lambda c: c.reason),
        ], box)
        self.set_aside_view = table_view(box)
        self.set_aside_view.setModel(self.set_aside_model)
        self.set_aside_view.setMinimumHeight(120)
        fit_columns(self.set_aside_view, (130, 150, 180))
        box_layout.addWidget(self.set_aside_view)
        row = QHBoxLayout()
        row.addStretch(1)
        self.acknowledge_button = QPushButton(self.tr("I have seen these"), box)
        self.acknowledge_button.clicked.connect(self.acknowledge)
        row.addWidget(self.acknowledge_button)
        box_layout.addLayout(row)
        box.setVisible(False)
        self.set_aside_box = box
        return box

    def acknowledge(self) -> None:
        self.acknowledge_button.setEnabled(False)
        self.controller.acknowledge(list(self.set_aside_model.rows))

    def activate(self) -> None:
        self.controller.refresh_status()

    # -- USB transfer ---------------------------------------------------------------------
    def export_usb(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Write changes for the server"), "familydoc.fdbundle",
                self.tr("FamilyDoc USB file (*.fdbundle)"))
            if not path:
                return
        from familydoc_desktop.sync import usb

        db = self.ctx.db
        self.usb_export_button.setEnabled(False)
        self.ctx.task(lambda _p: usb.export_bundle(db, path), success=self._usb_written,
                      failure=self._usb_failed, label=self.tr("Writing the USB file…"),
                      parent=self)

    def import_usb(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Read the server's file"), "",
                self.tr("FamilyDoc USB file (*.fdbundle);;All files (*)"))
            if not path:
                return
        from familydoc_desktop.sync import usb

        db = self.ctx.db
        self.usb_import_button.setEnabled(False)
        self.ctx.task(lambda _p: usb.import_bundle(db, path), success=self._usb_read,
                      failure=self._usb_failed, label=self.tr("Reading the USB file…"),
                      parent=self)

    def _usb_written(self, info: dict) -> None:
        self.usb_export_button.setEnabled(True)
        self.usb_label.setText(self.tr("%1 changes written to %2. Hand it to the township; "
                                       "they stay waiting until the server's answer is read.")
                               .replace("%1", str(info["mutations"]))
                               .replace("%2", info["output"]))

    def _usb_read(self, info: dict) -> None:
        self.usb_import_button.setEnabled(True)
        self.usb_label.setText(self.tr("%1 records received, %2 of your changes confirmed, "
                                       "%3 still waiting.")
                               .replace("%1", str(info["rows"]))
                               .replace("%2", str(info["acknowledged"]))
                               .replace("%3", str(info["pending"])))
        self.ctx.notify("*")
        self.controller.refresh_status()

    def _usb_failed(self, exc: Exception) -> None:
        self.usb_export_button.setEnabled(True)
        self.usb_import_button.setEnabled(True)
        self.usb_label.setText(failure_text(exc))

    def show_status(self, st: SyncStatus) -> None:
        self.server_label.setText(st.server_url or self.tr("(not set)"))
        self.user_label.setText((st.username or "") + ("" if st.logged_in
                                                       else self.tr(" (signed out)")))
        self.last_label.setText(_ago(st.last_sync, self.tr("never")))
        self.pending_label.setText(str(st.pending))
        self.conflicts_label.setText(str(st.open_conflicts))
        if not self._shown_result and st.last_report:  # the last sync, also after a restart
            self._show_report(st.last_report.get("pushed", 0), st.last_report.get("pulled", 0),
                              st.last_report.get("conflicts", 0),
                              st.last_report.get("seconds", 0.0),
                              st.last_report.get("warnings") or [])
        self.set_aside_model.set_rows(st.unseen)
        self.set_aside_note.setText(self.tr(
            "%1 changes were set aside by the sync and are kept on this PC. Edits the server "
            "refused were not uploaded (often: the resident now belongs to another clinic); "
            "records the server sent that this PC could not store were kept apart. Tell the "
            "township if they matter, then confirm you have seen them.")
            .replace("%1", str(len(st.unseen))))
        self.set_aside_box.setVisible(bool(st.unseen))
        self.acknowledge_button.setEnabled(True)

    def show_result(self, report, error) -> None:  # noqa: ANN001
        self._shown_result = True
        if error:
            self.result_label.setText(error)
            self._set_result_state("failed")
            return
        self._show_report(report.pushed, report.pulled, report.conflicts, report.seconds,
                          report.warnings)

    def _show_report(self, pushed, pulled, conflicts_, seconds, warnings) -> None:  # noqa: ANN001
        text = self.tr("%1 sent, %2 received, %3 conflicts, %4 s").replace(
            "%1", str(pushed)).replace("%2", str(pulled)).replace(
            "%3", str(conflicts_)).replace("%4", f"{float(seconds):.1f}")
        if warnings:
            text += "\n" + "\n".join("⚠ " + w for w in warnings)
        self.result_label.setText(text)
        self._set_result_state("warning" if warnings else "ok")

    def _set_result_state(self, state: str) -> None:
        self.result_label.setProperty("state", state)
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
