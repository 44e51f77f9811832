"""Conflicts to review: a field changed on this PC and elsewhere. Both values are shown
with who wrote them and when; one click keeps one of them. Decided offline, the choice is
queued and sent on the next sync."""
from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.sync import conflicts, session
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import Column, RowsTableModel
from familydoc_desktop.ui.widgets.common import fit_columns, table_view
from familydoc_desktop.ui.taskman import failure_text

TABLE_ZH = {"resident": "居民", "contract": "签约", "household": "家庭", "diagnosis": "诊断",
            "sickbed": "家庭病床", "referral": "转诊", "population_membership": "重点人群"}
FIELD_ZH = {"name": "姓名", "sex": "性别", "id_number": "身份证号", "birth_date": "出生日期",
            "household_id": "家庭", "died_on": "死亡日期", "status": "状态",
            "end_date": "结束日期", "start_date": "开始日期", "phone": "电话",
            "address": "住址", "__deleted__": "删除"}


def _value(v) -> str:  # noqa: ANN001
    if v is None:
        return "（空）"
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


class ConflictsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Conflicts to review"))
        self.resize(1000, 480)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The same field was changed on this PC and on another device. "
                               "Choose which value to keep; the other one stays in the "
                               "history."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = RowsTableModel([
            Column(self.tr("Record"), lambda c: TABLE_ZH.get(c.table, c.table)),
            Column(self.tr("Field"), lambda c: FIELD_ZH.get(c.field, c.field)),
            Column(self.tr("This PC"), lambda c: _value(c.local_value), colour=lambda _c: "#1565c0"),
            Column(self.tr("By / when"), lambda c: f"{c.local_author or ''} {c.local_at or ''}"),
            Column(self.tr("Server"), lambda c: _value(c.server_value), colour=lambda _c: "#6a1b9a"),
            Column(self.tr("By / when "), lambda c: f"{c.server_author or ''} {c.server_at or ''}"),
        ], self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        fit_columns(self.view, (70, 80, 180, 200, 180))
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.keep_local = QPushButton(self.tr("Keep this PC's value"), self)
        self.keep_local.clicked.connect(lambda: self.resolve_selected("local"))
        self.keep_server = QPushButton(self.tr("Keep the server's value"), self)
        self.keep_server.clicked.connect(lambda: self.resolve_selected("server"))
        self.status = QLabel(self)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.accept)
        buttons.addWidget(self.keep_local)
        buttons.addWidget(self.keep_server)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.busy = False
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(conflicts.list_conflicts(self.ctx.db, "open"))
        if self.model.rowCount():
            self.view.selectRow(0)
        enabled = self.model.rowCount() > 0
        self.keep_local.setEnabled(enabled)
        self.keep_server.setEnabled(enabled)
        if not enabled:
            self.status.setText(self.tr("No conflicts to review."))

    def resolve_selected(self, keep: str) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None or self.busy:
            return
        self.busy = True

        def work(_progress):  # noqa: ANN001, ANN202
            client = session.make_client(self.ctx.db)
            try:
                return conflicts.resolve(self.ctx.db, row.id, keep, client=client)
            finally:
                if client is not None:
                    client.close()

        self.ctx.task(work, success=self._resolved, failure=self._failed, network=True)

    def _resolved(self, how: str) -> None:
        self.busy = False
        self.status.setText(self.tr("Resolved.") if how == "sent" else
                            self.tr("Decision saved; it is sent on the next sync."))
        self.ctx.notify("*")
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.status.setText(failure_text(exc))
