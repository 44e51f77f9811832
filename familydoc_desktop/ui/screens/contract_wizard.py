"""Signing or renewing a contract as a short wizard: team and term, packages, fees by funding
source from the regional preset, informed consent. The store enforces every rule again; the
wizard only makes the choices easy and shows the money before anyone signs."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QMessageBox, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget, QWizard, QWizardPage,
)

from familydoc_desktop.domain.codes import ConsentBy, FundingSource, PackageKind
from familydoc_desktop.domain.contracts import (
    contract_end, fee_split, personalised_price_split, renewal_start,
)
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.rulesets import list_rulesets, load_ruleset
from familydoc_desktop.store import contracts, orgs, residents, settings
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import date_edit, from_qdate
from familydoc_desktop.ui.widgets.form_keys import FormKeys, on_change
from familydoc_desktop.ui.taskman import failure_text


def yuan(fen_or_decimal) -> str:  # noqa: ANN001
    value = Decimal(fen_or_decimal) / 100 if isinstance(fen_or_decimal, int) else fen_or_decimal
    return f"{value:.2f}"


class ContractWizard(QWizard):
    """`renew_of` is the contract being renewed; otherwise a first signing."""

    def __init__(self, ctx: AppContext, resident_id: str, *, renew_of: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.renew_of = renew_of
        self.contract_id: str | None = None
        self.print_after = False
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Sign"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Cancel"))
        self.resize(760, 560)
        with ctx.session() as s:
            r = residents.require_resident(s, resident_id)
            self.resident_name = r.name
            self.previous = s.get(contracts.Contract, renew_of) if renew_of else None
            team = orgs.ensure_default_team(s, r.org_id)
            list_teams = getattr(orgs, "teams", None)
            self.teams = list(list_teams(s, r.org_id)) if list_teams else [team]
            self.doctors = {t.id: orgs.team_leader(s, t.id) for t in self.teams}
            # Each clinic keeps its own catalogue (prices differ); seed it on first use.
            self.packages = [p for p in contracts.packages(s) if p.org_id == r.org_id]
            if not self.packages:
                contracts.seed_package_catalogue(s, r.org_id)
                self.packages = [p for p in contracts.packages(s) if p.org_id == r.org_id]
            self.default_preset = settings.get_setting(s, "region_preset") or "fees_jilin"
        title = self.tr("Renew contract — %1") if renew_of else self.tr("Sign contract — %1")
        self.setWindowTitle(title.replace("%1", self.resident_name))
        self.team_page = TeamPage(self)
        self.package_page = PackagePage(self)
        self.fee_page = FeePage(self)
        self.consent_page = ConsentPage(self)
        for page in (self.team_page, self.package_page, self.fee_page, self.consent_page):
            self.addPage(page)
        # The keyboard of every form: Enter goes field by field through the page and then
        # to the next page (signs only on the last one, when consent is ticked); Ctrl+S
        # likewise; Esc asks first once something was chosen.
        t, p, c = self.team_page, self.package_page, self.consent_page
        fields = (t.team_combo, t.doctor_combo, t.start_edit, t.years_combo, p.list,
                  p.share_spin, self.fee_page.preset_combo, c.by_resident, c.by_guardian,
                  c.guardian_edit, c.agreed, c.print_check)
        self.keys = FormKeys(self, fields, self.advance)
        self.dirty = False
        on_change(fields, self._mark_dirty)
        p.list.itemChanged.connect(self._mark_dirty)
        self.unsaved_answer: QMessageBox.StandardButton | None = None  # tests answer here

    def _mark_dirty(self, *_args) -> None:  # noqa: ANN002
        self.dirty = True

    def advance(self) -> None:
        """Enter on a page's last field, or Ctrl+S: the next page; sign on the last one."""
        finish = self.button(QWizard.WizardButton.FinishButton)
        if self.currentPage() is self.consent_page or self.nextId() == -1:
            if finish.isEnabled():
                self.accept()
            return
        self.next()

    def reject(self) -> None:
        if self.dirty:
            answer = self.unsaved_answer or QMessageBox.question(
                self, self.tr("Close without signing"),
                self.tr("Close this contract form? The choices made are not kept and "
                        "nothing is signed."),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.dirty = False
        super().reject()

    # -- the choices, read by the pages and by accept() ----------------------------------
    def start(self) -> date:
        return from_qdate(self.team_page.start_edit.date())

    def years(self) -> int:
        return int(self.team_page.years_combo.currentData())

    def preset_name(self) -> str:
        return self.fee_page.preset_combo.currentData()

    def personal_share(self) -> Decimal:
        return Decimal(str(round(self.package_page.share_spin.value() / 100, 2)))

    def chosen_packages(self) -> list:
        return [p for p in self.packages if p.kind == PackageKind.BASIC
                or p.id in self.package_page.checked_ids()]

    def accept(self) -> None:
        consent = self.consent_page
        kwargs = dict(years=self.years(), consent_by=consent.consent_by(),
                      guardian_name=consent.guardian_edit.text().strip() or None,
                      team_id=self.team_page.team_combo.currentData(),
                      doctor_id=self.team_page.doctor_combo.currentData(),
                      package_ids=[p.id for p in self.chosen_packages()],
                      fee_preset=self.preset_name())
        try:
            with self.ctx.session() as s:
                if self.renew_of:
                    c = contracts.renew_contract(s, self.renew_of, start=self.start(), **kwargs)
                else:
                    c = contracts.sign_contract(s, resident_id=self.resident_id,
                                                start=self.start(),
                                                personal_share=self.personal_share(), **kwargs)
                self.contract_id = c.id
        except DomainError as exc:
            consent.error.setText(failure_text(exc))
            consent.error.setVisible(True)
            return
        self.print_after = consent.print_check.isChecked()
        self.ctx.notify("contract")
        super().accept()


class TeamPage(QWizardPage):
    def __init__(self, wizard: ContractWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Team, doctor and term"))
        form = QFormLayout(self)
        self.team_combo = QComboBox(self)
        for team in wizard.teams:
            self.team_combo.addItem(team.name, team.id)
        self.doctor_combo = QComboBox(self)
        self.team_combo.currentIndexChanged.connect(self._fill_doctors)
        self._fill_doctors()
        prev = wizard.previous
        start = renewal_start(prev.end_date) if prev is not None else date.today()
        self.start_edit = date_edit(start, self)
        self.years_combo = QComboBox(self)
        for years in (1, 2, 3):
            self.years_combo.addItem(self.tr("%n year(s)", "", years), years)
        self.end_label = QLabel(self)
        self.start_edit.dateChanged.connect(self._update_end)
        self.years_combo.currentIndexChanged.connect(self._update_end)
        form.addRow(self.tr("Resident"), QLabel(wizard.resident_name, self))
        if prev is not None:
            form.addRow(self.tr("Renewing"), QLabel(
                f"{prev.start_date.isoformat()} — {prev.end_date.isoformat()}", self))
        form.addRow(self.tr("Family doctor team"), self.team_combo)
        form.addRow(self.tr("Responsible doctor"), self.doctor_combo)
        form.addRow(self.tr("Start date"), self.start_edit)
        form.addRow(self.tr("Term"), self.years_combo)
        form.addRow(self.tr("End date"), self.end_label)
        self._update_end()

    def _fill_doctors(self) -> None:
        self.doctor_combo.clear()
        leader = self.w.doctors.get(self.team_combo.currentData())
        if leader is not None:
            self.doctor_combo.addItem(leader.name, leader.id)

    def _update_end(self) -> None:
        end = contract_end(from_qdate(self.start_edit.date()), int(self.years_combo.currentData()))
        self.end_label.setText(end.isoformat())


class PackagePage(QWizardPage):
    def __init__(self, wizard: ContractWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Service packages"))
        self.setSubTitle(self.tr("The basic package is always included; tick the personalised "
                                 "packages the resident chose."))
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        previous_ids = set()
        if wizard.previous is not None:
            with wizard.ctx.session() as s:
                previous_ids = {p.package_id for p in contracts.packages_of(s, wizard.previous.id)}
        for p in wizard.packages:
            tag = self.tr(" [basic public health service]") if p.public_health else ""
            text = f"{p.name}  ¥{yuan(p.price_fen)}{tag}"
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            if p.kind == PackageKind.BASIC:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable
                              & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if p.id in previous_ids
                                   else Qt.CheckState.Unchecked)
        layout.addWidget(self.list)
        form = QFormLayout()
        self.share_spin = QDoubleSpinBox(self)
        self.share_spin.setRange(40, 50)
        self.share_spin.setSuffix(" %")
        self.share_spin.setDecimals(0)
        self.share_spin.setValue(40)
        form.addRow(self.tr("Personal share of personalised packages"), self.share_spin)
        layout.addLayout(form)

    def checked_ids(self) -> set[str]:
        out = set()
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.add(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_checked(self, package_id: str, checked: bool = True) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == package_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


class FeePage(QWizardPage):
    def __init__(self, wizard: ContractWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Fees by funding source"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.preset_combo = QComboBox(self)
        for name in list_rulesets("fees"):
            preset = load_ruleset(name)
            self.preset_combo.addItem(f"{preset.get('region', name)} ({preset.get('version')})",
                                      name)
        i = self.preset_combo.findData(wizard.default_preset)
        self.preset_combo.setCurrentIndex(max(i, 0))
        self.preset_combo.currentIndexChanged.connect(self.initializePage)
        form.addRow(self.tr("Regional fee preset"), self.preset_combo)
        layout.addLayout(form)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([
            self.tr("Item"), labels.label(FundingSource, FundingSource.PUBLIC_HEALTH),
            labels.label(FundingSource, FundingSource.INSURANCE),
            labels.label(FundingSource, FundingSource.PERSONAL), self.tr("Total")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 260)
        layout.addWidget(self.table)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)

    def initializePage(self) -> None:
        preset = load_ruleset(self.w.preset_name())
        rows = []
        try:
            basic = fee_split(preset)
            rows.append((self.tr("Basic package (per year)"), basic))
            self.note.setText("")
        except DomainError as exc:
            self.note.setText(failure_text(exc))
        rules = preset.get("personalised") or {}
        cap = Decimal(str(rules.get("insurance_cap", "40")))
        for p in self.w.chosen_packages():
            if p.kind == PackageKind.PERSONALISED:
                split = personalised_price_split(Decimal(p.price_fen) / 100,
                                                 self.w.personal_share(), cap)
                rows.append((p.name, split))
        self.table.setRowCount(len(rows) + 1)
        totals = [Decimal(0)] * 4
        for r, (name, split) in enumerate(rows):
            values = (split.public_health, split.insurance, split.personal, split.total)
            self.table.setItem(r, 0, QTableWidgetItem(name))
            for c, v in enumerate(values, 1):
                self.table.setItem(r, c, _money_item(v))
                totals[c - 1] += v
        last = len(rows)
        self.table.setItem(last, 0, QTableWidgetItem(self.tr("Total per year")))
        for c, v in enumerate(totals, 1):
            self.table.setItem(last, c, _money_item(v))
        self.total_personal = totals[2]
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, max(self.table.columnWidth(0), 240))


def _money_item(value: Decimal) -> QTableWidgetItem:
    item = QTableWidgetItem(yuan(value))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ConsentPage(QWizardPage):
    def __init__(self, wizard: ContractWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Informed consent"))
        self.setSubTitle(self.tr("Explain the agreement and the packages; the resident or "
                                 "the guardian agrees."))
        form = QFormLayout(self)
        self.by_resident = QRadioButton(self.tr("Resident in person"), self)
        self.by_guardian = QRadioButton(self.tr("Guardian"), self)
        self.by_resident.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_resident)
        group.addButton(self.by_guardian)
        self.guardian_edit = QLineEdit(self)
        self.guardian_edit.setPlaceholderText(self.tr("Guardian's name"))
        self.guardian_edit.setEnabled(False)
        self.by_guardian.toggled.connect(self.guardian_edit.setEnabled)
        self.by_guardian.toggled.connect(self.completeChanged)
        self.guardian_edit.textChanged.connect(self.completeChanged)
        self.agreed = QCheckBox(self.tr("The agreement was explained and consent was given"),
                                self)
        self.agreed.toggled.connect(self.completeChanged)
        self.print_check = QCheckBox(self.tr("Print the agreement after signing"), self)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form.addRow(self.tr("Consent by"), self.by_resident)
        form.addRow("", self.by_guardian)
        form.addRow(self.tr("Guardian"), self.guardian_edit)
        form.addRow("", self.agreed)
        form.addRow("", self.print_check)
        form.addRow("", self.error)

    def consent_by(self) -> str:
        return ConsentBy.GUARDIAN if self.by_guardian.isChecked() else ConsentBy.RESIDENT

    def isComplete(self) -> bool:
        if not self.agreed.isChecked():
            return False
        return not (self.by_guardian.isChecked() and not self.guardian_edit.text().strip())



def renew_for_resident(ctx: AppContext, resident_id: str, parent: QWidget | None = None) -> bool:
    """Open the renewal wizard on the resident's active or expired contract."""
    with ctx.session() as s:
        current = next((c for c in contracts.contracts_for(s, resident_id)
                        if c.status in ("active", "expired")), None)
    if current is None:
        return False
    return bool(ContractWizard(ctx, resident_id, renew_of=current.id, parent=parent).exec())
