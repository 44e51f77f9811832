"""The red-yellow-green ledger (红黄绿三色管理台账): every signed key-population resident with
colour, reasons and the date of the last change; a doctor may override a colour with a
mandatory reason; filter by colour and village; export to xlsx on the DB worker.

The list is paged (a township holds ~24,000 rows): the worker reads the counts and the first
page, the view pulls further pages as it scrolls, in the store's order (red first)."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.codes import Colour, Population, Sex
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import ledger
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, Column, PagedRowsModel
from familydoc_desktop.ui.villages import villages
from familydoc_desktop.ui.widgets.common import (
    SelectionKeeper, error_label, fit_columns, open_on_activate, show_error, table_view,
)
from familydoc_desktop.ui.widgets.form_keys import FormKeys
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.stale import ReloadWhenStale

COLOUR_HEX = {"red": "#c62828", "yellow": "#b28704", "green": "#2e7d32"}


class LedgerScreen(ReloadWhenStale, QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        title = QLabel(self.tr("Red-yellow-green ledger"), self)
        title.setObjectName("heading")
        self.colour_combo = QComboBox(self)
        self.colour_combo.addItem(self.tr("All colours"), None)
        for c in Colour:
            self.colour_combo.addItem(labels.label(Colour, c), str(c))
        self.colour_combo.currentIndexChanged.connect(self.reload)
        self.village_combo = QComboBox(self)
        self.village_combo.addItem(self.tr("All villages"), None)
        with ctx.session() as s:
            for code, name in villages(s):
                self.village_combo.addItem(name, code)
        self.village_combo.setVisible(self.village_combo.count() > 2)  # a township's PC
        self.village_combo.currentIndexChanged.connect(self.reload)
        self.counts_label = QLabel(self)
        self.override_button = QPushButton(self.tr("Override colour…"), self)
        self.override_button.clicked.connect(self.override_selected)
        self.export_button = QPushButton(self.tr("Export to Excel…"), self)
        self.export_button.clicked.connect(self.export)
        bar.addWidget(title)
        bar.addSpacing(16)
        bar.addWidget(self.colour_combo)
        bar.addWidget(self.village_combo)
        bar.addWidget(self.counts_label)
        bar.addStretch(1)
        bar.addWidget(self.override_button)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.model = PagedRowsModel([
            Column(self.tr("Colour"), lambda r: "● " + labels.label(Colour, r.colour),
                   colour=lambda r: COLOUR_HEX.get(r.colour)),
            Column(self.tr("Name"), lambda r: r.name),
            Column(self.tr("Sex"), lambda r: labels.label(Sex, r.sex)),
            Column(self.tr("Age"), lambda r: r.age, align_right=True),
            Column(self.tr("Key populations"), lambda r: "、".join(
                labels.label(Population, p) for p in r.populations)),
            Column(self.tr("Changed on"), lambda r: r.changed_on),
            Column(self.tr("Overridden"), lambda r: r.override),
            Column(self.tr("Reasons"), lambda r: "；".join(r.reasons)),
        ], self._page, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        fit_columns(self.view, (70, 90, 50, 50, 220, 100, 60))
        open_on_activate(self.view, self._open)  # double-click or Enter, once
        self.keeper = SelectionKeeper(self.view, lambda i: getattr(
            i.data(ROW_ROLE), "resident_id", None))
        layout.addWidget(self.view, 1)
        self.status = QLabel(self)
        layout.addWidget(self.status)
        ctx.data_changed.connect(self._on_data_changed)

    def _filters(self) -> dict:
        return {"colour": self.colour_combo.currentData(),
                "village_code": self.village_combo.currentData()}

    def _page(self, offset: int, limit: int) -> list:
        with self.ctx.session() as s:
            return ledger.ledger_rows(s, offset=offset, limit=limit, **self._filters())

    def reload(self) -> None:
        self._stale = False
        filters = self._filters()
        limit = self.model.PAGE

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                counts = ledger.ledger_counts(s, village_code=filters["village_code"])
                return ledger.ledger_rows(s, limit=limit, **filters), counts

        self.status.setText(self.tr("Loading…"))
        self.ctx.task(work, success=self._loaded,
                      failure=lambda e: self.status.setText(failure_text(e)))

    def _loaded(self, result) -> None:  # noqa: ANN001
        rows, counts = result
        colour = self.colour_combo.currentData()
        total = counts.get(colour, 0) if colour else sum(counts.values())
        self.model.set_first_page(rows, total)
        self.counts_label.setText(self.tr("Red %1 · Yellow %2 · Green %3")
                                  .replace("%1", str(counts.get("red", 0)))
                                  .replace("%2", str(counts.get("yellow", 0)))
                                  .replace("%3", str(counts.get("green", 0))))
        self.status.setText(self.tr("%1 residents in the ledger").replace("%1", str(total))
                            if rows else self.tr("The ledger lists signed key-population "
                                                 "residents; none yet."))

    def selected(self):  # noqa: ANN201
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _open(self, index) -> None:  # noqa: ANN001
        row = index.data(ROW_ROLE)
        if row is not None:
            self.open_resident(row.resident_id)

    def open_resident(self, resident_id: str):  # noqa: ANN201
        """The record over the ledger; closed, the doctor is back here on that resident."""
        from familydoc_desktop.ui.screens.resident_form import open_record
        self.keeper.remember(resident_id)
        return open_record(self.ctx, resident_id, self)

    def override_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        if OverrideDialog(self.ctx, row, self).exec():
            self.reload()

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export ledger"), f"三色管理台账-{date.today().isoformat()}.xlsx",
            "Excel (*.xlsx)")
        if path:
            self.export_to(path)

    def export_to(self, path: str, on_done=None) -> None:  # noqa: ANN001
        from familydoc_desktop.store import exporter
        filters = self._filters()

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                return exporter.export_ledger(s, path, actor=self.ctx.actor, **filters)

        def done(result) -> None:  # noqa: ANN001
            self.status.setText(self.tr("Exported to %1").replace("%1", str(path)))
            if on_done:
                on_done(result)

        self.ctx.task(work, success=done, failure=lambda e: self.status.setText(failure_text(e)),
                      label=self.tr("Exporting the ledger…"), parent=self)


class OverrideDialog(QDialog):
    """Override a colour; the reason is mandatory and kept with the author."""

    def __init__(self, ctx: AppContext, row, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle(self.tr("Override colour — %1").replace("%1", row.name))
        self.resize(440, 200)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.colour_combo = QComboBox(self)
        for c in Colour:
            self.colour_combo.addItem(labels.label(Colour, c), str(c))
        self.colour_combo.setCurrentIndex(self.colour_combo.findData(row.colour))
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setMaxLength(500)
        form.addRow(self.tr("Current"), QLabel(labels.label(Colour, row.colour), self))
        form.addRow(self.tr("New colour"), self.colour_combo)
        form.addRow(self.tr("Reason *"), self.reason_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Override"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.keys = FormKeys(self, (self.colour_combo, self.reason_edit), self.save)

    def save(self) -> None:
        try:
            with self.ctx.session() as s:
                ledger.override_colour(s, self.row.resident_id, self.colour_combo.currentData(),
                                       self.reason_edit.text(), self.ctx.actor)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return
        self.ctx.notify("ledger_assessment")
        self.accept()
