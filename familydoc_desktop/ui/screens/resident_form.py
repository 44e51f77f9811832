"""The resident form: identity with inline checks (typing the ID number fills birth date and
sex), household link, key populations, and for a saved resident the history tabs and the
actions of the day (sign/renew/terminate a contract, follow-ups, sickbed)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import idcard
from familydoc_desktop.domain.codes import Condition, Membership, Sex
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError, IdNumberError
from familydoc_desktop.store import audit, households, residents
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.screens.resident_history import ResidentHistory
from familydoc_desktop.ui.widgets.common import error_label, from_qdate, show_error, to_qdate
from familydoc_desktop.ui.widgets.guarded_dialog import GuardedDialog
from familydoc_desktop.ui.taskman import failure_text

NO_DATE = QDate(1880, 1, 1)  # shown blank: "no birth date typed yet"
CONDITION_CHOICES = (Condition.HYPERTENSION, Condition.DIABETES, Condition.TUBERCULOSIS,
                     Condition.SEVERE_MENTAL, Condition.COPD)
MEMBERSHIP_CHOICES = (Membership.DISABLED, Membership.POVERTY, Membership.FP_SPECIAL)
RELATIONS = ("户主", "配偶", "子女", "父母", "孙辈", "兄弟姐妹", "其他")


def _coded_value(combo: QComboBox) -> str | None:
    """An editable combo's value: the data of the listed item whose text is shown, else the
    text typed in (stripped; None when empty)."""
    text = combo.currentText().strip()
    if not text:
        return None
    index = combo.findText(text, Qt.MatchFlag.MatchExactly)
    if index >= 0 and combo.itemData(index):
        return str(combo.itemData(index))
    return text


class ResidentForm(GuardedDialog):
    def __init__(self, ctx: AppContext, resident_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.saved_id: str | None = None
        self._revealed = resident_id is None
        self._stored_id_number: str | None = None
        self._stored_phone: str | None = None
        self._existing_pops: frozenset[str] = frozenset()
        self.setWindowTitle(self.tr("New resident") if resident_id is None
                            else self.tr("Resident record"))
        self.resize(980, 660 if resident_id else 520)

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        outer.addLayout(top, 0)
        top.addWidget(self._identity_box(), 3)
        right = QVBoxLayout()
        right.addWidget(self._household_box())
        right.addWidget(self._populations_box())
        top.addLayout(right, 2)

        self.general_error = error_label(self)
        outer.addWidget(self.general_error)

        self.history: ResidentHistory | None = None
        if resident_id is not None:
            self.history = ResidentHistory(ctx, resident_id, self)
            outer.addWidget(self.history, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        outer.addWidget(self.buttons)

        if resident_id is not None:
            self._load()
        self.watch(self.name_edit, self.id_edit, self.sex_combo, self.birth_edit,
                   self.phone_edit, self.address_edit, self.village_edit,
                   self.household_edit, self.relation_combo, *self.pop_checks.values())
        self.form_fields(self.name_edit, self.id_edit, self.sex_combo, self.birth_edit,
                         self.phone_edit, self.address_edit, self.village_edit,
                         self.household_edit, self.relation_combo, *self.pop_checks.values())
        self.name_edit.setFocus()

    # -- layout ---------------------------------------------------------------------------
    def _identity_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Identity"), self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(box)
        self.name_edit.setMaxLength(50)
        self.name_error = error_label(box)
        form.addRow(self.tr("Name *"), self.name_edit)
        form.addRow("", self.name_error)

        id_row = QHBoxLayout()
        self.id_edit = QLineEdit(box)
        self.id_edit.setMaxLength(20)
        self.id_edit.setPlaceholderText(self.tr("18 digits; fills birth date and sex"))
        self.id_edit.textChanged.connect(self._on_id_changed)
        self.reveal_button = QPushButton(self.tr("Show"), box)
        self.reveal_button.setToolTip(self.tr("Show the full ID number and phone (logged)"))
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_button.setVisible(not self._revealed)
        id_row.addWidget(self.id_edit, 1)
        id_row.addWidget(self.reveal_button)
        self.id_error = error_label(box)
        self.id_hint = QLabel(box)
        self.id_hint.setObjectName("hint")
        form.addRow(self.tr("ID number"), id_row)
        form.addRow("", self.id_error)
        form.addRow("", self.id_hint)

        self.sex_combo = QComboBox(box)
        self.sex_combo.addItem("", None)
        for sex in Sex:
            self.sex_combo.addItem(labels.label(Sex, sex), str(sex))
        self.sex_error = error_label(box)
        form.addRow(self.tr("Sex"), self.sex_combo)
        form.addRow("", self.sex_error)

        self.birth_edit = QDateEdit(box)
        self.birth_edit.setDisplayFormat("yyyy-MM-dd")
        self.birth_edit.setCalendarPopup(True)
        self.birth_edit.setMinimumDate(NO_DATE)
        self.birth_edit.setMaximumDate(QDate.currentDate())
        self.birth_edit.setSpecialValueText(" ")
        self.birth_edit.setDate(NO_DATE)
        self.birth_error = error_label(box)
        form.addRow(self.tr("Birth date"), self.birth_edit)
        form.addRow("", self.birth_error)

        self.phone_edit = QLineEdit(box)
        self.phone_edit.setMaxLength(20)
        self.phone_error = error_label(box)
        form.addRow(self.tr("Phone"), self.phone_edit)
        form.addRow("", self.phone_error)
        self.address_edit = QLineEdit(box)
        self.address_edit.setMaxLength(200)
        form.addRow(self.tr("Address"), self.address_edit)
        return box

    def _household_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Household"), self)
        form = QFormLayout(box)
        self.village_edit = QComboBox(box)
        self.village_edit.setEditable(True)
        self.village_edit.lineEdit().setMaxLength(40)
        self.village_edit.lineEdit().setPlaceholderText(
            self.tr("Village name or 12-digit code"))
        villages, home = self._villages()
        for code, name in villages:  # the village by name; its code beside it and as data
            self.village_edit.addItem(f"{name}（{code}）", code)
            self.village_edit.setItemData(self.village_edit.count() - 1, code,
                                          Qt.ItemDataRole.ToolTipRole)
        # A new resident lives, most likely, in this PC's clinic village.
        self.village_edit.setCurrentIndex(self.village_edit.findData(home) if home else -1)
        self.village_error = error_label(box)
        form.addRow(self.tr("Village"), self.village_edit)
        form.addRow("", self.village_error)
        self.household_edit = QLineEdit(box)
        self.household_edit.setPlaceholderText(self.tr("Household number (new or existing)"))
        self.household_error = error_label(box)
        form.addRow(self.tr("Household no."), self.household_edit)
        form.addRow("", self.household_error)
        self.relation_combo = QComboBox(box)
        self.relation_combo.setEditable(True)
        self.relation_combo.addItem("", None)
        for relation in RELATIONS:  # stored in Chinese (the paper form's words), shown in the UI's
            self.relation_combo.addItem(labels.relation_label(relation), relation)
        form.addRow(self.tr("Relation to head"), self.relation_combo)
        return box

    def _populations_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Key populations (diagnoses and groups)"), self)
        grid = QGridLayout(box)
        self.pop_checks: dict[str, QCheckBox] = {}
        for i, code in enumerate((*CONDITION_CHOICES, *MEMBERSHIP_CHOICES)):
            kind = Condition if code in CONDITION_CHOICES else Membership
            check = QCheckBox(labels.label(kind, str(code)), box)
            self.pop_checks[str(code)] = check
            grid.addWidget(check, i // 2, i % 2)
        self.age_label = QLabel(box)
        self.age_label.setObjectName("hint")
        grid.addWidget(self.age_label, 4, 0, 1, 2)
        return box

    def _villages(self) -> tuple[list[tuple[str, str]], str | None]:
        """The villages in scope and this PC's clinic village (None when not set up)."""
        from familydoc_desktop.store import orgs
        from familydoc_desktop.ui.villages import villages
        with self.ctx.session() as s:
            home = orgs.home_clinic(s).code
            return villages(s), (None if home == orgs.PLACEHOLDER_CODE else home)

    def village_code(self) -> str | None:
        """The chosen village's code: a listed village by name, or a code typed in."""
        return _coded_value(self.village_edit)

    def relation(self) -> str | None:
        return _coded_value(self.relation_combo)

    # -- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        with self.ctx.session() as s:
            r = residents.get_resident(s, self.resident_id, actor=self.ctx.actor)
            if r is None:
                raise DomainError("resident_unknown", "找不到该居民")
            household = s.get(households.Household, r.household_id) if r.household_id else None
            self._existing_pops = frozenset(
                str(p) for p in residents.resident_populations(s, r.id))
        self.name_edit.setText(r.name)
        self._stored_id_number, self._stored_phone = r.id_number, r.phone
        self._show_identity_numbers()
        if r.sex:
            self.sex_combo.setCurrentIndex(self.sex_combo.findData(r.sex))
        if r.birth_date:
            self.birth_edit.setDate(to_qdate(r.birth_date))
            self.age_label.setText(self.tr("Age %1").replace(
                "%1", str(age_on(r.birth_date, date.today()))))
        self.address_edit.setText(r.address or "")
        index = self.village_edit.findData(r.village_code) if r.village_code else -1
        if index >= 0:
            self.village_edit.setCurrentIndex(index)
        else:
            self.village_edit.setEditText(r.village_code or "")
        self.household_edit.setText(household.household_no if household else "")
        index = self.relation_combo.findData(r.relation_to_head) if r.relation_to_head else -1
        if index >= 0:
            self.relation_combo.setCurrentIndex(index)
        else:
            self.relation_combo.setEditText(r.relation_to_head or "")
        for code, check in self.pop_checks.items():
            if code in self._existing_pops:
                check.setChecked(True)
                check.setEnabled(False)  # ending a diagnosis is a clinical record, not a tick
        self.setWindowTitle(self.tr("Resident record — %1").replace("%1", r.name))
        self.dirty = False

    def _show_identity_numbers(self) -> None:
        masked = not self._revealed
        self.id_edit.blockSignals(True)
        self.id_edit.setText(idcard.mask_id(self._stored_id_number) if masked and
                             self._stored_id_number else (self._stored_id_number or ""))
        self.id_edit.blockSignals(False)
        self.phone_edit.setText(idcard.mask_phone(self._stored_phone) if masked and
                                self._stored_phone else (self._stored_phone or ""))
        self.id_edit.setReadOnly(masked)
        self.phone_edit.setReadOnly(masked)
        self.reveal_button.setVisible(masked)

    def reveal(self) -> None:
        """Show the full numbers for editing; the view of sensitive data is logged."""
        if self._revealed:
            return
        with self.ctx.session() as s:
            audit.log(s, self.ctx.actor, "reveal", "resident", self.resident_id)
        self._revealed = True
        self._show_identity_numbers()

    # -- inline checks --------------------------------------------------------------------
    def _on_id_changed(self, text: str) -> None:
        raw = idcard.normalize_id(text)
        if not raw:
            show_error(self.id_error, None)
            self.id_hint.setText(self.tr("Without an ID number, sex and birth date are "
                                         "required; the record is flagged for matching."))
            return
        self.id_hint.setText("")
        if len(raw) < 15 or len(raw) in (16, 17):
            show_error(self.id_error, None)  # still typing
            return
        try:
            info = idcard.parse_id(raw)
        except IdNumberError as exc:
            show_error(self.id_error, failure_text(exc))
            return
        show_error(self.id_error, None)
        self.sex_combo.setCurrentIndex(self.sex_combo.findData(str(info.sex)))
        self.birth_edit.setDate(to_qdate(info.birth_date))
        self.age_label.setText(self.tr("Age %1").replace(
            "%1", str(age_on(info.birth_date, date.today()))))
        show_error(self.sex_error, None)
        show_error(self.birth_error, None)

    def _clear_errors(self) -> None:
        for lab in (self.name_error, self.id_error, self.sex_error, self.birth_error,
                    self.phone_error, self.village_error, self.household_error,
                    self.general_error):
            show_error(lab, None)

    def _show_domain_error(self, exc: DomainError) -> None:
        code = exc.code
        if isinstance(exc, IdNumberError) or code.startswith("id_"):
            target, widget = self.id_error, self.id_edit
        elif code in ("name",):
            target, widget = self.name_error, self.name_edit
        elif code in ("sex", "sex_mismatch"):
            target, widget = self.sex_error, self.sex_combo
        elif code in ("birth_date", "birth_mismatch", "date", "date_future", "identity"):
            target, widget = self.birth_error, self.birth_edit
        elif code == "phone":
            target, widget = self.phone_error, self.phone_edit
        elif code == "village_code":
            target, widget = self.village_error, self.village_edit
        elif code.startswith("household"):
            target, widget = self.household_error, self.household_edit
        else:
            target, widget = self.general_error, None
        show_error(target, failure_text(exc))
        if widget is not None:
            widget.setFocus()

    # -- saving ---------------------------------------------------------------------------
    def values(self) -> dict:
        birth = None if self.birth_edit.date() == NO_DATE else from_qdate(self.birth_edit.date())
        values = {
            "name": self.name_edit.text(),
            "sex": self.sex_combo.currentData(),
            "birth_date": birth,
            "address": self.address_edit.text().strip() or None,
            "village_code": self.village_code(),
            "relation_to_head": self.relation(),
        }
        if self._revealed:
            values["id_number"] = self.id_edit.text().strip() or None
            values["phone"] = self.phone_edit.text().strip() or None
        return values

    def save(self) -> bool:
        self._clear_errors()
        values = self.values()
        new_pops = [c for c, check in self.pop_checks.items()
                    if check.isChecked() and c not in self._existing_pops]
        try:
            with self.ctx.session() as s:
                org_id = self.ctx.org_id
                household_id = self._household_id(s, org_id, values)
                if self.resident_id is None:
                    r = residents.create_resident(s, org_id=org_id, household_id=household_id,
                                                  actor=self.ctx.actor, **values)
                else:
                    r = residents.update_resident(s, self.resident_id, household_id=household_id,
                                                  actor=self.ctx.actor, **values)
                today = date.today()
                for code in new_pops:
                    if code in set(Condition):
                        residents.add_diagnosis(s, r.id, code, today)
                    else:
                        residents.add_membership(s, r.id, code, today)
                if household_id and values.get("relation_to_head") == "户主":
                    households.set_head(s, household_id, r.id)
                self.saved_id = r.id
        except DomainError as exc:
            self._show_domain_error(exc)
            return False
        self.resident_id = self.resident_id or self.saved_id
        self.ctx.notify("resident")
        return True

    def _household_id(self, s, org_id: str, values: dict) -> str | None:  # noqa: ANN001
        number = self.household_edit.text().strip()
        if not number:
            return None
        found = households.household_by_no(s, org_id, number)
        if found is None:
            found = households.create_household(
                s, org_id=org_id, household_no=number, address=values.get("address"),
                village_code=values.get("village_code"))
        return found.id



def open_record(ctx: AppContext, resident_id: str | None, parent: QWidget) -> ResidentForm:
    """Open a resident's record (or a new one) over the screen it was asked from; the doctor
    comes back to that screen's list when it closes (never to another screen)."""
    form = ResidentForm(ctx, resident_id, parent)
    form.exec()
    return form
