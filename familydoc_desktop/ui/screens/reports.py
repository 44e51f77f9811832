"""统计报表: the indicators a township reports, for a period and a report date, in total and
per village, team or doctor. Worked out by the task runner (a few seconds on a township),
shown as a table with the indicators down and the groups across, exported to Excel.

Targets (the regional targets rule set, store/targets.py) are shown beside the indicators
that have one, and a rate below its target is marked red. The charts tab draws what a person
would rather look at than read: coverage per group against the target, the ledger colours,
the 80+ annual visit completion."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QScrollArea, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.indicators import BY_CODE, INDICATORS
from familydoc_desktop.domain.targets import below_target
from familydoc_desktop.ui.widgets.bar_chart import BarChart, Series
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import date_edit, from_qdate
from familydoc_desktop.ui.taskman import failure_text


LOCAL, SERVER = "local", "server"
BELOW_TARGET_COLOUR = "#C0392B"
BELOW_TARGET_ROLE = Qt.ItemDataRole.UserRole + 5
COVERAGE_COLOUR = "#3A7BD5"
VISIT_COLOUR = "#2A9D8F"
LEDGER_COLOURS = {"ledger_red": "#D9534F", "ledger_yellow": "#F0AD4E", "ledger_green": "#5CB85C"}


class ReportCharts(QScrollArea):
    """The charts of a report: one bar per group (village, team or doctor; the total alone
    when the report has no groups)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(8, 8, 8, 8)
        self.coverage = BarChart(inner)
        self.ledger = BarChart(inner)
        self.visits = BarChart(inner)
        for chart in (self.coverage, self.ledger, self.visits):
            chart.setObjectName("chart")
            layout.addWidget(chart)
        layout.addStretch(1)
        self.setWidget(inner)

    def show_report(self, report, targets: dict[str, float]) -> None:  # noqa: ANN001
        rows = report.rows[1:] if report.by is not None and len(report.rows) > 1 else report.rows[:1]
        names = [r.label for r in rows]
        values = [r.values for r in rows]

        def target_words(code: str) -> str:
            t = targets.get(code)
            return "" if t is None else self.tr("Target %1%").replace("%1", f"{t:g}")

        by = {"village": self.tr("by village"), "clinic": self.tr("by village"),
              "team": self.tr("by team"),
              "doctor": self.tr("by doctor")}.get(report.by or "", self.tr("total"))
        self.coverage.set_data(
            self.tr("Signing rate (coverage), %1").replace("%1", by), names,
            [Series(labels.indicator_label("coverage", "签约率"), COVERAGE_COLOUR,
                    [v["coverage"] for v in values])],
            target=targets.get("coverage"), target_label=target_words("coverage"))
        self.ledger.set_data(
            self.tr("Red-yellow-green ledger (persons), %1").replace("%1", by), names,
            [Series(labels.indicator_label(code, BY_CODE[code].name_zh), colour,
                    [v[code] for v in values])
             for code, colour in LEDGER_COLOURS.items()],
            stacked=True, percent=False)
        self.visits.set_data(
            self.tr("80+ annual visit completion, %1").replace("%1", by), names,
            [Series(labels.indicator_label("aged_80_visit_rate", "80岁以上老人年度访视完成率"),
                    VISIT_COLOUR, [v["aged_80_visit_rate"] for v in values])],
            target=targets.get("aged_80_visit_rate"),
            target_label=target_words("aged_80_visit_rate"))


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
        # Township and county accounts may ask the sync server instead: no resident's personal
        # data is needed on this PC (sync/indicators.py, GET /api/v1/reports/indicators).
        self.source_combo = QComboBox(self)
        self.source_combo.addItem(self.tr("This PC's data"), LOCAL)
        self.source_combo.addItem(self.tr("From the server"), SERVER)
        self.source_combo.setVisible(False)
        self._server_option = False
        self.shown_source = LOCAL  # where the figures on screen came from
        self._asked = LOCAL
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
        bar.addWidget(self.source_combo)
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.tabs = QTabWidget(self)
        self.table = QTableWidget(self.tabs)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.tabs.addTab(self.table, self.tr("Table"))
        self.charts = ReportCharts(self.tabs)
        self.tabs.addTab(self.charts, self.tr("Charts"))
        layout.addWidget(self.tabs, 1)
        self.targets: dict[str, float] = {}
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        ctx.data_changed.connect(self._on_data_changed)

    def activate(self) -> None:
        if self._stale:
            self.run()

    def set_server_option(self, shown: bool) -> None:
        """The "from the server" choice, for township and county accounts (main window)."""
        self._server_option = shown
        self.source_combo.setVisible(shown)
        if not shown:
            self.source_combo.setCurrentIndex(self.source_combo.findData(LOCAL))

    def source(self) -> str:
        if self._server_option and self.source_combo.currentData() == SERVER:
            return SERVER
        return LOCAL

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
            from familydoc_desktop.store import targets

            def step(done: int, total: int) -> None:
                progress.check()
                progress(done, total)
            with self.ctx.db.session() as s:
                report = township_report(s, on=on, start=start, end=end, by=by, progress=step)
                return report, targets.targets_on(s, on)

        self.run_button.setEnabled(False)
        self._asked = self.source()
        if self._asked == SERVER:
            self._run_on_server(on, start, end, by)
            return
        self.status.setText(self.tr("Calculating…"))
        self.ctx.task(work, success=self._shown, failure=self._failed,
                      label=self.tr("Calculating the indicators…"), parent=self)

    def _run_on_server(self, on: date, start: date, end: date, by: str | None) -> None:
        from familydoc_desktop.store import targets
        from familydoc_desktop.sync.indicators import server_report

        with self.ctx.session() as s:  # a setting and a shipped JSON file: quick
            wanted = targets.targets_on(s, on)
        db = self.ctx.db

        def work(_p):  # noqa: ANN001, ANN202
            return server_report(db, on=on, start=start, end=end, by=by), wanted

        self.status.setText(self.tr("Asking the sync server…"))
        self.ctx.task(work, success=self._shown, failure=self._failed, network=True,
                      label=self.tr("Fetching the indicators from the server…"), parent=self)

    def _failed(self, exc: Exception) -> None:
        from familydoc_desktop.sync.http import NetworkDown

        self.run_button.setEnabled(True)
        if isinstance(exc, NetworkDown):
            self.status.setText(self.tr("Cannot reach the sync server. Check this PC's network "
                                        "connection, or calculate from this PC's data."))
            return
        self.status.setText(failure_text(exc))

    def _shown(self, result) -> None:  # noqa: ANN001
        from familydoc_desktop.store.exporter import report_table

        report, self.targets = result
        self.shown_source = self._asked
        self.run_button.setEnabled(True)
        self.report = report
        _title, head, *body = report_table(report)
        self.table.clear()
        self.table.setColumnCount(len(head) + 1)
        self.table.setRowCount(len(body))
        self.table.setHorizontalHeaderLabels([self.tr("Indicator"), self.tr("Unit"),
                                              self.tr("Target"), *head[2:]])
        missed = 0
        for r, row in enumerate(body):
            ind = INDICATORS[r]
            rate = ind.numerator is not None
            target = self.targets.get(ind.code)
            values = [report.rows[g].values.get(ind.code) for g in range(len(report.rows))]
            row = [labels.indicator_label(ind.code, ind.name_zh), labels.unit_label(ind.unit),
                   "" if target is None else f"≥{target:g}",
                   *row[2:]]  # the names in the UI language (the export stays Chinese)
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if rate:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if c >= self.FIRST_VALUE and below_target(values[c - self.FIRST_VALUE], target):
                    item.setForeground(QBrush(QColor(BELOW_TARGET_COLOUR)))
                    item.setData(BELOW_TARGET_ROLE, True)
                    item.setToolTip(self.tr("Below the target of %1%")
                                    .replace("%1", f"{target:g}"))
                    missed += c == self.FIRST_VALUE
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in range(1, len(head) + 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.export_button.setEnabled(True)
        self.charts.show_report(report, self.targets)
        text = self.tr("Period %1 to %2, as of %3. Rates in bold; — where nobody was counted.") \
            .replace("%1", report.start.isoformat()).replace("%2", report.end.isoformat()) \
            .replace("%3", report.on.isoformat())
        if self.targets:
            text += " " + self.tr("Red: below the target (%1 of the totals).") \
                .replace("%1", str(missed))
        if self.shown_source == SERVER:
            text += " " + self.tr("Figures computed by the sync server.")
        self.status.setText(text)

    FIRST_VALUE = 3  # indicator, unit, target, then the total and the groups

    def value(self, code: str, column: int = 0):  # noqa: ANN201
        """The shown value of an indicator (column 0 = the total), for tests and scripts."""
        return self.cell(code, column).text()

    def cell(self, code: str, column: int = 0) -> QTableWidgetItem:
        row = [i.code for i in INDICATORS].index(code)
        return self.table.item(row, self.FIRST_VALUE + column)

    def is_below_target(self, code: str, column: int = 0) -> bool:
        return bool(self.cell(code, column).data(BELOW_TARGET_ROLE))

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
