"""Home: today's work. The due list (80+ visits not yet done this year, chronic follow-ups,
revisits after an unsatisfactory visit, sickbed rounds, contracts expiring, 65+ check-ups,
yearly follow-ups near the end of the contract year) with counts per
kind and the year's 80+ visit progress. Loaded on the DB worker: a township's due list is a
few set-based queries over 60,000 residents, too slow for the GUI thread."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.domain.codes import VISIT_KIND_ZH, VisitKind
from familydoc_desktop.store import due, ledger
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.villages import villages
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, Column, RowsTableModel
from familydoc_desktop.ui.widgets.common import (
    SelectionKeeper, fit_columns, open_on_activate, sorted_proxy, table_view,
)
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.stale import ReloadWhenStale

KIND_ORDER = (due_rules.ELDERLY_80, due_rules.REVISIT, due_rules.CHRONIC_FOLLOWUP,
              due_rules.SICKBED_ROUND, due_rules.CONTRACT_EXPIRING, due_rules.REFERRAL_FOLLOWUP,
              due_rules.LONG_RX_REFILL, due_rules.CHECKUP, due_rules.ANNUAL_FOLLOWUP)


def visit_kind_of(row) -> str | None:  # noqa: ANN001
    """Which follow-up form a due row asks for (the detail starts with the visit kind)."""
    if row.kind == due_rules.ELDERLY_80:
        return VisitKind.ELDERLY_80
    if row.kind in (due_rules.REFERRAL_FOLLOWUP, due_rules.ANNUAL_FOLLOWUP):
        return VisitKind.GENERAL
    if row.kind == due_rules.CHECKUP:
        return VisitKind.CHECKUP
    if row.kind in (due_rules.CHRONIC_FOLLOWUP, due_rules.REVISIT):
        for kind in (VisitKind.HYPERTENSION, VisitKind.DIABETES, VisitKind.SEVERE_MENTAL):
            if row.detail.startswith(VISIT_KIND_ZH[kind]):
                return kind
    return None


def _key(row) -> tuple | None:  # noqa: ANN001
    return (row.kind, row.resident_id, row.detail) if row is not None else None


def _row_key(index) -> tuple | None:  # noqa: ANN001
    return _key(index.data(ROW_ROLE))


class CountCard(QFrame):
    clicked = Signal(str)

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.number = QLabel("–", self)
        self.number.setObjectName("cardNumber")
        self.title = QLabel(title, self)
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.number)
        layout.addWidget(self.title)

    def set_count(self, n: int, overdue: int = 0) -> None:
        self.number.setText(str(n))
        self.setProperty("alert", overdue > 0)
        self.style().unpolish(self)
        self.style().polish(self)

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:  # noqa: ANN001
        self.clicked.emit(self.key)
        super().mousePressEvent(event)


class HomeScreen(ReloadWhenStale, QWidget):
    loaded = Signal()

    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        self.rows: list = []
        self.village_names: dict[str, str] = {}
        self.filter_kind: str | None = None
        self._stale = True
        self._loading = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        self.title = QLabel(self.tr("Today's work"), self)
        self.title.setObjectName("heading")
        self.date_label = QLabel(date.today().isoformat(), self)
        self.horizon_combo = QComboBox(self)
        self.horizon_combo.addItem(self.tr("Due today"), 0)
        self.horizon_combo.addItem(self.tr("Due within 7 days"), 7)
        self.horizon_combo.addItem(self.tr("Due within 14 days"), 14)
        self.horizon_combo.setCurrentIndex(2)  # a revisit two weeks out is planned now
        self.horizon_combo.currentIndexChanged.connect(self.reload)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.clicked.connect(self.reload)
        header.addWidget(self.title)
        header.addWidget(self.date_label)
        header.addStretch(1)
        header.addWidget(self.horizon_combo)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)

        cards = QHBoxLayout()
        self.cards: dict[str, CountCard] = {}
        for key in KIND_ORDER:
            card = CountCard(key, self._kind_title(key), self)
            card.clicked.connect(self.toggle_filter)
            self.cards[key] = card
            cards.addWidget(card)
        layout.addLayout(cards)

        progress_row = QHBoxLayout()
        self.progress_label = QLabel(self.tr("80+ annual visits %1").replace(
            "%1", str(date.today().year)), self)
        self.progress = QProgressBar(self)
        self.progress.setFormat(self.tr("Loading…"))
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setMaximumHeight(20)
        self.ledger_label = QLabel(self)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        progress_row.addSpacing(24)
        progress_row.addWidget(self.ledger_label)
        layout.addLayout(progress_row)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyHint")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setVisible(False)
        layout.addWidget(self.empty_label)

        self.model = RowsTableModel([
            Column(self.tr("Due"), lambda r: r.due_date),
            Column(self.tr("Overdue (days)"), lambda r: r.overdue_days or "",
                   colour=lambda r: "#c62828" if r.overdue_days else None, align_right=True),
            Column(self.tr("Task"), lambda r: self._kind_title(r.kind)),
            Column(self.tr("Resident"), lambda r: r.name),
            Column(self.tr("Village"), lambda r: self.village_names.get(
                r.village_code, r.village_code or "")),
            Column(self.tr("Funding"), lambda r: labels.due_item_mark(r.kind),
                   colour=lambda r: "#1565c0"),
            Column(self.tr("Detail"), lambda r: r.detail),
        ], self)
        self.proxy = sorted_proxy(self.model, self)
        self.view = table_view(self, sortable=True)
        self.view.setModel(self.proxy)
        fit_columns(self.view, (100, 90, 150, 100, 120, 130))
        open_on_activate(self.view, self._open_index)
        self.keeper = SelectionKeeper(self.view, _row_key)
        layout.addWidget(self.view, 1)

        buttons = QHBoxLayout()
        self.do_button = QPushButton(self.tr("Do it now…"), self)
        self.do_button.clicked.connect(self.do_selected)
        self.open_button = QPushButton(self.tr("Open record"), self)
        self.open_button.clicked.connect(self.open_selected)
        buttons.addWidget(self.do_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        self.status = QLabel(self)
        buttons.addWidget(self.status)
        layout.addLayout(buttons)
        ctx.data_changed.connect(self._on_data_changed)

    def _kind_title(self, kind: str) -> str:
        return {
            due_rules.ELDERLY_80: self.tr("80+ annual visits not done"),
            due_rules.REVISIT: self.tr("Revisits after unsatisfactory visits"),
            due_rules.CHRONIC_FOLLOWUP: self.tr("Chronic disease and severe mental disorder follow-ups"),
            due_rules.SICKBED_ROUND: self.tr("Sickbed rounds due"),
            due_rules.CONTRACT_EXPIRING: self.tr("Contracts expiring"),
            due_rules.REFERRAL_FOLLOWUP: self.tr("Follow-ups after a down-referral"),
            due_rules.LONG_RX_REFILL: self.tr("Long prescriptions to refill"),
            due_rules.CHECKUP: self.tr("Health check-ups (65+) not done"),
            due_rules.ANNUAL_FOLLOWUP: self.tr("Yearly follow-ups of signed residents"),
        }.get(kind, kind)

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        if self._loading:
            self._stale = True
            return
        self._loading = True
        self._stale = False
        self.status.setText(self.tr("Loading…"))
        today = date.today()
        horizon = self.horizon_combo.currentData()

        def work(_progress):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                rows = due.due_list(s, today, horizon_days=horizon)
                done, total = due.elderly_visit_progress(s, today.year)
                counts = ledger.ledger_counts(s, today)
                names = dict(villages(s))
            return rows, done, total, counts, names

        self.ctx.task(work, success=self._loaded, failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.status.setText(self.tr("Could not load the due list: %1").replace("%1", failure_text(exc)))

    def _loaded(self, result) -> None:  # noqa: ANN001
        self._loading = False
        self.rows, done, total, counts, self.village_names = result
        for key, card in self.cards.items():
            mine = [r for r in self.rows if r.kind == key]
            card.set_count(len(mine), sum(1 for r in mine if r.overdue_days))
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total}")
        self.progress_label.setText(self.tr("80+ annual visits %1").replace(
            "%1", str(date.today().year)))
        self.ledger_label.setText(self.tr("Ledger: red %1, yellow %2, green %3")
                                  .replace("%1", str(counts.get("red", 0)))
                                  .replace("%2", str(counts.get("yellow", 0)))
                                  .replace("%3", str(counts.get("green", 0))))
        self._apply_filter()
        if not self.rows:
            self.empty_label.setText(self.tr(
                "Nothing is due. Register residents under Residents (Ctrl+N) or import "
                "a roster under Import/Export; signed key-population residents then appear "
                "here when a visit is due."))
        self.empty_label.setVisible(not self.rows)
        self.status.setText(self.tr("%1 items due").replace("%1", str(len(self.rows))))
        self.loaded.emit()
        if self._stale:
            self.reload()

    def toggle_filter(self, kind: str) -> None:
        self.filter_kind = None if self.filter_kind == kind else kind
        for key, card in self.cards.items():
            card.set_selected(key == self.filter_kind)
        self._apply_filter()

    def _apply_filter(self) -> None:
        rows = self.rows if self.filter_kind is None else [
            r for r in self.rows if r.kind == self.filter_kind]
        self.model.set_rows(rows)

    def rows_of(self, kind: str, resident_id: str | None = None) -> list:
        return [r for r in self.rows if r.kind == kind
                and (resident_id is None or r.resident_id == resident_id)]

    # -- acting on a row ------------------------------------------------------------------
    def selected_row(self):  # noqa: ANN201
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _open_index(self, index) -> None:  # noqa: ANN001
        row = index.data(ROW_ROLE)
        if row is not None:
            self.do_row(row)

    def do_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.do_row(row)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_resident(row.resident_id)

    def open_resident(self, resident_id: str):  # noqa: ANN201
        """The record over today's work; closed, the doctor is back on this list."""
        from familydoc_desktop.ui.screens.resident_form import open_record
        return open_record(self.ctx, resident_id, self)

    def do_row(self, row) -> None:  # noqa: ANN001
        """Open the form that clears this item: the follow-up, the round, the renewal.
        Afterwards the list selects the item (or, when it is done, the next one)."""
        self.keeper.remember(_key(row))
        kind = visit_kind_of(row)
        if kind is not None:
            from familydoc_desktop.ui.screens.followup_form import FollowupForm
            FollowupForm(self.ctx, row.resident_id, str(kind), self).exec()
        elif row.kind == due_rules.SICKBED_ROUND:
            from familydoc_desktop.ui.screens.sickbeds import round_for_resident
            round_for_resident(self.ctx, row.resident_id, self)
        elif row.kind == due_rules.CONTRACT_EXPIRING:
            from familydoc_desktop.ui.screens.contract_wizard import renew_for_resident
            renew_for_resident(self.ctx, row.resident_id, self)
        elif row.kind == due_rules.LONG_RX_REFILL:
            from familydoc_desktop.ui.screens.prescription_dialog import refill_for_resident
            refill_for_resident(self.ctx, row.resident_id, self)
        else:
            self.open_resident(row.resident_id)

