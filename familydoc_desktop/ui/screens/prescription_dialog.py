"""Long prescription (长期处方): 4-12 weeks of a signed chronic patient's drugs, one drug and
its dose per line; the refill date follows from the weeks."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import (
    QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import prescription as rules
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import residents, services
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import date_edit, error_label, from_qdate, show_error
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog


class PrescriptionDialog(GuardedDialog):
    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None, *,
                 weeks: int = 4, drugs: list[str] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.prescription_id: str | None = None
        with ctx.session() as s:
            name = residents.require_resident(s, resident_id).name
        self.setWindowTitle(self.tr("Long prescription — %1").replace("%1", name))
        self.resize(520, 360)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.date_edit = date_edit(date.today(), self)
        self.weeks_spin = QSpinBox(self)
        self.weeks_spin.setRange(1, 52)  # the rule (4-12) answers outside it, with the reason
        self.weeks_spin.setValue(weeks)
        self.weeks_spin.setSuffix(self.tr(" weeks"))
        self.refill_label = QLabel(self)
        self.drugs_edit = QPlainTextEdit("\n".join(drugs or []), self)
        self.drugs_edit.setPlaceholderText(self.tr(
            "One drug per line: name, then dose and use, e.g. 氨氯地平片 5mg 每日一次"))
        form.addRow(self.tr("Start"), self.date_edit)
        form.addRow(self.tr("Weeks (4-12)"), self.weeks_spin)
        form.addRow(self.tr("Refill due"), self.refill_label)
        form.addRow(self.tr("Drugs and doses *"), self.drugs_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.weeks_spin.valueChanged.connect(self._update)
        self.date_edit.dateChanged.connect(self._update)
        self.watch(self.date_edit, self.weeks_spin, self.drugs_edit)
        self.form_fields(self.date_edit, self.weeks_spin, self.drugs_edit)
        self._update()

    def drug_lines(self) -> list[str]:
        return [line for line in self.drugs_edit.toPlainText().splitlines() if line.strip()]

    def _update(self) -> None:
        start = from_qdate(self.date_edit.date())
        low, high = rules.WEEKS
        weeks = self.weeks_spin.value()
        self.refill_label.setText(
            (start + timedelta(weeks=weeks)).isoformat() if low <= weeks <= high else
            self.tr("4 to 12 weeks only"))

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                row = services.add_long_prescription(
                    s, resident_id=self.resident_id, weeks=self.weeks_spin.value(),
                    drugs=self.drug_lines(), start_date=from_qdate(self.date_edit.date()))
                self.prescription_id = row.id
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("long_prescription")
        return True


def refill_for_resident(ctx: AppContext, resident_id: str, parent: QWidget | None) -> bool:
    """The refill: a new prescription filled in from the latest one."""
    with ctx.session() as s:
        latest = next(iter(services.long_prescriptions_for(s, resident_id)), None)
    drugs = latest.drugs.split("；") if latest else []
    weeks = latest.weeks if latest else 4
    return bool(PrescriptionDialog(ctx, resident_id, parent, weeks=weeks, drugs=drugs).exec())
