"""Other contracted services (其他签约服务): one tab per service, each a list over the clinic's
(or, on a township PC, every clinic's) records with the actions that change them."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import referral as referral_rules
from familydoc_desktop.domain.indicators import SATISFIED_SCORE
from familydoc_desktop.store import services
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, Column, PagedRowsModel, RowsTableModel
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import fit_columns, open_on_activate, table_view
from familydoc_desktop.ui.widgets.stale import ReloadWhenStale


class ServiceTab(QWidget):
    """A filter, a list and buttons; `load(filter_value)` returns the rows."""

    def __init__(self, ctx: AppContext, columns: list[Column],
                 load: Callable[[object], list], filters: list[tuple[str, object]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._load = load
        layout = QVBoxLayout(self)
        self.bar = QHBoxLayout()
        self.filter_combo = QComboBox(self)
        for text, value in filters:
            self.filter_combo.addItem(text, value)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.bar.addWidget(self.filter_combo)
        self.count_label = QLabel(self)
        self.bar.addWidget(self.count_label)
        self.bar.addStretch(1)
        layout.addLayout(self.bar)
        self.model = RowsTableModel(columns, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(lambda *_: self.selection_changed())
        layout.addWidget(self.view, 1)

    def button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text, self)
        b.clicked.connect(lambda _c=False: slot())
        self.bar.addWidget(b)
        return b

    def reload(self) -> None:
        rows = self._load(self.filter_combo.currentData())
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        self.count_label.setText(self.tr("%1 records").replace("%1", str(len(rows))))
        self.selection_changed()

    def selected(self):  # noqa: ANN201
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def selection_changed(self) -> None:
        """Subclasses enable their buttons here."""


class ReferralsTab(ServiceTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        def load(open_only) -> list:  # noqa: ANN001
            with ctx.session() as s:
                return services.referral_list(s, open_only=bool(open_only))
        super().__init__(ctx, [
            Column(self.tr("Date"), lambda r: r[0].referral_date),
            Column(self.tr("Resident"), lambda r: r[1]),
            Column(self.tr("Direction"), lambda r: labels.referral_direction_label(r[0].direction)
                   + (self.tr(" (urgent)") if r[0].urgent else ""),
                   colour=lambda r: "#c62828" if r[0].urgent else None),
            Column(self.tr("Receiving unit"), lambda r: r[0].receiving_unit),
            Column(self.tr("Reason"), lambda r: r[0].reason),
            Column(self.tr("Status"), lambda r: labels.referral_status_label(r[0].status)),
            Column(self.tr("Received"), lambda r: r[0].received_on),
            Column(self.tr("Completed"), lambda r: r[0].completed_on),
            Column(self.tr("Returned"), lambda r: r[0].returned_on),
        ], load, [(self.tr("Open referrals"), True), (self.tr("All referrals"), False)], parent)
        self.new_button = self.button(self.tr("New referral…"), self.new_referral)
        self.step_button = self.button(self.tr("Next step…"), self.step_selected)
        open_on_activate(self.view, lambda _i: self.step_selected())

    def selection_changed(self) -> None:
        row = self.selected()
        self.step_button.setEnabled(row is not None
                                    and bool(referral_rules.NEXT.get(row[0].status)))

    def new_referral(self) -> None:
        from familydoc_desktop.ui.screens.referral_dialog import ReferralDialog
        from familydoc_desktop.ui.widgets.resident_picker import ResidentPicker
        picker = ResidentPicker(self.ctx, self, self.tr("Refer a resident"))
        if picker.exec() and picker.resident_id:
            ReferralDialog(self.ctx, picker.resident_id, self).exec()

    def step_selected(self) -> None:
        from familydoc_desktop.ui.screens.referral_dialog import ReferralStepDialog
        row = self.selected()
        if row is not None and referral_rules.NEXT.get(row[0].status):
            ReferralStepDialog(self.ctx, row[0].id, self).exec()


class PrescriptionsTab(ServiceTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        def load(active) -> list:  # noqa: ANN001
            with ctx.session() as s:
                return services.prescription_list(s, active_on=date.today() if active else None)
        super().__init__(ctx, [
            Column(self.tr("Start"), lambda r: r[0].start_date),
            Column(self.tr("Resident"), lambda r: r[1]),
            Column(self.tr("Weeks"), lambda r: r[0].weeks, align_right=True),
            Column(self.tr("Refill due"), lambda r: r[0].end_date),
            Column(self.tr("Drugs and doses"), lambda r: r[0].drugs),
        ], load, [(self.tr("Running today"), True), (self.tr("All prescriptions"), False)],
            parent)
        self.new_button = self.button(self.tr("New long prescription…"), self.new_prescription)
        self.refill_button = self.button(self.tr("Refill…"), self.refill_selected)
        open_on_activate(self.view, lambda _i: self.refill_selected())

    def selection_changed(self) -> None:
        self.refill_button.setEnabled(self.selected() is not None)

    def new_prescription(self) -> None:
        from familydoc_desktop.ui.screens.prescription_dialog import PrescriptionDialog
        from familydoc_desktop.ui.widgets.resident_picker import ResidentPicker
        picker = ResidentPicker(self.ctx, self, self.tr("Long prescription for"))
        if picker.exec() and picker.resident_id:
            PrescriptionDialog(self.ctx, picker.resident_id, self).exec()

    def refill_selected(self) -> None:
        from familydoc_desktop.ui.screens.prescription_dialog import refill_for_resident
        row = self.selected()
        if row is not None:
            refill_for_resident(self.ctx, row[0].resident_id, self)


def pick_then(ctx: AppContext, parent: QWidget, title: str, open_form) -> None:  # noqa: ANN001
    """Choose a resident, then open `open_form(resident_id)`."""
    from familydoc_desktop.ui.widgets.resident_picker import ResidentPicker
    picker = ResidentPicker(ctx, parent, title)
    if picker.exec() and picker.resident_id:
        open_form(picker.resident_id)


class ShortagesTab(ServiceTab):
    """缺药登记: on a township PC every clinic's, so the township sees what is missing where."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        def load(open_only) -> list:  # noqa: ANN001
            with ctx.session() as s:
                return services.shortage_list(s, open_only=bool(open_only))
        super().__init__(ctx, [
            Column(self.tr("Reported on"), lambda r: r.shortage.reported_on),
            Column(self.tr("Clinic"), lambda r: r.clinic),
            Column(self.tr("Resident"), lambda r: r.name),
            Column(self.tr("Drug"), lambda r: r.shortage.drug_name),
            Column(self.tr("Specification"), lambda r: r.shortage.specification),
            Column(self.tr("Resolved on"), lambda r: r.shortage.resolved_on,
                   colour=lambda r: None if r.shortage.resolved_on else "#c62828"),
            Column(self.tr("How"), lambda r: r.shortage.resolution),
        ], load, [(self.tr("Still missing"), True), (self.tr("All shortages"), False)], parent)
        self.new_button = self.button(self.tr("Register shortage…"), self.new_shortage)
        self.resolve_button = self.button(self.tr("Resolved…"), self.resolve_selected)
        open_on_activate(self.view, lambda _i: self.resolve_selected())

    def selection_changed(self) -> None:
        row = self.selected()
        self.resolve_button.setEnabled(row is not None and row.shortage.resolved_on is None)

    def new_shortage(self) -> None:
        from familydoc_desktop.ui.screens.service_dialogs import ShortageDialog
        pick_then(self.ctx, self, self.tr("Drug shortage for"),
                  lambda rid: ShortageDialog(self.ctx, rid, self).exec())

    def resolve_selected(self) -> None:
        from familydoc_desktop.ui.screens.service_dialogs import ResolveShortageDialog
        row = self.selected()
        if row is not None and row.shortage.resolved_on is None:
            ResolveShortageDialog(self.ctx, row.shortage.id, self).exec()


class PointsTab(ServiceTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        def load(_filter) -> list:  # noqa: ANN001
            with ctx.session() as s:
                return services.points_list(s)
        super().__init__(ctx, [
            Column(self.tr("Date"), lambda r: r[0].on_date),
            Column(self.tr("Resident"), lambda r: r[1]),
            Column(self.tr("Points"), lambda r: f"{r[0].points:+d}", align_right=True,
                   colour=lambda r: "#2e7d32" if r[0].points > 0 else "#c62828"),
            Column(self.tr("For"), lambda r: r[0].reason),
        ], load, [(self.tr("Latest entries"), None)], parent)
        self.new_button = self.button(self.tr("Earn or redeem…"), self.new_entry)
        open_on_activate(self.view, lambda _i: self.entry_selected())

    def new_entry(self) -> None:
        from familydoc_desktop.ui.screens.service_dialogs import PointsDialog
        pick_then(self.ctx, self, self.tr("Health points of"),
                  lambda rid: PointsDialog(self.ctx, rid, self).exec())

    def entry_selected(self) -> None:
        from familydoc_desktop.ui.screens.service_dialogs import PointsDialog
        row = self.selected()
        if row is not None:
            PointsDialog(self.ctx, row[0].resident_id, self).exec()


class SurveysTab(QWidget):
    """满意度调查: every survey, newest first, one page at a time, and this year's
    satisfaction rate per team (counted as the report's satisfaction_rate)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.count_label = QLabel(self)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.new_button = QPushButton(self.tr("New survey…"), self)
        self.new_button.clicked.connect(lambda _c=False: self.new_survey())
        bar.addWidget(self.new_button)
        layout.addLayout(bar)
        self.rates_label = QLabel(self)
        self.rates_label.setWordWrap(True)
        layout.addWidget(self.rates_label)
        self.model = PagedRowsModel([
            Column(self.tr("Date"), lambda r: r.survey.on_date),
            Column(self.tr("Resident"), lambda r: r.name),
            Column(self.tr("Method"), lambda r: labels.survey_method_label(r.survey.method)),
            Column(self.tr("Score"), lambda r: r.survey.score, align_right=True,
                   colour=lambda r: "#2e7d32" if r.survey.score >= SATISFIED_SCORE
                   else "#c62828"),
            Column(self.tr("Answers"), lambda r: r.survey.answers),
            Column(self.tr("Team"), lambda r: r.team),
            Column(self.tr("Comments"), lambda r: r.survey.comments),
        ], self._page, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        fit_columns(self.view, (100, 100, 80, 50, 110, 140))
        layout.addWidget(self.view, 1)
        self.team_rates: list = []

    def _page(self, offset: int, limit: int) -> list:
        with self.ctx.session() as s:
            return services.survey_list(s, offset=offset, limit=limit, on=date.today())

    def reload(self) -> None:
        limit = self.model.PAGE
        today = date.today()

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                return (services.survey_list(s, limit=limit, on=today), services.survey_count(s),
                        services.satisfaction_by_team(s, start=date(today.year, 1, 1),
                                                      end=today))

        self.ctx.task(work, success=self._loaded,
                      failure=lambda e: self.count_label.setText(failure_text(e)))

    def _loaded(self, result) -> None:  # noqa: ANN001
        rows, total, self.team_rates = result
        self.model.set_first_page(rows, total)
        self.count_label.setText(self.tr("%1 surveys").replace("%1", str(total)))
        parts = [self.tr("%1 %2 (%3 surveys)").replace("%1", t.team or self.tr("(not signed)"))
                 .replace("%2", "—" if t.rate is None else f"{t.rate:.1f}%")
                 .replace("%3", str(t.surveys)) for t in self.team_rates]
        self.rates_label.setText(self.tr("Satisfaction rate this year, per team: %1")
                                 .replace("%1", "；".join(parts) or "—"))

    def new_survey(self) -> None:
        from familydoc_desktop.ui.screens.service_dialogs import SurveyDialog
        pick_then(self.ctx, self, self.tr("Satisfaction survey of"),
                  lambda rid: SurveyDialog(self.ctx, rid, self).exec())


class ServicesScreen(ReloadWhenStale, QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel(self.tr("Other contracted services"), self)
        title.setObjectName("heading")
        layout.addWidget(title)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.referrals = ReferralsTab(ctx, self)
        self.tabs.addTab(self.referrals, self.tr("Two-way referral"))
        self.prescriptions = PrescriptionsTab(ctx, self)
        self.tabs.addTab(self.prescriptions, self.tr("Long prescriptions"))
        self.shortages = ShortagesTab(ctx, self)
        self.tabs.addTab(self.shortages, self.tr("Drug shortages"))
        self.points = PointsTab(ctx, self)
        self.tabs.addTab(self.points, self.tr("Health points"))
        from familydoc_desktop.ui.screens.pushes import PushesTab
        self.pushes = PushesTab(ctx, self)
        self.tabs.addTab(self.pushes, self.tr("Health information pushes"))
        self.surveys = SurveysTab(ctx, self)
        self.tabs.addTab(self.surveys, self.tr("Satisfaction surveys"))
        ctx.data_changed.connect(self._on_data_changed)

    def tab_widgets(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def reload(self) -> None:
        self._stale = False
        for tab in self.tab_widgets():
            tab.reload()
