"""统计报表: the indicators a township reports, for a period and a report date, in total and
per village, team or doctor. Worked out by the task runner (a few seconds on a township),
shown as a table with the indicators down and the groups across, exported to Excel."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.indicators import INDICATORS
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import date_edit, from_qdate
from familydoc_desktop.ui.taskman import failure_text


class ReportsScreen(QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.report = None
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        title = QLabel(self.tr("Indicators"), self)
        title.setObjectName("heading")
        today = date.today()
        self.start_edit = date_edit(date(today.year, 1, 1), self)
        self.end_edit = date_edit(today, self)
        self.on_edit = date_edit(today, self)
        for edit in (self.start_edit, self.end_edit, self.on_edit):
            edit.setMaximumDate(edit.date().currentDate())
        self.by_combo = QComboBox(self)
        for text, key in ((self.tr("Total only"), None), (self.tr("By village"), "village"),
                          (self.tr("By team"), "team"), (self.tr("By doctor"), "doctor")):
            self.by_combo.addItem(text, key)
        from familydoc_desktop.store import orgs
        with ctx.session() as s:  # a township sees its villages side by side
            if len(orgs.clinics_in_scope(s)) > 1:
                self.by_combo.setCurrentIndex(self.by_combo.findData("village"))
        self.run_button = QPushButton(self.tr("Calculate"), self)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.export_button = QPushButton(self.tr("Export to Excel…"), self)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        bar.addWidget(title)
        bar.addSpacing(12)
        for text, widget in ((self.tr("Period"), self.start_edit), ("—", self.end_edit),
                             (self.tr("as of"), self.on_edit)):
            bar.addWidget(QLabel(text, self))
            bar.addWidget(widget)
        bar.addWidget(self.by_combo)
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        ctx.data_changed.connect(self._on_data_changed)

    def activate(self) -> None:
        if self._stale:
            self.run()

    def _on_data_changed(self, _table: str) -> None:
        self._stale = True

    def period(self) -> tuple[date, date, date]:
        return (from_qdate(self.start_edit.date()), from_qdate(self.end_edit.date()),
                from_qdate(self.on_edit.date()))

    def run(self) -> None:
        from familydoc_desktop.store.report import township_report

        self._stale = False
        start, end, on = self.period()
        by = self.by_combo.currentData()

        def work(progress):  # noqa: ANN001, ANN202
            def step(done: int, total: int) -> None:
                progress.check()
                progress(done, total)
            with self.ctx.db.session() as s:
                return township_report(s, on=on, start=start, end=end, by=by, progress=step)

        self.run_button.setEnabled(False)
        self.status.setText(self.tr("Calculating…"))
        self.ctx.task(work, success=self._shown, failure=self._failed,
                      label=self.tr("Calculating the indicators…"), parent=self)

    def _failed(self, exc: Exception) -> None:
        self.run_button.setEnabled(True)
        self.status.setText(failure_text(exc))

    def _shown(self, report) -> None:  # noqa: ANN001
        from familydoc_desktop.store.exporter import report_table

        self.run_button.setEnabled(True)
        self.report = report
        _title, head, *body = report_table(report)
        self.table.clear()
        self.table.setColumnCount(len(head))
        self.table.setRowCount(len(body))
        self.table.setHorizontalHeaderLabels([self.tr("Indicator"), self.tr("Unit"), *head[2:]])
        for r, row in enumerate(body):
            rate = INDICATORS[r].numerator is not None
            ind = INDICATORS[r]
            row = [labels.indicator_label(ind.code, ind.name_zh), labels.unit_label(ind.unit),
                   *row[2:]]  # the names in the UI language (the export stays Chinese)
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if rate:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in range(1, len(head)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.export_button.setEnabled(True)
        self.status.setText(
            self.tr("Period %1 to %2, as of %3. Rates in bold; — where nobody was counted.")
            .replace("%1", report.start.isoformat()).replace("%2", report.end.isoformat())
            .replace("%3", report.on.isoformat()))

    def value(self, code: str, column: int = 0):  # noqa: ANN201
        """The shown value of an indicator (column 0 = the total), for tests and scripts."""
        row = [i.code for i in INDICATORS].index(code)
        return self.table.item(row, 2 + column).text()

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export indicators"), f"统计报表-{date.today().isoformat()}.xlsx",
            "Excel (*.xlsx)")
        if path:
            self.export_to(path)

    def export_to(self, path: str, on_done=None) -> None:  # noqa: ANN001
        from familydoc_desktop.store import exporter

        report = self.report
        if report is None:
            return

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                return exporter.export_report(s, report, path, actor=self.ctx.actor)

        def done(result) -> None:  # noqa: ANN001
            self.status.setText(self.tr("Exported to %1").replace("%1", str(path)))
            if on_done:
                on_done(result)

        self.ctx.task(work, success=done, failure=lambda e: self.status.setText(failure_text(e)),
                      label=self.tr("Exporting the indicators…"), parent=self)
