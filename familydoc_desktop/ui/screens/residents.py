"""Residents: the lazy list with search-as-you-type (debounced 250 ms), filters by village,
key population, ledger colour and contract status, and masked ID numbers/phones with a
logged toggle to reveal them."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.codes import Colour, ContractStatus, Population
from familydoc_desktop.store import audit, search
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.resident_table import ROW_ID_ROLE, ResidentTableModel
from familydoc_desktop.ui.villages import villages
from familydoc_desktop.ui.widgets.common import (
    SelectionKeeper, fit_columns, open_on_activate, table_view,
)

DEBOUNCE_MS = 250


class ResidentsScreen(QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)

        bar = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(
            self.tr("Search: name, pinyin initials, ID or phone tail (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(320)
        self.search_edit.textChanged.connect(self._schedule)
        self.search_edit.returnPressed.connect(self._search_now)
        bar.addWidget(self.search_edit, 2)

        self.village_combo = QComboBox(self)
        self.village_combo.addItem(self.tr("All villages"), None)
        self.population_combo = QComboBox(self)
        self.population_combo.addItem(self.tr("All populations"), None)
        for p in Population:
            self.population_combo.addItem(labels.label(Population, p), str(p))
        self.colour_combo = QComboBox(self)
        self.colour_combo.addItem(self.tr("Any colour"), None)
        for c in Colour:
            self.colour_combo.addItem(labels.label(Colour, c), str(c))
        self.status_combo = QComboBox(self)
        self.status_combo.addItem(self.tr("Any contract status"), None)
        self.status_combo.addItem(labels.unsigned_label(), search.UNSIGNED)
        for st in ContractStatus:
            self.status_combo.addItem(labels.label(ContractStatus, st), str(st))
        for combo in (self.village_combo, self.population_combo, self.colour_combo,
                      self.status_combo):
            combo.currentIndexChanged.connect(self._search_now)
            bar.addWidget(combo)
        layout.addLayout(bar)

        bar2 = QHBoxLayout()
        self.count_label = QLabel(self)
        self.reveal_check = QCheckBox(self.tr("Show full ID numbers and phones"), self)
        self.reveal_check.setToolTip(self.tr("Viewing full numbers is logged"))
        self.reveal_check.toggled.connect(self.set_reveal)
        self.new_button = QPushButton(self.tr("New resident (Ctrl+N)"), self)
        self.new_button.clicked.connect(self.new_resident)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.clicked.connect(self.open_selected)
        bar2.addWidget(self.count_label)
        bar2.addStretch(1)
        bar2.addWidget(self.reveal_check)
        bar2.addWidget(self.open_button)
        bar2.addWidget(self.new_button)
        layout.addLayout(bar2)

        self.model = ResidentTableModel(ctx.session, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        fit_columns(self.view, (90, 50, 50, 170, 120, 100, 140, 80, 80))
        open_on_activate(self.view, lambda _i: self.open_selected())
        self.keeper = SelectionKeeper(self.view, lambda i: i.data(ROW_ID_ROLE))
        layout.addWidget(self.view, 1)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyHint")
        self.empty_label.setVisible(False)
        layout.addWidget(self.empty_label)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self._search_now)
        ctx.data_changed.connect(self._on_data_changed)

    # -- searching ------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self._load_villages()
            self._search_now()

    def _load_villages(self) -> None:
        with self.ctx.session() as s:
            found = villages(s)
        current = self.village_combo.currentData()
        self.village_combo.blockSignals(True)
        while self.village_combo.count() > 1:
            self.village_combo.removeItem(1)
        for code, name in found:
            self.village_combo.addItem(name or code, code)
        i = self.village_combo.findData(current)
        self.village_combo.setCurrentIndex(max(i, 0))
        self.village_combo.blockSignals(False)
        self.model.village_names = dict(found)

    def _on_data_changed(self, _table: str) -> None:
        self._stale = True
        if self.isVisible():
            self._search_now()

    def _schedule(self) -> None:
        self.debounce.start()

    def filters(self) -> search.ResidentFilter:
        return search.ResidentFilter(
            village_code=self.village_combo.currentData(),
            population=self.population_combo.currentData(),
            colour=self.colour_combo.currentData(),
            contract_status=self.status_combo.currentData())

    def _search_now(self) -> None:
        self.debounce.stop()
        self._stale = False
        self.model.set_query(self.search_edit.text(), self.filters())
        total = self.model.total
        self.count_label.setText(self.tr("%1 residents").replace("%1", str(total)))
        searching = bool(self.search_edit.text().strip()) or any(
            c.currentData() is not None for c in (self.village_combo, self.population_combo,
                                                  self.colour_combo, self.status_combo))
        self.empty_label.setText(
            self.tr("No resident matches.") if searching else
            self.tr("No residents yet: press Ctrl+N to register one, or import a roster."))
        self.empty_label.setVisible(total == 0)
        if total and not self.view.currentIndex().isValid():
            self.view.selectRow(0)  # unless the row selected before is still listed

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def set_reveal(self, reveal: bool) -> None:
        """Full numbers on screen; each reveal is written to the access log (PIPL)."""
        if reveal:
            with self.ctx.session() as s:
                audit.log(s, self.ctx.actor, "reveal_list", "resident", None,
                          detail="resident list")
        self.ctx.reveal = reveal
        self.model.set_reveal(reveal)

    # -- records --------------------------------------------------------------------------
    def selected_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(ROW_ID_ROLE) if index.isValid() else None

    def open_selected(self) -> None:
        rid = self.selected_id()
        if rid:
            self.open_resident(rid)

    def open_resident(self, resident_id: str):  # noqa: ANN201
        """The record over the list; closed, the list shows that resident selected."""
        from familydoc_desktop.ui.screens.resident_form import open_record
        self.keeper.remember(resident_id)
        form = open_record(self.ctx, resident_id, self)
        self.keeper.select(resident_id)
        return form

    def new_resident(self):  # noqa: ANN201
        """Saved, the list shows the new resident (searched by name) selected."""
        from familydoc_desktop.ui.screens.resident_form import open_record
        form = open_record(self.ctx, None, self)
        if form.saved_id:
            self.search_edit.blockSignals(True)
            self.search_edit.setText(form.name_edit.text().strip())
            self.search_edit.blockSignals(False)
            self.keeper.remember(form.saved_id)
            self._search_now()
            self.keeper.select(form.saved_id)
            self.view.setFocus()
        return form
