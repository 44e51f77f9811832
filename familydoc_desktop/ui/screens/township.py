"""各村同步情况: the sync server's report on the clinics of a township (or a county), for
township and county accounts only (the main window hides it from village doctors).

A clinic per row, red or amber by its flags (sync/report_text.py says which flag is which);
choosing a clinic lists its PCs below (the drill-down). The report is fetched by the task
runner on a network thread; export to Excel and print (PDF or a printer) work on what is
shown."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QFileDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
    QVBoxLayout, QWidget,
)

from familydoc_desktop.sync import report_text
from familydoc_desktop.sync.http import NetworkDown
from familydoc_desktop.sync.reports import MAX_STALE_DAYS, STALE_DAYS
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.sync_report import BACKGROUND, ClinicsModel, DevicesModel
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import fit_columns, heading, table_view


class SyncReportScreen(QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.report: dict | None = None
        self.fetched_at: datetime | None = None
        self.stale_days = STALE_DAYS
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        bar.addWidget(heading(self.tr("Village sync status"), self))
        bar.addSpacing(12)
        bar.addWidget(QLabel(self.tr("Flag clinics not synced for"), self))
        self.days_spin = QSpinBox(self)
        self.days_spin.setRange(1, MAX_STALE_DAYS)
        self.days_spin.setValue(STALE_DAYS)
        self.days_spin.setSuffix(self.tr(" days"))
        bar.addWidget(self.days_spin)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setDefault(True)
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        self.export_button = QPushButton(self.tr("Export to Excel…"), self)
        self.export_button.clicked.connect(self.export)
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.print_button.clicked.connect(self.print_report)
        for b in (self.export_button, self.print_button):
            b.setEnabled(False)
            bar.addWidget(b)
        layout.addLayout(bar)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        red = self.tr("Red: no PC, not synced, last sync failed or data check mismatch")
        amber = self.tr("Amber: a PC behind, clock off, refused edits, old version or open "
                        "conflicts")
        swatch = "<span style='background-color:%s'>&nbsp;&nbsp;&nbsp;&nbsp;</span> "
        self.legend.setText(swatch % BACKGROUND[report_text.RED] + red + "&nbsp;&nbsp;&nbsp; "
                            + swatch % BACKGROUND[report_text.AMBER] + amber)
        layout.addWidget(self.legend)

        split = QSplitter(Qt.Orientation.Vertical, self)
        self.clinics_model = ClinicsModel(self)
        self.clinics = table_view(split)
        self.clinics.setModel(self.clinics_model)
        self.clinics.selectionModel().currentRowChanged.connect(self._clinic_chosen)
        split.addWidget(self.clinics)
        self.devices_box = QGroupBox(self.tr("PCs of the chosen clinic"), split)
        box_layout = QVBoxLayout(self.devices_box)
        self.devices_model = DevicesModel(self)
        self.devices = table_view(self.devices_box)
        self.devices.setModel(self.devices_model)
        box_layout.addWidget(self.devices)
        split.addWidget(self.devices_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        fit_columns(self.clinics, [110, 150, 50, 130, 60, 60, 80])
        fit_columns(self.devices, [80, 130, 60, 60, 130, 130, 60, 50, 50, 70, 70, 160])

    def activate(self) -> None:
        if self.report is None:
            self.refresh()

    # -- fetching -------------------------------------------------------------------------
    def refresh(self) -> None:
        from familydoc_desktop.sync.reports import fetch_sync_report

        days = self.days_spin.value()
        db = self.ctx.db

        def work(_p):  # noqa: ANN001, ANN202
            return fetch_sync_report(db, stale_days=days)

        self.refresh_button.setEnabled(False)
        self.status.setText(self.tr("Asking the sync server…"))
        self.ctx.task(work, success=lambda report: self.show_report(report, days),
                      failure=self._failed, network=True,
                      label=self.tr("Fetching the sync report…"), parent=self)

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        if isinstance(exc, NetworkDown):
            text = self.tr("Cannot reach the sync server, so the villages' sync status cannot "
                           "be shown now. Check this PC's network connection and press Refresh.")
        else:
            text = failure_text(exc)
        if self.report is not None:
            text += " " + self.tr("The table shows the report of %1.").replace(
                "%1", self.fetched_at.strftime("%H:%M") if self.fetched_at else "")
        self.status.setText(text)

    def show_report(self, report: dict, stale_days: int = STALE_DAYS) -> None:
        self.refresh_button.setEnabled(True)
        self.report = report
        self.stale_days = stale_days
        self.fetched_at = datetime.now()
        clinics = report.get("clinics") or []
        self.clinics_model.set_rows(clinics, stale_days)
        self.devices_model.set_rows([], stale_days)
        villages = [c for c in clinics if c.get("level", "clinic") == "clinic"]
        levels = [report_text.severity(c.get("flags") or []) for c in villages]
        red, amber = levels.count(report_text.RED), levels.count(report_text.AMBER)
        if villages:
            text = self.tr("%1 village clinics: %2 red, %3 amber, %4 without a flag.") \
                .replace("%1", str(len(villages))).replace("%2", str(red)) \
                .replace("%3", str(amber)).replace("%4", str(len(villages) - red - amber))
        else:
            text = self.tr("No village clinic in this account's scope.")
        if len(clinics) > len(villages):
            text += " " + self.tr("Also listed: the PCs of %1 township or county offices.") \
                .replace("%1", str(len(clinics) - len(villages)))
        self.summary.setText(text)
        self.status.setText(self.tr("Report of %1 from the sync server.")
                            .replace("%1", self.fetched_at.strftime("%Y-%m-%d %H:%M")))
        for b in (self.export_button, self.print_button):
            b.setEnabled(True)
        if clinics:
            self.clinics.setCurrentIndex(self.clinics_model.index(0, 0))

    def _clinic_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_devices(current.row() if current.isValid() else -1)

    def show_devices(self, row: int) -> None:
        """The drill-down: the PCs of the clinic in `row`."""
        clinic = self.clinics_model.row_at(row)
        if clinic is None:
            self.devices_model.set_rows([], self.stale_days)
            self.devices_box.setTitle(self.tr("PCs of the chosen clinic"))
            return
        devices = clinic.get("devices") or []
        self.devices_model.set_rows(devices, self.stale_days)
        self.devices_box.setTitle(self.tr("PCs of %1 (%2)").replace("%1", clinic["name"])
                                  .replace("%2", str(len(devices))))

    # -- export and print -----------------------------------------------------------------
    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the sync report"),
            f"各村同步情况-{datetime.now():%Y-%m-%d}.xlsx", "Excel (*.xlsx)")
        if path:
            self.export_to(path)

    def export_to(self, path: str, on_done=None) -> None:  # noqa: ANN001
        from pathlib import Path

        from familydoc_desktop.store import audit

        report, days = self.report, self.stale_days
        if report is None:
            return
        target = Path(path)

        def work(_p):  # noqa: ANN001, ANN202
            if target.is_dir():
                raise IsADirectoryError(str(target))
            if not target.parent.is_dir():
                raise FileNotFoundError(str(target.parent))
            report_text.write_xlsx(report, target, days)
            with self.ctx.db.session() as s:  # no personal data, but every export is logged
                audit.log(s, self.ctx.actor, "export", None, None,
                          f"导出各村同步情况 {len(report.get('clinics') or [])} 个村卫生室")
            return target

        def done(result) -> None:  # noqa: ANN001
            self.status.setText(self.tr("Exported to %1").replace("%1", str(result)))
            if on_done:
                on_done(result)

        self.ctx.task(work, success=done, failure=lambda e: self.status.setText(failure_text(e)),
                      label=self.tr("Exporting the sync report…"), parent=self)

    def print_html(self) -> str:
        from familydoc_desktop.ui.printing import sync_report_html

        when = (self.fetched_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
        return sync_report_html(self.report or {"clinics": []}, self.stale_days, when)

    def print_to(self, device_path: str | None = None, printer=None,  # noqa: ANN001
                 on_done=None) -> None:  # noqa: ANN001
        """Lay the report out and print it to a PDF file or to `printer`, as a task: a county's
        report is some 25 pages and takes seconds (benchmarks/bench_township_screens.py).
        Not database work, so it runs on a network thread rather than holding the DB worker;
        the document is made and dropped there (QTextDocument, QPdfWriter and QPrinter are
        reentrant: each object used by one thread)."""
        from familydoc_desktop.ui import printing

        html = self.print_html()

        def work(_p):  # noqa: ANN001, ANN202
            doc = printing.html_document(html)
            try:
                if printer is not None:
                    printing.print_document(doc, printer)
                    return None
                return printing.document_to_pdf(doc, device_path, printing.SYNC_REPORT_TITLE,
                                                landscape=True)
            finally:
                del doc

        def done(result) -> None:  # noqa: ANN001
            self.status.setText(self.tr("Saved to %1").replace("%1", str(result)) if result
                                else self.tr("Sent to the printer."))
            if on_done:
                on_done(result)

        self.ctx.task(work, success=done, failure=lambda e: self.status.setText(failure_text(e)),
                      label=self.tr("Preparing the print…"), parent=self, network=True,
                      cancellable=False)

    def print_report(self) -> None:
        from familydoc_desktop.ui import printing

        if self.report is None:
            return
        target = printing.ask_target(self, self.tr("Print the sync report"),
                                     self.tr("Print the sync report to a printer or save it "
                                             "as PDF?"))
        if target == "printer":
            printer = printing.choose_printer(self, landscape=True)
            if printer is not None:
                self.print_to(printer=printer)
        elif target == "pdf":
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save as PDF"), f"各村同步情况-{datetime.now():%Y-%m-%d}.pdf",
                "PDF (*.pdf)")
            if path:
                self.print_to(path)
