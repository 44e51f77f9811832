"""Two-way referral (双向转诊): a new referral (direction, receiving unit from the township's
list or typed in, reason, urgency) and the next step of one (received, completed, returned)."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import referral as rules
from familydoc_desktop.domain.codes import ReferralDirection, ReferralStatus
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import services
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import date_edit, error_label, from_qdate, show_error
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog


def _buttons(dialog: GuardedDialog, save_text: str, cancel_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText(save_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ReferralDialog(GuardedDialog):
    """A new referral; `reason`, `urgent` and `visit_id` fill it in from a follow-up's urgent
    referral prompt."""

    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None,
                 reason: str = "", *, urgent: bool = False, visit_id: str | None = None,
                 direction: str = ReferralDirection.UP) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.visit_id = visit_id
        self.referral_id: str | None = None
        self.setWindowTitle(self.tr("Referral"))
        self.resize(520, 280)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.direction_combo = QComboBox(self)
        self.direction_combo.addItem(self.tr("Up (to a higher hospital)"), ReferralDirection.UP)
        self.direction_combo.addItem(self.tr("Down (back to the clinic)"),
                                     ReferralDirection.DOWN)
        self.direction_combo.setCurrentIndex(0 if direction == ReferralDirection.UP else 1)
        self.date_edit = date_edit(date.today(), self)
        self.unit_combo = QComboBox(self)
        self.unit_combo.setEditable(True)  # the township's list, or any unit typed in
        with ctx.session() as s:
            self.unit_combo.addItems(services.receiving_units(s))
        self.unit_combo.setCurrentIndex(-1)
        self.unit_combo.lineEdit().setMaxLength(rules.MAX_UNIT)
        self.unit_combo.lineEdit().setPlaceholderText(self.tr("Choose or type the unit"))
        self.reason_edit = QLineEdit(reason, self)
        self.reason_edit.setMaxLength(rules.MAX_REASON)
        self.urgent_check = QCheckBox(self.tr("Urgent referral"), self)
        self.urgent_check.setChecked(urgent)
        form.addRow(self.tr("Direction"), self.direction_combo)
        form.addRow(self.tr("Date"), self.date_edit)
        form.addRow(self.tr("Receiving unit *"), self.unit_combo)
        form.addRow(self.tr("Reason *"), self.reason_edit)
        form.addRow("", self.urgent_check)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Save"), self.tr("Cancel")))
        self.watch(self.direction_combo, self.date_edit, self.unit_combo, self.reason_edit,
                   self.urgent_check)
        self.form_fields(self.direction_combo, self.date_edit, self.unit_combo,
                         self.reason_edit, self.urgent_check)

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                row = services.add_referral(
                    s, resident_id=self.resident_id,
                    direction=self.direction_combo.currentData(),
                    referral_date=from_qdate(self.date_edit.date()),
                    receiving_unit=self.unit_combo.currentText(),
                    reason=self.reason_edit.text(), urgent=self.urgent_check.isChecked(),
                    visit_id=self.visit_id)
                self.referral_id = row.id
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("referral")
        return True


class ReferralStepDialog(GuardedDialog):
    """The next step of a referral: received, completed or returned, dated."""

    def __init__(self, ctx: AppContext, referral_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.referral_id = referral_id
        with ctx.session() as s:
            row = services.require_referral(s, referral_id)
            current = row.status
            summary = (f"{row.referral_date}  {labels.referral_direction_label(row.direction)}"
                       f"  {row.receiving_unit}  {labels.referral_status_label(row.status)}")
        self.setWindowTitle(self.tr("Referral step"))
        self.resize(460, 200)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(summary, self))
        form = QFormLayout()
        layout.addLayout(form)
        self.status_combo = QComboBox(self)
        for status in (ReferralStatus.RECEIVED, ReferralStatus.COMPLETED,
                       ReferralStatus.RETURNED):
            if status in rules.NEXT.get(current, ()):
                self.status_combo.addItem(labels.referral_status_label(status), str(status))
        self.date_edit = date_edit(date.today(), self)
        form.addRow(self.tr("New status"), self.status_combo)
        form.addRow(self.tr("Date"), self.date_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Save"), self.tr("Cancel")))
        self.watch(self.status_combo, self.date_edit)
        self.form_fields(self.status_combo, self.date_edit)

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                services.set_referral_status(s, self.referral_id,
                                             self.status_combo.currentData() or "",
                                             on=from_qdate(self.date_edit.date()))
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("referral")
        return True
