"""Terminating a contract (解约): a reason is required, consent unless the resident died or
could not be reached for a year; 'other' needs a note."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout,
    QWidget,
)

from familydoc_desktop.domain.codes import ConsentBy, TerminationReason
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import Contract, Resident
from familydoc_desktop.store import contracts
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import date_edit, error_label, from_qdate, show_error
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog
from familydoc_desktop.ui.taskman import failure_text


class TerminateDialog(GuardedDialog):
    def __init__(self, ctx: AppContext, contract_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.contract_id = contract_id
        with ctx.session() as s:
            contract = s.get(Contract, contract_id)
            resident = s.get(Resident, contract.resident_id) if contract is not None else None
            self.patient = resident.name if resident is not None else ""
            period = (f"{contract.start_date}~{contract.end_date}"
                      if contract is not None else "")
        self.setWindowTitle(self.tr("Terminate contract — %1").replace("%1", self.patient))
        self.resize(460, 280)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Resident: %1  Contract: %2")
                                .replace("%1", self.patient).replace("%2", period), self))
        form = QFormLayout()
        layout.addLayout(form)
        self.reason_combo = QComboBox(self)
        self.reason_combo.addItem("", None)
        for r in TerminationReason:
            self.reason_combo.addItem(labels.label(TerminationReason, r), str(r))
        self.on_edit = date_edit(date.today(), self)
        self.consent_combo = QComboBox(self)
        self.consent_combo.addItem(self.tr("Not obtainable"), None)
        for c in ConsentBy:
            self.consent_combo.addItem(labels.label(ConsentBy, c), str(c))
        self.consent_combo.setCurrentIndex(1)
        self.note_edit = QLineEdit(self)
        self.note_edit.setMaxLength(200)
        form.addRow(self.tr("Reason *"), self.reason_combo)
        form.addRow(self.tr("Date"), self.on_edit)
        form.addRow(self.tr("Consent by"), self.consent_combo)
        form.addRow(self.tr("Note"), self.note_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Terminate"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.watch(self.reason_combo, self.on_edit, self.consent_combo, self.note_edit)
        self.form_fields(self.reason_combo, self.on_edit, self.consent_combo, self.note_edit)

    def save(self) -> bool:
        show_error(self.error, None)
        # Termination ends the contract for good: name the resident and ask first.
        answer = QMessageBox.question(
            self, self.tr("Terminate contract"),
            self.tr("Terminate the contract of %1? This cannot be undone.")
            .replace("%1", self.patient),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            with self.ctx.session() as s:
                contracts.terminate_contract(
                    s, self.contract_id, reason=self.reason_combo.currentData(),
                    on=from_qdate(self.on_edit.date()),
                    consent_by=self.consent_combo.currentData(),
                    note=self.note_edit.text().strip() or None)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("contract")
        return True
