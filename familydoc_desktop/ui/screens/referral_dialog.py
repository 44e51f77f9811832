"""Two-way referral (双向转诊): direction, receiving unit, reason."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.codes import ReferralDirection
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import services
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import date_edit, error_label, from_qdate, show_error
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog
from familydoc_desktop.ui.taskman import failure_text


class ReferralDialog(GuardedDialog):
    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None,
                 reason: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.setWindowTitle(self.tr("Referral"))
        self.resize(480, 240)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.direction_combo = QComboBox(self)
        for d in ReferralDirection:
            self.direction_combo.addItem(labels.label(ReferralDirection, d), str(d))
        self.date_edit = date_edit(date.today(), self)
        self.unit_edit = QLineEdit(self)
        self.unit_edit.setMaxLength(100)
        self.reason_edit = QLineEdit(reason, self)
        self.reason_edit.setMaxLength(200)
        form.addRow(self.tr("Direction"), self.direction_combo)
        form.addRow(self.tr("Date"), self.date_edit)
        form.addRow(self.tr("Receiving unit *"), self.unit_edit)
        form.addRow(self.tr("Reason"), self.reason_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.watch(self.direction_combo, self.date_edit, self.unit_edit, self.reason_edit)

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                services.add_referral(s, resident_id=self.resident_id,
                                      direction=self.direction_combo.currentData(),
                                      referral_date=from_qdate(self.date_edit.date()),
                                      receiving_unit=self.unit_edit.text(),
                                      reason=self.reason_edit.text().strip() or None)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("referral")
        return True
