"""Follow-up forms (随访): hypertension and diabetes with the NBPHS-3 fields, the severe
mental disorder follow-up with its risk and stability assessment, the 80+ yearly visit with
the self-care assessment, the general yearly follow-up, and the health check-up (健康体检:
vitals, BMI, lifestyle, main findings, conclusion and advice; domain/checkup.py).

While the doctor types, the form shows range checks, the suggested classification and any
urgent-referral prompt, all from domain rules; the store checks everything again on save.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import checkup, followup, mental, selfcare, vitals
from familydoc_desktop.domain.codes import (
    CheckupConclusion, Colour, MentalClass, VisitClass, VisitKind, VisitMethod,
)
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import residents, visits
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import date_edit, error_label, from_qdate, show_error
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog
from familydoc_desktop.ui.taskman import failure_text

ADHERENCE = ("规律", "间断", "不服药")


class FollowupForm(GuardedDialog):
    def __init__(self, ctx: AppContext, resident_id: str, kind: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.kind = VisitKind(kind)
        self.outcome: visits.VisitOutcome | None = None
        self.quiet = False  # tests and scripts skip the summary box
        with ctx.session() as s:
            r = residents.require_resident(s, resident_id)
            self.resident_name, self.birth = r.name, r.birth_date
            self.rules = visits.visits_ruleset(s)
        self.setWindowTitle(f"{labels.visit_kind_label(self.kind)} — {self.resident_name}")
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.date_edit = date_edit(date.today(), self)
        self.date_edit.setMaximumDate(self.date_edit.date())
        self.method_combo = QComboBox(self)
        for m in VisitMethod:
            if m == VisitMethod.PHONE and self.kind == VisitKind.CHECKUP:
                continue  # a check-up is done at the clinic or at home
            self.method_combo.addItem(labels.label(VisitMethod, m), str(m))
        self.method_note = QLabel(self)
        self.method_note.setObjectName("hint")
        self.method_combo.currentIndexChanged.connect(self._update)
        form.addRow(self.tr("Check-up date") if self.kind == VisitKind.CHECKUP
                    else self.tr("Visit date"), self.date_edit)
        form.addRow(self.tr("Method"), self.method_combo)
        form.addRow("", self.method_note)

        self.fields: dict[str, QLineEdit] = {}
        measured = QGroupBox(self.tr("Measurements"), self)
        mform = QFormLayout(measured)
        wanted = ["sbp", "dbp", "heart_rate", "weight", "height"]
        if self.kind == VisitKind.DIABETES:
            wanted.insert(2, "fasting_glucose")
        if self.kind == VisitKind.SEVERE_MENTAL:
            wanted = ["weight"]  # the NBPHS-3 mental form measures no blood pressure
        self.is_checkup = self.kind == VisitKind.CHECKUP
        if self.is_checkup:
            wanted.append("fasting_glucose")
        titles = {"sbp": self.tr("Systolic BP (mmHg)"), "dbp": self.tr("Diastolic BP (mmHg)"),
                  "fasting_glucose": self.tr("Fasting glucose (mmol/L)"),
                  "heart_rate": self.tr("Heart rate (/min)"), "weight": self.tr("Weight (kg)"),
                  "height": self.tr("Height (cm)")}
        for name in wanted:
            edit = QLineEdit(measured)
            edit.setMaximumWidth(120)
            edit.setValidator(QIntValidator(0, 999, edit) if name in ("sbp", "dbp", "heart_rate")
                              else QDoubleValidator(0.0, 999.0, 1, edit))
            edit.textChanged.connect(self._update)
            self.fields[name] = edit
            mform.addRow(titles[name], edit)
        self.bmi_label = QLabel(measured)
        if self.is_checkup:
            mform.addRow(self.tr("BMI (kg/m²)"), self.bmi_label)
        layout.addWidget(measured)
        self.checkup_inputs: tuple = ()
        if self.is_checkup:
            layout.addWidget(self._checkup_box())

        self.adverse_check = QCheckBox(self.tr("Adverse drug reaction"), self)
        self.complication_check = QCheckBox(self.tr("New or worse complication"), self)
        self.symptoms_edit = QLineEdit(self)
        self.symptoms_edit.setMaxLength(200)
        self.adherence_combo = QComboBox(self)
        self.adherence_combo.addItem("", None)
        for a in ADHERENCE:
            self.adherence_combo.addItem(a, a)
        self.class_combo = QComboBox(self)
        self.class_combo.addItem(self.tr("As suggested"), None)
        self.mental_kind = self.kind == VisitKind.SEVERE_MENTAL
        for c in (MentalClass if self.mental_kind else VisitClass):
            self.class_combo.addItem(labels.visit_class_label(c), str(c))
        self.suggestion = QLabel(self)
        self.suggestion.setObjectName("suggestion")
        self.urgent = QLabel(self)
        self.urgent.setObjectName("urgent")
        self.urgent.setWordWrap(True)
        self.urgent.setVisible(False)
        chronic = self.kind in (VisitKind.HYPERTENSION, VisitKind.DIABETES)
        if chronic:
            cform = QFormLayout()
            flags = QHBoxLayout()
            flags.addWidget(self.adverse_check)
            flags.addWidget(self.complication_check)
            flags.addStretch(1)
            cform.addRow(self.tr("Symptoms"), self.symptoms_edit)
            cform.addRow(self.tr("Medication adherence"), self.adherence_combo)
            cform.addRow("", flags)
            cform.addRow(self.tr("Classification"), self.class_combo)
            cform.addRow("", self.suggestion)
            layout.addLayout(cform)
            self.adverse_check.toggled.connect(self._update)
            self.complication_check.toggled.connect(self._update)
        elif self.mental_kind:
            layout.addWidget(self._mental_box())
        else:  # the chronic-disease fields have no place on an 80+ or general visit
            for w in (self.adverse_check, self.complication_check, self.symptoms_edit,
                      self.adherence_combo, self.class_combo, self.suggestion):
                w.hide()

        self.selfcare_combos: dict[str, QComboBox] = {}
        if self.kind == VisitKind.ELDERLY_80:
            box = QGroupBox(self.tr("Self-care assessment (NBPHS-3)"), self)
            sform = QFormLayout(box)
            for item, (_label_zh, scores) in selfcare.ITEMS.items():
                combo = QComboBox(box)
                for score in scores:  # the points with the scale's words beside them
                    combo.addItem(labels.selfcare_choice_label(item, score), score)
                combo.currentIndexChanged.connect(self._update)
                self.selfcare_combos[item] = combo
                sform.addRow(labels.selfcare_item_label(item), combo)
            self.selfcare_total = QLabel(box)
            sform.addRow(self.tr("Total"), self.selfcare_total)
            layout.addWidget(box)

        self.note_edit = QLineEdit(self)
        self.note_edit.setMaxLength(500)
        nform = QFormLayout()
        nform.addRow(self.tr("Note"), self.note_edit)
        layout.addLayout(nform)
        layout.addWidget(self.urgent)
        self.issues = QLabel(self)
        self.issues.setObjectName("hint")
        self.issues.setWordWrap(True)
        layout.addWidget(self.issues)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.watch(self.date_edit, self.method_combo, *self.fields.values(), self.adverse_check,
                   self.complication_check, self.symptoms_edit, self.adherence_combo,
                   self.class_combo, *self.selfcare_combos.values(), self.note_edit,
                   *getattr(self, "mental_inputs", ()), *self.checkup_inputs)
        # The paper form's order; hidden fields (another kind's) are skipped.
        self.form_fields(self.date_edit, self.method_combo, *self.fields.values(),
                         self.symptoms_edit, *getattr(self, "mental_inputs", ()),
                         self.adherence_combo, self.adverse_check, self.complication_check,
                         self.class_combo, *self.selfcare_combos.values(),
                         *self.checkup_inputs, self.note_edit)
        self._update()

    def _checkup_box(self) -> QGroupBox:
        """生活方式, 体检主要结果, 健康评价 and 健康指导 of a health check-up."""
        box = QGroupBox(self.tr("Check-up results"), self)
        form = QFormLayout(box)
        self.lifestyle_edit = QLineEdit(box)
        self.lifestyle_edit.setMaxLength(checkup.TEXT_LIMITS["lifestyle"])
        self.lifestyle_edit.setPlaceholderText(self.tr("Smoking, drinking, exercise, diet"))
        self.findings_edit = QPlainTextEdit(box)
        self.findings_edit.setMaximumHeight(70)
        self.findings_edit.setPlaceholderText(self.tr("Examination and test results; name "
                                                      "every abnormality"))
        self.conclusion_combo = QComboBox(box)
        self.conclusion_combo.addItem("", None)  # chosen by the doctor, never by default
        for c in CheckupConclusion:
            self.conclusion_combo.addItem(labels.label(CheckupConclusion, c), str(c))
        self.advice_edit = QLineEdit(box)
        self.advice_edit.setMaxLength(checkup.TEXT_LIMITS["advice"])
        form.addRow(self.tr("Lifestyle"), self.lifestyle_edit)
        form.addRow(self.tr("Main findings"), self.findings_edit)
        form.addRow(self.tr("Health assessment"), self.conclusion_combo)
        form.addRow(self.tr("Health advice"), self.advice_edit)
        self.checkup_inputs = (self.lifestyle_edit, self.findings_edit, self.conclusion_combo,
                               self.advice_edit)
        return box

    def checkup_values(self) -> dict:
        """The check-up fields for the store (empty for any other kind)."""
        if not self.is_checkup:
            return {}
        return {"lifestyle": self.lifestyle_edit.text().strip() or None,
                "findings": self.findings_edit.toPlainText().strip() or None,
                "conclusion": self.conclusion_combo.currentData(),
                "health_advice": self.advice_edit.text().strip() or None}

    def _mental_box(self) -> QGroupBox:
        """危险性评估 and the four aspects of the NBPHS-3 severe mental disorder form."""
        box = QGroupBox(self.tr("Condition assessment (NBPHS-3)"), self)
        form = QFormLayout(box)
        self.risk_combo = QComboBox(box)
        risk_texts = (self.tr("0 — no behaviour of the levels below"),
                      self.tr("1 — verbal threats or shouting, no damage"),
                      self.tr("2 — smashing things, stopped by persuasion"),
                      self.tr("3 — obvious damage to things, not stopped by persuasion"),
                      self.tr("4 — keeps damaging things or hurting people"),
                      self.tr("5 — uses weapons, arson, explosion"))
        for level, text in enumerate(risk_texts):
            self.risk_combo.addItem(text, level)
        self.symptoms_combo = QComboBox(box)
        for value, text in zip(mental.SYMPTOM_LEVELS, (self.tr("None"), self.tr("Some"),
                                                        self.tr("Obvious"))):
            self.symptoms_combo.addItem(text, value)
        self.insight_combo = QComboBox(box)
        for value, text in zip(mental.INSIGHT_LEVELS, (self.tr("Full"), self.tr("Partial"),
                                                        self.tr("Lacking"))):
            self.insight_combo.addItem(text, value)
        self.social_combo = QComboBox(box)
        for value, text in zip(mental.ASPECT_LEVELS, (self.tr("Good"), self.tr("Fair"),
                                                       self.tr("Poor"))):
            self.social_combo.addItem(text, value)
        self.severe_adverse_check = QCheckBox(self.tr("Severe adverse drug reaction"), box)
        self.severe_physical_check = QCheckBox(self.tr("Severe physical illness"), box)
        flags = QHBoxLayout()
        flags.addWidget(self.severe_adverse_check)
        flags.addWidget(self.severe_physical_check)
        flags.addStretch(1)
        form.addRow(self.tr("Risk level"), self.risk_combo)
        form.addRow(self.tr("Psychiatric symptoms"), self.symptoms_combo)
        form.addRow(self.tr("Insight"), self.insight_combo)
        form.addRow(self.tr("Social function"), self.social_combo)
        form.addRow("", flags)
        form.addRow(self.tr("Medication adherence"), self.adherence_combo)
        form.addRow(self.tr("Classification"), self.class_combo)
        form.addRow("", self.suggestion)
        for w in (self.adverse_check, self.complication_check, self.symptoms_edit):
            w.hide()
        self.mental_inputs = (self.risk_combo, self.symptoms_combo, self.insight_combo,
                              self.social_combo, self.severe_adverse_check,
                              self.severe_physical_check)
        for combo in self.mental_inputs[:4]:
            combo.currentIndexChanged.connect(self._update)
        for check in self.mental_inputs[4:]:
            check.toggled.connect(self._update)
        return box

    def mental_assessment(self) -> mental.MentalAssessment | None:
        if not self.mental_kind:
            return None
        return mental.MentalAssessment(
            risk_level=self.risk_combo.currentData(), symptoms=self.symptoms_combo.currentData(),
            insight=self.insight_combo.currentData(),
            social_function=self.social_combo.currentData(),
            severe_adverse_reaction=self.severe_adverse_check.isChecked(),
            severe_physical_illness=self.severe_physical_check.isChecked())

    # -- values ---------------------------------------------------------------------------
    def _number(self, name: str) -> int | float | None:
        edit = self.fields.get(name)
        text = edit.text().strip() if edit else ""
        if not text:
            return None
        try:
            return int(text) if name in ("sbp", "dbp", "heart_rate") else float(text)
        except ValueError:
            return None

    def measurements(self) -> dict:
        return {k: self._number(k) for k in ("sbp", "dbp", "heart_rate", "weight", "height",
                                             "fasting_glucose")}

    def selfcare_scores(self) -> dict | None:
        if not self.selfcare_combos:
            return None
        return {k: c.currentData() for k, c in self.selfcare_combos.items()}

    def suggested_class(self) -> VisitClass | MentalClass | None:
        if self.mental_kind:
            return mental.suggest_mental_class(self.mental_assessment())
        m = self.measurements()
        age = age_on(self.birth, from_qdate(self.date_edit.date())) if self.birth else None
        flags = dict(adverse_reaction=self.adverse_check.isChecked(),
                     new_complication=self.complication_check.isChecked())
        if self.kind == VisitKind.HYPERTENSION and m["sbp"] and m["dbp"]:
            return followup.suggest_hypertension_class(m["sbp"], m["dbp"], age=age,
                                                       ruleset=self.rules, **flags)
        if self.kind == VisitKind.DIABETES and m["fasting_glucose"]:
            return followup.suggest_diabetes_class(m["fasting_glucose"], ruleset=self.rules,
                                                   **flags)
        return None

    # -- live feedback --------------------------------------------------------------------
    def _update(self) -> None:
        m = self.measurements()
        issues = vitals.check_vitals(**m)
        self.issues.setText("\n".join(("⚠ " if i.level == "warning" else "✖ ") + i.message
                                      for i in issues))
        suggested = self.suggested_class()
        self.suggestion.setText(self.tr("Suggested: %1").replace("%1", labels.visit_class_label(suggested))
                                if suggested else "")
        urgent = followup.urgent_referral_reasons(sbp=m["sbp"], dbp=m["dbp"],
                                                  fasting_glucose=m["fasting_glucose"],
                                                  ruleset=self.rules)
        if self.mental_kind:
            urgent = mental.urgent_reasons(self.mental_assessment())
        self.urgent.setText(self.tr("Urgent referral advised: %1").replace("%1", "；".join(urgent)))
        self.urgent.setVisible(bool(urgent))
        phone = self.method_combo.currentData() == VisitMethod.PHONE
        self.method_note.setText(
            self.tr("A phone call does not count as the yearly face-to-face visit.")
            if phone and self.kind == VisitKind.ELDERLY_80 else "")
        if self.is_checkup:
            try:
                value = checkup.checkup_bmi(m["weight"], m["height"])
            except DomainError:
                value = None
            self.bmi_label.setText("" if value is None else f"{value:.1f}")
        scores = self.selfcare_scores()
        if scores is not None:
            total = selfcare.selfcare_total(**scores)
            self.selfcare_total.setText(f"{total}（{selfcare.selfcare_level_zh(total)}）")

    # -- save -----------------------------------------------------------------------------
    def save(self) -> bool:
        show_error(self.error, None)
        m = self.measurements()
        try:
            with self.ctx.session() as s:
                self.outcome = visits.record_followup(
                    s, resident_id=self.resident_id, kind=str(self.kind),
                    visit_date=from_qdate(self.date_edit.date()),
                    method=self.method_combo.currentData(),
                    adverse_reaction=self.adverse_check.isChecked(),
                    new_complication=self.complication_check.isChecked(),
                    visit_class=self.class_combo.currentData(),
                    selfcare=self.selfcare_scores(),
                    symptoms=self.symptoms_edit.text().strip() or None,
                    medication_adherence=self.adherence_combo.currentData(),
                    note=self.note_edit.text().strip() or None,
                    mental=self.mental_assessment(), **self.checkup_values(), **m)
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.ctx.notify("followup_visit")
        if not self.quiet:
            QMessageBox.information(self, self.tr("Check-up saved") if self.is_checkup
                                    else self.tr("Follow-up saved"), self.summary())
            if self.outcome.urgent_reasons and QMessageBox.question(
                    self, self.tr("Urgent referral"),
                    self.tr("Urgent referral advised. Fill in the referral now?")
                    ) == QMessageBox.StandardButton.Yes:
                self.urgent_referral().exec()
        return True

    def urgent_referral(self):  # noqa: ANN201
        """The referral the urgent prompt opens, already filled in: up, urgent, the reasons,
        and the follow-up that found them."""
        from familydoc_desktop.ui.screens.referral_dialog import ReferralDialog
        o = self.outcome
        return ReferralDialog(self.ctx, self.resident_id, self,
                              reason="；".join(o.urgent_reasons) if o else "", urgent=True,
                              visit_id=o.visit.id if o else None)

    def summary(self) -> str:
        o = self.outcome
        if o is None:
            return ""
        lines = []
        if o.visit.conclusion:
            lines.append(self.tr("Health assessment: %1").replace(
                "%1", labels.label(CheckupConclusion, o.visit.conclusion)))
            value = checkup.checkup_bmi(o.visit.weight, o.visit.height)
            if value is not None:
                lines.append(f"BMI {value:.1f}")
        if o.visit.visit_class:
            lines.append(self.tr("Classification: %1").replace(
                "%1", labels.visit_class_label(o.visit.visit_class)))
        if o.urgent_reasons:
            lines.append(self.tr("Urgent referral advised: %1").replace(
                "%1", "；".join(o.urgent_reasons)))
        if o.referral_prompt:
            lines.append(self.tr("Two unsatisfactory follow-ups in a row: consider a referral."))
        if o.assessment is not None:
            lines.append(self.tr("Ledger colour: %1").replace(
                "%1", labels.label(Colour, o.assessment.colour)))
        if o.visit.next_visit_date:
            lines.append(self.tr("Next follow-up due: %1").replace(
                "%1", o.visit.next_visit_date.isoformat()))
        lines.extend("⚠ " + w for w in o.warnings)
        return "\n".join(lines) or self.tr("Saved.")
