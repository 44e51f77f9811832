"""History tabs of a saved resident (contracts, visits, ledger, sickbeds, referrals) and the
actions of the day on that resident."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QMenu, QPushButton, QTabWidget, QTableView, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.codes import (
    CheckupConclusion,
    Colour, ConsentBy, ContractStatus, Sex, SickbedOutcome, SickbedType, TerminationReason,
    VisitKind, VisitMethod)
from familydoc_desktop.domain import referral as referral_rules
from familydoc_desktop.store import contracts, households, ledger, residents, services, sickbeds
from familydoc_desktop.store import visits
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import Column, RowsTableModel
from familydoc_desktop.ui.widgets.common import table_view

COLOUR_HEX = {"red": "#c62828", "yellow": "#b28704", "green": "#2e7d32"}


def _money(yuan) -> str:  # noqa: ANN001
    return f"{yuan:.2f}"


class ResidentHistory(QWidget):
    def __init__(self, ctx: AppContext, resident_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        self.sign_button = QPushButton(self.tr("Sign contract…"), self)
        self.sign_button.clicked.connect(self.sign_contract)
        self.renew_button = QPushButton(self.tr("Renew…"), self)
        self.renew_button.clicked.connect(self.renew_contract)
        self.terminate_button = QPushButton(self.tr("Terminate…"), self)
        self.terminate_button.clicked.connect(self.terminate_contract)
        self.print_button = QPushButton(self.tr("Print agreement…"), self)
        self.print_button.clicked.connect(self.print_agreement)
        self.visit_button = QPushButton(self.tr("Record follow-up"), self)
        menu = QMenu(self.visit_button)
        for kind in VisitKind:
            menu.addAction(labels.visit_kind_label(kind),
                           lambda k=str(kind): self.record_visit(k))
        self.visit_button.setMenu(menu)
        self.sickbed_button = QPushButton(self.tr("Admit to home sickbed…"), self)
        self.sickbed_button.clicked.connect(self.admit_sickbed)
        self.referral_button = QPushButton(self.tr("Refer…"), self)
        self.referral_button.clicked.connect(self.add_referral)
        self.referral_step_button = QPushButton(self.tr("Referral step…"), self)
        self.referral_step_button.setToolTip(self.tr(
            "Mark the selected referral received, completed or returned"))
        self.referral_step_button.clicked.connect(self.referral_step)
        self.services_button = QPushButton(self.tr("Other services"), self)
        services_menu = QMenu(self.services_button)
        services_menu.addAction(self.tr("Long prescription…"), self.add_prescription)
        services_menu.addAction(self.tr("Drug shortage…"), lambda: self.service_form("shortage"))
        services_menu.addAction(self.tr("Health points…"), lambda: self.service_form("points"))
        services_menu.addAction(self.tr("Satisfaction survey…"),
                                lambda: self.service_form("survey"))
        services_menu.addAction(self.tr("Health information push…"),
                                lambda: self.service_form("push"))
        self.services_button.setMenu(services_menu)
        for b in (self.sign_button, self.renew_button, self.terminate_button, self.print_button,
                  self.visit_button, self.sickbed_button, self.referral_button,
                  self.referral_step_button, self.services_button):
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.contracts_model = RowsTableModel([
            Column(self.tr("Start"), lambda c: c.start_date),
            Column(self.tr("End"), lambda c: c.end_date),
            Column(self.tr("Years"), lambda c: c.term_years, align_right=True),
            Column(self.tr("Status"), lambda c: labels.label(ContractStatus, c.status)),
            Column(self.tr("Consent"), lambda c: labels.label(ConsentBy, c.consent_by)
                   + (f"（{c.guardian_name}）" if c.guardian_name else "")),
            # The agreement's 合计 by source (basic and personalised packages), from the same
            # fee lines the printed agreement shows.
            Column(self.tr("Fees (PH/Ins/Personal)"), lambda c: "/".join(
                _money(x) for x in self._fee_totals.get(c.id, ()))),
            Column(self.tr("Termination"), lambda c: (
                f"{c.terminated_on} {labels.label(TerminationReason, c.termination_reason)} "
                f"{c.termination_note or ''}" if c.terminated_on else "")),
        ], self)
        self.visits_model = RowsTableModel([
            Column(self.tr("Date"), lambda v: v.visit_date),
            Column(self.tr("Kind"), lambda v: labels.visit_kind_label(v.kind)),
            Column(self.tr("Method"), lambda v: labels.label(VisitMethod, v.method)),
            Column(self.tr("BP"), lambda v: f"{v.sbp}/{v.dbp}" if v.sbp else ""),
            Column(self.tr("Glucose"), lambda v: v.fasting_glucose),
            Column(self.tr("Self-care"), lambda v: v.selfcare_total),
            # A check-up has no class: its health assessment (健康评价) stands there.
            Column(self.tr("Classification"), lambda v: labels.visit_class_label(v.visit_class)
                   or labels.label(CheckupConclusion, v.conclusion)),
            Column(self.tr("Next due"), lambda v: v.next_visit_date),
            Column(self.tr("Funding"), lambda v: labels.public_health_mark(
                v.kind, age=self._age_on(v.visit_date))),
        ], self)
        self.ledger_model = RowsTableModel([
            Column(self.tr("Date"), lambda a: a.assessed_on),
            Column(self.tr("Colour"), lambda a: "● " + labels.label(Colour, a.colour),
                   colour=lambda a: COLOUR_HEX.get(a.colour)),
            Column(self.tr("Reasons"), lambda a: "；".join(ledger.reason_texts(a.reasons))),
            Column(self.tr("Override"), lambda a: (
                f"{a.author}: {a.override_reason}" if a.override else "")),
        ], self)
        self.sickbeds_model = RowsTableModel([
            Column(self.tr("Admitted"), lambda b: b.admitted_on),
            Column(self.tr("Type"), lambda b: labels.label(SickbedType, b.bed_type)),
            Column(self.tr("Diagnosis"), lambda b: b.diagnosis),
            Column(self.tr("Discharged"), lambda b: b.discharged_on),
            Column(self.tr("Outcome"), lambda b: labels.label(SickbedOutcome, b.outcome)),
        ], self)
        self.referrals_model = RowsTableModel([
            Column(self.tr("Date"), lambda r: r.referral_date),
            Column(self.tr("Direction"), lambda r: labels.referral_direction_label(r.direction)
                   + (self.tr(" (urgent)") if r.urgent else "")),
            Column(self.tr("Receiving unit"), lambda r: r.receiving_unit),
            Column(self.tr("Reason"), lambda r: r.reason),
            Column(self.tr("Status"), lambda r: labels.referral_status_label(r.status)),
            Column(self.tr("Received"), lambda r: r.received_on),
            Column(self.tr("Completed"), lambda r: r.completed_on),
            Column(self.tr("Returned"), lambda r: r.returned_on),
        ], self)
        self.services_model = RowsTableModel([
            Column(self.tr("Date"), lambda e: e.on),
            Column(self.tr("Service"), lambda e: labels.service_kind_label(e.kind)),
            Column(self.tr("Detail"), lambda e: e.detail),
            Column(self.tr("Funding"), lambda e: labels.PUBLIC_HEALTH_MARK if e.public_health
                   else ""),  # e.public_health: domain/public_health.py
        ], self)
        self.household_model = RowsTableModel([
            Column(self.tr("Name"), lambda r: r.name),
            Column(self.tr("Sex"), lambda r: labels.label(Sex, r.sex)),
            Column(self.tr("Birth date"), lambda r: r.birth_date),
            Column(self.tr("Relation to head"), lambda r: r.relation_to_head or ""),
        ], self)
        self.views: dict[str, QTableView] = {}
        for key, title, model in (
                ("contracts", self.tr("Contracts"), self.contracts_model),
                ("visits", self.tr("Follow-ups"), self.visits_model),
                ("ledger", self.tr("Ledger"), self.ledger_model),
                ("sickbeds", self.tr("Sickbeds"), self.sickbeds_model),
                ("referrals", self.tr("Referrals"), self.referrals_model),
                ("services", self.tr("Other services"), self.services_model),
                ("household", self.tr("Household members"), self.household_model)):
            view = table_view(self)
            view.setModel(model)
            view.setColumnWidth(0, 110)
            self.views[key] = view
            self.tabs.addTab(view, title)
        self.views["referrals"].selectionModel().currentChanged.connect(
            lambda *_: self._update_step_button())
        self.refresh()

    # -- data -----------------------------------------------------------------------------
    def _age_on(self, day):  # noqa: ANN001, ANN202
        from familydoc_desktop.domain.dates import age_on
        born = self._birth_date
        return age_on(born, day) if born is not None and day is not None and born <= day else None

    def refresh(self) -> None:
        rid = self.resident_id
        with self.ctx.session() as s:
            me = residents.get_resident(s, rid)
            self._birth_date = me.birth_date if me is not None else None
            self.contracts = contracts.contracts_for(s, rid)
            self._fee_totals = {}
            for c in self.contracts:
                t = contracts.fees_of(s, c).total
                self._fee_totals[c.id] = (t.public_health, t.insurance, t.personal)
            self.contracts_model.set_rows(self.contracts)
            self.visits_model.set_rows(visits.visits_for(s, rid))
            self.ledger_model.set_rows(list(reversed(ledger.history(s, rid))))
            self.sickbeds_model.set_rows(sickbeds.sickbeds_for(s, rid))
            self.referrals_model.set_rows(services.referrals_for(s, rid))
            self.services_model.set_rows(services.history_for(s, rid))
            me = residents.get_resident(s, rid)
            self.household_model.set_rows(households.members(s, me.household_id)
                                          if me is not None and me.household_id else [])
        for view in self.views.values():
            view.resizeColumnsToContents()
        self.open_sickbed = next((b for b in self.sickbeds_model.rows
                                  if b.discharged_on is None), None)
        current = self.current_contract()
        renewable = next((c for c in self.contracts if c.status in
                          (ContractStatus.ACTIVE, ContractStatus.EXPIRED)), None)
        self.sign_button.setEnabled(current is None)
        self.renew_button.setEnabled(renewable is not None)
        self.terminate_button.setEnabled(current is not None)
        self.print_button.setEnabled(bool(self.contracts))
        self.sickbed_button.setEnabled(self.open_sickbed is None)
        self._update_step_button()

    def selected_referral(self):  # noqa: ANN201
        index = self.views["referrals"].currentIndex()
        rows = self.referrals_model.rows
        if not index.isValid() or index.row() >= len(rows):
            # The only open referral is the one meant when none is selected.
            open_ = [r for r in rows if referral_rules.NEXT.get(r.status)]
            return open_[0] if len(open_) == 1 else None
        return rows[index.row()]

    def _update_step_button(self) -> None:
        row = self.selected_referral()
        self.referral_step_button.setEnabled(
            row is not None and bool(referral_rules.NEXT.get(row.status)))

    def current_contract(self):  # noqa: ANN201
        return next((c for c in self.contracts
                     if c.status in (ContractStatus.ACTIVE, ContractStatus.PENDING)), None)

    def _changed(self) -> None:
        self.refresh()

    # -- actions --------------------------------------------------------------------------
    def sign_contract(self, *, renew_of: str | None = None):  # noqa: ANN201
        from familydoc_desktop.ui.screens.contract_wizard import ContractWizard
        wizard = ContractWizard(self.ctx, self.resident_id, renew_of=renew_of, parent=self)
        if wizard.exec():
            self._changed()
            if wizard.print_after and wizard.contract_id:
                self.print_agreement(wizard.contract_id)
        return wizard

    def renew_contract(self) -> None:
        renewable = next((c for c in self.contracts if c.status in
                          (ContractStatus.ACTIVE, ContractStatus.EXPIRED)), None)
        if renewable is not None:
            self.sign_contract(renew_of=renewable.id)

    def terminate_contract(self) -> None:
        from familydoc_desktop.ui.screens.terminate_dialog import TerminateDialog
        current = self.current_contract()
        if current is None:
            return
        if TerminateDialog(self.ctx, current.id, self).exec():
            self._changed()

    def print_agreement(self, contract_id: str | None = None) -> None:
        from familydoc_desktop.ui import printing
        contract_id = contract_id or (self.contracts[0].id if self.contracts else None)
        if contract_id is None:
            return
        menu_choice = printing.ask_target(self)
        if menu_choice == "pdf":
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save agreement as PDF"),
                                                  "签约服务协议书.pdf", "PDF (*.pdf)")
            if path:
                try:
                    printing.agreement_to_pdf(self.ctx, contract_id, path)
                except Exception as exc:  # noqa: BLE001 - shown in Chinese, traceback logged
                    from PySide6.QtWidgets import QMessageBox
                    from familydoc_desktop.ui.taskman import failure_text
                    QMessageBox.warning(self, self.tr("Print agreement"), failure_text(exc))
        elif menu_choice == "printer":
            printing.agreement_to_printer(self.ctx, contract_id, self)

    def record_visit(self, kind: str) -> None:
        from familydoc_desktop.ui.screens.followup_form import FollowupForm
        if FollowupForm(self.ctx, self.resident_id, kind, self).exec():
            self._changed()

    def admit_sickbed(self) -> None:
        from familydoc_desktop.ui.screens.sickbeds import AdmitDialog
        if AdmitDialog(self.ctx, self.resident_id, self).exec():
            self._changed()

    def add_referral(self) -> None:
        from familydoc_desktop.ui.screens.referral_dialog import ReferralDialog
        if ReferralDialog(self.ctx, self.resident_id, self).exec():
            self._changed()

    def service_form(self, kind: str):  # noqa: ANN201
        """The form of one of the smaller services, for this resident; saved -> refreshed."""
        from familydoc_desktop.ui.screens import service_dialogs as d
        if kind == "push":
            from familydoc_desktop.ui.screens.pushes import PushDialog
            form = PushDialog(self.ctx, [self.resident_id], d.resident_name(
                self.ctx, self.resident_id), self)
        else:
            form = {"shortage": d.ShortageDialog, "points": d.PointsDialog,
                    "survey": d.SurveyDialog}[kind](self.ctx, self.resident_id, self)
        if form.exec():
            self._changed()
        return form

    def add_prescription(self) -> None:
        from familydoc_desktop.ui.screens.prescription_dialog import PrescriptionDialog
        if PrescriptionDialog(self.ctx, self.resident_id, self).exec():
            self._changed()

    def referral_step(self) -> None:
        from familydoc_desktop.ui.screens.referral_dialog import ReferralStepDialog
        row = self.selected_referral()
        if row is not None and ReferralStepDialog(self.ctx, row.id, self).exec():
            self._changed()
