"""Home sickbeds (家庭病床): the open beds with the round each one is due for, and the
admission (建床), round (查床) and discharge (撤床) forms."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
    QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.domain.codes import SickbedOutcome, SickbedType
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import Resident, Sickbed
from familydoc_desktop.store import orgs, residents, sickbeds, visits
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, Column, RowsTableModel
from familydoc_desktop.ui.widgets.common import (
    date_edit, error_label, fit_columns, from_qdate, open_on_activate, show_error, table_view,
)
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.stale import ReloadWhenStale


@dataclass(frozen=True)
class OpenBed:
    bed: Sickbed
    name: str
    last_round: date | None
    next_round: date
    due: bool  # the round is due today or overdue
    overdue_days: int
    days: int


def open_beds(ctx: AppContext, on: date) -> list[OpenBed]:
    with ctx.db.session() as s:
        interval = visits.visits_ruleset(s).get("sickbed_round_days", 7)
        out = []
        for bed in sickbeds.open_sickbeds(s):
            r = residents.get_resident(s, bed.resident_id)
            rounds = sickbeds.rounds_for(s, bed.id)
            last = rounds[-1].round_date if rounds else None
            item = due_rules.sickbed_round_due(bed.resident_id, bed.admitted_on, last, on,
                                               interval)
            next_round = (last or bed.admitted_on) + timedelta(days=interval)
            out.append(OpenBed(bed, r.name if r else "", last, next_round, item is not None,
                               item.overdue_days if item else 0,
                               (on - bed.admitted_on).days + 1))
    return out


class SickbedsScreen(ReloadWhenStale, QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        title = QLabel(self.tr("Home sickbeds"), self)
        title.setObjectName("heading")
        self.alert = QLabel(self)
        self.alert.setObjectName("fieldError")
        self.admit_button = QPushButton(self.tr("Admit…"), self)
        self.admit_button.clicked.connect(self.admit)
        self.round_button = QPushButton(self.tr("Record round…"), self)
        self.round_button.clicked.connect(self.round_selected)
        self.discharge_button = QPushButton(self.tr("Discharge…"), self)
        self.discharge_button.clicked.connect(self.discharge_selected)
        bar.addWidget(title)
        bar.addSpacing(16)
        bar.addWidget(self.alert)
        bar.addStretch(1)
        for b in (self.admit_button, self.round_button, self.discharge_button):
            bar.addWidget(b)
        layout.addLayout(bar)
        self.model = RowsTableModel([
            Column(self.tr("Resident"), lambda o: o.name),
            Column(self.tr("Admitted"), lambda o: o.bed.admitted_on),
            Column(self.tr("Days"), lambda o: o.days, align_right=True),
            Column(self.tr("Type"), lambda o: labels.label(SickbedType, o.bed.bed_type)),
            Column(self.tr("Diagnosis"), lambda o: o.bed.diagnosis),
            Column(self.tr("Last round"), lambda o: o.last_round),
            Column(self.tr("Round due"), lambda o: o.next_round.isoformat() + (
                "（" + self.tr("overdue %1 days").replace("%1", str(o.overdue_days)) + "）"
                if o.overdue_days else ""),
                colour=lambda o: "#c62828" if o.due else None),
        ], self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        fit_columns(self.view, (100, 100, 50, 90, 220, 100))
        open_on_activate(self.view, lambda _i: self.round_selected())  # double-click or Enter
        layout.addWidget(self.view, 1)
        self.empty = QLabel(self.tr("No open home sickbeds. Admit a resident from here or from "
                                    "the resident's record."), self)
        self.empty.setObjectName("emptyHint")
        self.empty.setVisible(False)
        layout.addWidget(self.empty)
        ctx.data_changed.connect(self._on_data_changed)

    def reload(self) -> None:
        self._stale = False
        beds = open_beds(self.ctx, date.today())
        self.model.set_rows(beds)
        due = sum(1 for b in beds if b.due)
        self.alert.setText(self.tr("%1 rounds due").replace("%1", str(due)) if due else "")
        self.empty.setVisible(not beds)

    def selected(self) -> OpenBed | None:
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def admit(self) -> None:
        from familydoc_desktop.ui.widgets.resident_picker import ResidentPicker
        picker = ResidentPicker(self.ctx, self, self.tr("Admit to home sickbed"))
        if picker.exec() and picker.resident_id:
            AdmitDialog(self.ctx, picker.resident_id, self).exec()

    def round_selected(self) -> None:
        row = self.selected()
        if row is not None:
            RoundDialog(self.ctx, row.bed.id, self).exec()

    def discharge_selected(self) -> None:
        row = self.selected()
        if row is not None:
            DischargeDialog(self.ctx, row.bed.id, self).exec()


def round_for_resident(ctx: AppContext, resident_id: str, parent: QWidget | None) -> bool:
    with ctx.session() as s:
        bed = sickbeds.open_sickbed_of(s, resident_id)
    return bed is not None and bool(RoundDialog(ctx, bed.id, parent).exec())


def _patient(ctx: AppContext, sickbed_id: str) -> str:
    """The name of the resident a sickbed belongs to (the dialogs name the patient)."""
    with ctx.session() as s:
        bed = s.get(Sickbed, sickbed_id)
        resident = s.get(Resident, bed.resident_id) if bed is not None else None
        return resident.name if resident is not None else ""


def _buttons(dialog: GuardedDialog, ok_text: str, cancel_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class AdmitDialog(GuardedDialog):
    """建床: type, diagnosis and responsible doctor are required."""

    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.sickbed_id: str | None = None
        with ctx.session() as s:
            r = residents.require_resident(s, resident_id)
            team = orgs.ensure_default_team(s, r.org_id)
            leader = orgs.team_leader(s, team.id)
            name = r.name
        self.setWindowTitle(self.tr("Admit to home sickbed — %1").replace("%1", name))
        self.resize(520, 420)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.applied_edit = date_edit(date.today(), self)
        self.admitted_edit = date_edit(date.today(), self)
        self.type_combo = QComboBox(self)
        for t in SickbedType:
            self.type_combo.addItem(labels.label(SickbedType, t), str(t))
        self.indication_edit = QLineEdit(self)
        self.diagnosis_edit = QLineEdit(self)
        self.doctor_combo = QComboBox(self)
        if leader is not None:
            self.doctor_combo.addItem(leader.name, leader.id)
        self.plan_edit = QPlainTextEdit(self)
        self.plan_edit.setMaximumHeight(90)
        form.addRow(self.tr("Applied on"), self.applied_edit)
        form.addRow(self.tr("Admitted on"), self.admitted_edit)
        form.addRow(self.tr("Type"), self.type_combo)
        form.addRow(self.tr("Indication"), self.indication_edit)
        form.addRow(self.tr("Diagnosis *"), self.diagnosis_edit)
        form.addRow(self.tr("Responsible doctor"), self.doctor_combo)
        form.addRow(self.tr("Care plan"), self.plan_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Admit"), self.tr("Cancel")))
        self.watch(self.applied_edit, self.admitted_edit, self.type_combo, self.indication_edit,
                   self.diagnosis_edit, self.plan_edit)
        self.form_fields(self.applied_edit, self.admitted_edit, self.type_combo,
                         self.indication_edit, self.diagnosis_edit, self.doctor_combo,
                         self.plan_edit)

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                bed = sickbeds.admit(
                    s, resident_id=self.resident_id,
                    admitted_on=from_qdate(self.admitted_edit.date()),
                    applied_on=from_qdate(self.applied_edit.date()),
                    bed_type=self.type_combo.currentData(),
                    diagnosis=self.diagnosis_edit.text(),
                    indication=self.indication_edit.text().strip() or None,
                    doctor_id=self.doctor_combo.currentData(),
                    care_plan=self.plan_edit.toPlainText().strip() or None)
                self.sickbed_id = bed.id
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("sickbed")
        return True


class RoundDialog(GuardedDialog):
    """查床: date, findings, orders, by whom."""

    def __init__(self, ctx: AppContext, sickbed_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sickbed_id = sickbed_id
        self.patient = _patient(ctx, sickbed_id)
        self.setWindowTitle(self.tr("Sickbed round — %1").replace("%1", self.patient))
        self.resize(480, 340)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Patient: %1").replace("%1", self.patient), self))
        form = QFormLayout()
        layout.addLayout(form)
        self.date_edit = date_edit(date.today(), self)
        self.findings_edit = QPlainTextEdit(self)
        self.findings_edit.setMaximumHeight(90)
        self.orders_edit = QPlainTextEdit(self)
        self.orders_edit.setMaximumHeight(90)
        self.by_edit = QLineEdit(ctx.actor, self)
        form.addRow(self.tr("Date"), self.date_edit)
        form.addRow(self.tr("Findings"), self.findings_edit)
        form.addRow(self.tr("Orders"), self.orders_edit)
        form.addRow(self.tr("By"), self.by_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Save"), self.tr("Cancel")))
        self.watch(self.date_edit, self.findings_edit, self.orders_edit, self.by_edit)
        self.form_fields(self.date_edit, self.findings_edit, self.orders_edit, self.by_edit)

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                sickbeds.record_round(s, self.sickbed_id,
                                      round_date=from_qdate(self.date_edit.date()),
                                      findings=self.findings_edit.toPlainText().strip() or None,
                                      orders=self.orders_edit.toPlainText().strip() or None,
                                      by_staff=self.by_edit.text().strip() or None)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("sickbed_round")
        return True


class DischargeDialog(GuardedDialog):
    """撤床: date, outcome, summary; warns when the episode or year limit is exceeded."""

    def __init__(self, ctx: AppContext, sickbed_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sickbed_id = sickbed_id
        self.warnings: list[str] = []
        self.quiet = False
        self.patient = _patient(ctx, sickbed_id)
        self.setWindowTitle(self.tr("Discharge from home sickbed — %1").replace("%1", self.patient))
        self.resize(480, 300)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Patient: %1").replace("%1", self.patient), self))
        form = QFormLayout()
        layout.addLayout(form)
        self.date_edit = date_edit(date.today(), self)
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.addItem("", None)
        for o in SickbedOutcome:
            self.outcome_combo.addItem(labels.label(SickbedOutcome, o), str(o))
        self.summary_edit = QPlainTextEdit(self)
        self.summary_edit.setMaximumHeight(110)
        form.addRow(self.tr("Discharged on"), self.date_edit)
        form.addRow(self.tr("Outcome *"), self.outcome_combo)
        form.addRow(self.tr("Summary"), self.summary_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Discharge"), self.tr("Cancel")))
        self.watch(self.date_edit, self.outcome_combo, self.summary_edit)
        self.form_fields(self.date_edit, self.outcome_combo, self.summary_edit)

    def save(self) -> bool:
        show_error(self.error, None)
        # Discharge closes the episode for good: name the patient and ask first.
        answer = QMessageBox.question(
            self, self.tr("Discharge from home sickbed"),
            self.tr("Discharge %1 from the home sickbed on %2? This cannot be undone.")
            .replace("%1", self.patient).replace("%2", from_qdate(self.date_edit.date())
                                                   .isoformat()),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            with self.ctx.session() as s:
                _bed, self.warnings = sickbeds.discharge(
                    s, self.sickbed_id, discharged_on=from_qdate(self.date_edit.date()),
                    outcome=self.outcome_combo.currentData(),
                    summary=self.summary_edit.toPlainText().strip() or None)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("sickbed")
        if self.warnings and not self.quiet:
            QMessageBox.warning(self, self.tr("Discharged"), "\n".join(self.warnings))
        return True
