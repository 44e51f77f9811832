"""Import and export of rosters: an xlsx/csv roster is imported on the DB worker with a
progress dialog; rows that could not be taken are listed with their reasons in a table (and
can be saved for correction). Residents and the ledger export to xlsx/csv."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import Column, RowsTableModel
from familydoc_desktop.ui.widgets.common import table_view
from familydoc_desktop.ui.taskman import failure_text


class ImportExportScreen(QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.result = None
        self.roster_path = None  # the error report is never saved over it
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel(self.tr("Import and export"), self)
        title.setObjectName("heading")
        layout.addWidget(title)

        box = QGroupBox(self.tr("Import a resident roster (xlsx or csv)"), self)
        blayout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.import_button = QPushButton(self.tr("Choose file and import…"), box)
        self.import_button.clicked.connect(self.start_import)
        self.summary = QLabel(box)
        self.summary.setWordWrap(True)
        row.addWidget(self.import_button)
        row.addWidget(self.summary, 1)
        blayout.addLayout(row)
        self.sheets_label = QLabel(box)  # the counts per sheet, and the sheets left out
        self.sheets_label.setWordWrap(True)
        blayout.addWidget(self.sheets_label)
        rejected, skipped = self.tr("Not imported"), self.tr("Skipped")
        # Rows not imported (with their reasons) and rows skipped as not residents (合计,
        # 制表人...), in sheet and row order: nothing left out without a word.
        self.rejected_model = RowsTableModel([
            Column(self.tr("Sheet"), lambda r: r.sheet),
            Column(self.tr("Row"), lambda r: r.row, align_right=True),
            Column(self.tr("Name"), lambda r: r.name or ""),
            Column(self.tr("Result"), lambda r: rejected if r.kind == "rejected" else skipped),
            Column(self.tr("Problems"), lambda r: r.why if r.kind == "rejected" or not r.text
                   else f"{r.why}：{r.text}"),
        ], self)
        self.rejected_view = table_view(box)
        self.rejected_view.setModel(self.rejected_model)
        self.rejected_view.setColumnWidth(0, 90)
        self.rejected_view.setColumnWidth(1, 60)
        self.rejected_view.setColumnWidth(2, 100)
        self.rejected_view.setColumnWidth(3, 70)
        blayout.addWidget(self.rejected_view, 1)
        self.save_report_button = QPushButton(self.tr("Save error report…"), box)
        self.save_report_button.setEnabled(False)
        self.save_report_button.clicked.connect(self.save_report)
        blayout.addWidget(self.save_report_button)
        layout.addWidget(box, 1)

        ebox = QGroupBox(self.tr("Export"), self)
        elayout = QHBoxLayout(ebox)
        self.format_combo = QComboBox(ebox)
        self.format_combo.addItem("Excel (.xlsx)", "xlsx")
        self.format_combo.addItem("CSV (.csv)", "csv")
        self.export_residents_button = QPushButton(self.tr("Export residents…"), ebox)
        self.export_residents_button.clicked.connect(self.export_residents)
        self.export_ledger_button = QPushButton(self.tr("Export ledger…"), ebox)
        self.export_ledger_button.clicked.connect(self.export_ledger)
        self.export_status = QLabel(ebox)
        elayout.addWidget(self.format_combo)
        elayout.addWidget(self.export_residents_button)
        elayout.addWidget(self.export_ledger_button)
        elayout.addWidget(self.export_status, 1)
        layout.addWidget(ebox)
        note = QLabel(self.tr("Exports contain personal information: keep the files safe. "
                              "Every export is recorded in the access log."), self)
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout.addWidget(note)

    # -- import ---------------------------------------------------------------------------
    def start_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import roster"), "",
                                              self.tr("Rosters (*.xlsx *.csv)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str, on_done=None):  # noqa: ANN001, ANN201
        from familydoc_desktop.store import importer
        self.import_button.setEnabled(False)
        self.summary.setText(self.tr("Importing…"))

        def work(progress):  # noqa: ANN001, ANN202
            def report(done: int, total: int) -> None:
                progress.check()  # Cancel stops between rows
                progress.update(done, total, self.tr("Importing rows: %1 / %2")
                                .replace("%1", str(done)).replace("%2", str(total)))
            return importer.import_roster(self.ctx.db, path, progress=report)

        def done(result) -> None:  # noqa: ANN001
            self.roster_path = path  # the file self.result came from
            self._imported(result)
            if on_done:
                on_done(result)

        return self.ctx.task(work, success=done, failure=self._import_failed,
                             label=self.tr("Importing roster…"), parent=self)

    def _imported(self, result) -> None:  # noqa: ANN001
        self.import_button.setEnabled(True)
        self.result = result
        order = {c.name: i for i, c in enumerate(result.sheets)}
        self.rejected_model.set_rows(sorted([*result.rejected, *result.skipped],
                                            key=lambda r: (order.get(r.sheet, 0), r.row)))
        self.save_report_button.setEnabled(bool(result.rejected or result.skipped))
        text = (self.tr("%1 created, %2 updated, %3 unchanged, %4 rejected")
                .replace("%1", str(result.created)).replace("%2", str(result.updated))
                .replace("%3", str(result.unchanged)).replace("%4", str(len(result.rejected))))
        if result.skipped:
            text += self.tr("; %1 rows skipped (not residents: totals, signatures, notes)") \
                .replace("%1", str(len(result.skipped)))
        self.sheets_label.setText(self._sheets_text(result))
        if result.id_filled:
            text += self.tr("; %1 residents registered without an ID number got it from "
                            "this file").replace("%1", str(result.id_filled))
        if result.flagged_no_id:
            text += self.tr("; %1 rows have no ID number and are marked for checking") \
                .replace("%1", str(result.flagged_no_id))
        self.summary.setText(text)
        self.ctx.notify("*")

    def _sheets_text(self, result) -> str:  # noqa: ANN001
        lines = []
        if len(result.sheets) > 1 or result.skipped_sheets:
            for c in result.sheets:
                lines.append(self.tr("Sheet “%1”: %2 created, %3 updated, %4 unchanged, "
                                     "%5 rejected, %6 skipped")
                             .replace("%1", c.name).replace("%2", str(c.created))
                             .replace("%3", str(c.updated)).replace("%4", str(c.unchanged))
                             .replace("%5", str(c.rejected)).replace("%6", str(c.skipped)))
        for s in result.skipped_sheets:
            lines.append(self.tr("Sheet “%1” not imported: %2").replace("%1", s.name)
                         .replace("%2", s.reason))
        return "\n".join(lines)

    def _import_failed(self, exc: BaseException) -> None:
        from familydoc_desktop.ui.taskman import Cancelled
        self.import_button.setEnabled(True)
        # The importer writes the whole file in one transaction: a cancel or a failure
        # leaves the database exactly as it was, and the user is told so.
        self.summary.setText(
            self.tr("Import cancelled: nothing was changed.") if isinstance(exc, Cancelled)
            else self.tr("Import failed, nothing was changed: %1").replace("%1", failure_text(exc)))

    def save_report(self) -> None:
        from familydoc_desktop.store import importer
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save error report"),
                                              "导入错误报告.xlsx", "Excel (*.xlsx)")
        if path and self.result is not None:
            try:
                importer.write_error_report(self.result, path, roster=self.roster_path)
            except importer.ImportFileError as exc:  # chosen the roster itself
                self.summary.setText(failure_text(exc))

    # -- export ---------------------------------------------------------------------------
    def _export(self, kind: str, path: str, on_done=None) -> None:  # noqa: ANN001
        from familydoc_desktop.store import exporter
        fmt = self.format_combo.currentData()

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                if kind == "ledger":
                    return exporter.export_ledger(s, path, actor=self.ctx.actor)
                return exporter.export_residents(s, path, fmt, actor=self.ctx.actor)

        def done(result) -> None:  # noqa: ANN001
            self.export_status.setText(self.tr("Saved %1").replace("%1", path))
            if on_done:
                on_done(result)

        self.ctx.task(work, success=done,
                      failure=lambda e: self.export_status.setText(failure_text(e)),
                      label=self.tr("Exporting…"), parent=self)

    def export_residents(self) -> None:
        fmt = self.format_combo.currentData()
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export residents"), f"居民名单-{date.today().isoformat()}.{fmt}",
            f"*.{fmt}")
        if path:
            self._export("residents", path)

    def export_ledger(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export ledger"), f"三色管理台账-{date.today().isoformat()}.xlsx",
            "Excel (*.xlsx)")
        if path:
            self._export("ledger", path)
