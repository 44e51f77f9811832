"""Small forms of the other services: drug shortage and its resolution, health points,
satisfaction survey (the health-information push form is in pushes.py)."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import residents, services
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import date_edit, error_label, from_qdate, show_error
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog


class ServiceDialog(GuardedDialog):
    """A form: rows added by the subclass, an error line, Save/Cancel; `store(session)`
    writes and returns the new or changed row."""

    table = "*"

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved = None
        self.setWindowTitle(title)
        self.resize(480, 240)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)

    def finish(self, save_text: str, cancel_text: str, *watched: QWidget) -> None:
        self.error = error_label(self)
        self.layout_.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(save_text)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)
        self.watch(*watched)
        self.form_fields(*watched)  # listed in the form's order

    def store(self, session):  # noqa: ANN001, ANN201 - every subclass implements it
        raise NotImplementedError

    def save(self) -> bool:
        show_error(self.error, None)
        try:
            with self.ctx.session() as s:
                self.saved = self.store(s)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify(self.table)
        return True


def resident_name(ctx: AppContext, resident_id: str) -> str:
    with ctx.session() as s:
        return residents.require_resident(s, resident_id).name


class ShortageDialog(ServiceDialog):
    """缺药登记: the drug a resident asked for that the clinic lacks."""

    table = "drug_shortage"

    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", parent)
        self.resident_id = resident_id
        self.setWindowTitle(self.tr("Drug shortage — %1").replace(
            "%1", resident_name(ctx, resident_id)))
        self.date_edit = date_edit(date.today(), self)
        self.drug_edit = QLineEdit(self)
        self.drug_edit.setMaxLength(100)
        self.spec_edit = QLineEdit(self)
        self.spec_edit.setMaxLength(100)
        self.note_edit = QLineEdit(self)
        self.note_edit.setMaxLength(200)
        self.form.addRow(self.tr("Reported on"), self.date_edit)
        self.form.addRow(self.tr("Drug *"), self.drug_edit)
        self.form.addRow(self.tr("Specification"), self.spec_edit)
        self.form.addRow(self.tr("Note"), self.note_edit)
        self.finish(self.tr("Save"), self.tr("Cancel"), self.date_edit, self.drug_edit,
                    self.spec_edit, self.note_edit)

    def store(self, session):  # noqa: ANN001, ANN201
        return services.add_drug_shortage(
            session, resident_id=self.resident_id, drug_name=self.drug_edit.text(),
            specification=self.spec_edit.text(), note=self.note_edit.text(),
            reported_on=from_qdate(self.date_edit.date()))


class ResolveShortageDialog(ServiceDialog):
    table = "drug_shortage"

    def __init__(self, ctx: AppContext, shortage_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", parent)
        self.shortage_id = shortage_id
        with ctx.session() as s:
            row = services.require_shortage(s, shortage_id)
            summary = f"{row.reported_on}  {row.drug_name} {row.specification or ''}"
        self.setWindowTitle(self.tr("Drug shortage resolved"))
        self.form.addRow(QLabel(summary, self))
        self.date_edit = date_edit(date.today(), self)
        self.how_edit = QLineEdit(self)
        self.how_edit.setMaxLength(200)
        self.how_edit.setPlaceholderText(self.tr("e.g. bought in, sent by the county hospital"))
        self.form.addRow(self.tr("Resolved on"), self.date_edit)
        self.form.addRow(self.tr("How"), self.how_edit)
        self.finish(self.tr("Save"), self.tr("Cancel"), self.date_edit, self.how_edit)

    def store(self, session):  # noqa: ANN001, ANN201
        return services.resolve_drug_shortage(session, self.shortage_id,
                                              on=from_qdate(self.date_edit.date()),
                                              resolution=self.how_edit.text())


class PointsDialog(ServiceDialog):
    """健康积分: earn under a rule of the rule set, or redeem; the balance is shown and never
    goes below zero."""

    table = "health_points"

    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", parent)
        self.resident_id = resident_id
        with ctx.session() as s:
            self.rules = list(services.points_rules(s).values())
            balance = services.points_balance(s, resident_id)
        self.setWindowTitle(self.tr("Health points — %1").replace(
            "%1", resident_name(ctx, resident_id)))
        self.balance_label = QLabel(self.tr("Balance: %1").replace("%1", str(balance)), self)
        self.mode_combo = QComboBox(self)
        self.mode_combo.addItem(self.tr("Earn"), "earn")
        self.mode_combo.addItem(self.tr("Redeem"), "redeem")
        self.rule_combo = QComboBox(self)
        for rule in self.rules:
            self.rule_combo.addItem(self.tr("%1 (up to %2)").replace("%1", rule.name)
                                    .replace("%2", str(rule.points)), rule.code)
        self.points_spin = QSpinBox(self)
        self.points_spin.setRange(1, 10000)
        self.for_combo = QComboBox(self)
        self.for_combo.setEditable(True)
        from familydoc_desktop.rulesets import load_ruleset
        self.for_combo.addItems(load_ruleset("points_default").get("redeem_examples", []))
        self.for_combo.setCurrentIndex(-1)
        self.date_edit = date_edit(date.today(), self)
        self.form.addRow(self.balance_label)
        self.form.addRow(self.tr("Earn or redeem"), self.mode_combo)
        self.form.addRow(self.tr("Earned for"), self.rule_combo)
        self.form.addRow(self.tr("Redeemed for"), self.for_combo)
        self.form.addRow(self.tr("Points"), self.points_spin)
        self.form.addRow(self.tr("Date"), self.date_edit)
        self.mode_combo.currentIndexChanged.connect(self._mode)
        self.rule_combo.currentIndexChanged.connect(self._rule)
        self.finish(self.tr("Save"), self.tr("Cancel"), self.mode_combo, self.rule_combo,
                    self.for_combo, self.points_spin, self.date_edit)
        self._mode()
        self._rule()

    def earning(self) -> bool:
        return self.mode_combo.currentData() == "earn"

    def _mode(self) -> None:
        self.rule_combo.setEnabled(self.earning())
        self.for_combo.setEnabled(not self.earning())

    def _rule(self) -> None:
        rule = next((r for r in self.rules if r.code == self.rule_combo.currentData()), None)
        if rule is not None and self.earning():
            self.points_spin.setValue(rule.points)

    def store(self, session):  # noqa: ANN001, ANN201
        day = from_qdate(self.date_edit.date())
        if self.earning():
            return services.earn_points(session, resident_id=self.resident_id,
                                        points=self.points_spin.value(),
                                        reason=self.rule_combo.currentData() or "", on_date=day)
        return services.redeem_points(session, resident_id=self.resident_id,
                                      points=self.points_spin.value(),
                                      for_what=self.for_combo.currentText(), on_date=day)


class SurveyDialog(ServiceDialog):
    """满意度调查: a short questionnaire, each question scored 1-5, by phone or in person."""

    table = "satisfaction_survey"

    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", parent)
        self.resident_id = resident_id
        self.setWindowTitle(self.tr("Satisfaction survey — %1").replace(
            "%1", resident_name(ctx, resident_id)))
        self.date_edit = date_edit(date.today(), self)
        self.method_combo = QComboBox(self)
        self.method_combo.addItem(self.tr("In person"), "in_person")
        self.method_combo.addItem(self.tr("Phone"), "phone")
        self.form.addRow(self.tr("Date"), self.date_edit)
        self.form.addRow(self.tr("Method"), self.method_combo)
        self.score_spins: list[QSpinBox] = []
        for question in (self.tr("Knows the team and how to reach it"),
                         self.tr("Attitude of the doctor"),
                         self.tr("Follow-ups and check-ups on time"),
                         self.tr("Medicines available"),
                         self.tr("Overall satisfaction")):
            spin = QSpinBox(self)
            spin.setRange(1, 5)
            spin.setValue(5)
            self.score_spins.append(spin)
            self.form.addRow(question + self.tr(" (1-5)"), spin)
        self.comments_edit = QLineEdit(self)
        self.comments_edit.setMaxLength(500)
        self.form.addRow(self.tr("Comments"), self.comments_edit)
        self.finish(self.tr("Save"), self.tr("Cancel"), self.date_edit, self.method_combo,
                    *self.score_spins, self.comments_edit)

    def store(self, session):  # noqa: ANN001, ANN201
        return services.add_satisfaction(
            session, resident_id=self.resident_id, scores=[s.value() for s in self.score_spins],
            method=self.method_combo.currentData(), on_date=from_qdate(self.date_edit.date()),
            comments=self.comments_edit.text())
