"""审计日志: who viewed, revealed, printed or exported whose data, newest first, filtered by
resident and days. "This PC" reads the local log; "Server (my clinics)" asks the sync server,
where a township sees the entries of all its clinics (GET /api/v1/audit, scoped there)."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import date_edit, from_qdate

NOT_FOUND = "找不到该居民（请输入身份证号或居民ID）"


class AuditScreen(QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.rows: list[dict] = []
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        title = QLabel(self.tr("Audit log"), self)
        title.setObjectName("heading")
        today = date.today()
        self.source_combo = QComboBox(self)
        self.source_combo.addItem(self.tr("This PC"), "local")
        self.source_combo.addItem(self.tr("Server (my clinics)"), "server")
        self.resident_edit = QLineEdit(self)
        self.resident_edit.setPlaceholderText(self.tr("Resident: ID number (empty: everyone)"))
        self.resident_edit.setMinimumWidth(220)
        self.start_edit = date_edit(today - timedelta(days=30), self)
        self.end_edit = date_edit(today, self)
        self.load_button = QPushButton(self.tr("Show"), self)
        self.load_button.setDefault(True)
        self.load_button.clicked.connect(self.load)
        self.resident_edit.returnPressed.connect(self.load)
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(self.source_combo)
        bar.addWidget(self.resident_edit)
        for text, widget in ((self.tr("From"), self.start_edit), ("—", self.end_edit)):
            bar.addWidget(QLabel(text, self))
            bar.addWidget(widget)
        bar.addWidget(self.load_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setColumnCount(5)
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Account"),
                                              self.tr("Action"), self.tr("Whose data"),
                                              self.tr("Detail")])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        ctx.data_changed.connect(self._on_data_changed)

    def action_label(self, action: str) -> str:
        labels = {"view": self.tr("Viewed"), "view_unmasked": self.tr("Viewed (unmasked)"),
                  "reveal": self.tr("Revealed full ID/phone"),
                  "reveal_list": self.tr("Revealed in the list"), "print": self.tr("Printed"),
                  "export": self.tr("Exported"), "export_item": self.tr("In an export"),
                  "create": self.tr("Created"), "update": self.tr("Changed"),
                  "delete": self.tr("Deleted"), "merge": self.tr("Merged duplicates")}
        return labels.get(action, action)

    def activate(self) -> None:
        if self._stale:
            self.load()

    def _on_data_changed(self, _table: str) -> None:
        self._stale = True

    def load(self) -> None:
        from familydoc_desktop.store import audit, residents
        from familydoc_desktop.store.errors import StoreError

        self._stale = False
        source = self.source_combo.currentData()
        start, end = from_qdate(self.start_edit.date()), from_qdate(self.end_edit.date())
        wanted = self.resident_edit.text().strip()
        db = self.ctx.db

        def work(_progress):  # noqa: ANN001, ANN202
            record_id = None
            if wanted:
                with db.session() as s:
                    r = residents.get_resident(s, wanted) or residents.find_by_id_number(
                        s, wanted)
                record_id = r.id if r is not None else wanted if source == "server" else None
                if record_id is None:
                    raise StoreError(NOT_FOUND)
            if source == "server":
                from familydoc_desktop.sync.audit_remote import server_entries
                return server_entries(db, resident=record_id, start=start, end=end)
            with db.session() as s:
                return audit.readable(s, record_id=record_id, start=start, end=end)

        self.load_button.setEnabled(False)
        self.status.setText(self.tr("Loading…"))
        self.ctx.task(work, success=self._shown, failure=self._failed,
                      label=self.tr("Reading the audit log…"), parent=self,
                      network=source == "server")

    def _failed(self, exc: Exception) -> None:
        self.load_button.setEnabled(True)
        self.status.setText(failure_text(exc))

    def _shown(self, rows: list[dict]) -> None:
        self.load_button.setEnabled(True)
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, e in enumerate(rows):
            whose = e["resident"] or (e["record_id"] or "")
            for c, value in enumerate((e["at"].strftime("%Y-%m-%d %H:%M:%S"), e["actor"],
                                       self.action_label(e["action"]), whose,
                                       e["detail"] or "")):
                self.table.setItem(i, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.status.setText(self.tr("%n entries (newest first)", "", len(rows)))
