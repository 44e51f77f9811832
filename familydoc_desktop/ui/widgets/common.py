"""Small building blocks shared by the screens: tables, date fields, message helpers."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QDate, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QHeaderView, QLabel, QMessageBox, QTableView,
    QWidget,
)

from familydoc_desktop.ui.models.rows_table import SORT_ROLE


def table_view(parent: QWidget | None = None, *, sortable: bool = False) -> QTableView:
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setWordWrap(False)
    if sortable:
        # No sort until a header is clicked: the store already orders the rows, and sorting
        # tens of thousands of rows through Python data() calls would freeze the window.
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
    return view


def sorted_proxy(model, parent=None) -> QSortFilterProxyModel:  # noqa: ANN001
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def to_qdate(value: date | None) -> QDate:
    if value is None:
        return QDate.currentDate()
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(value: date | None = None, parent: QWidget | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(value), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def code_combo(codes_and_labels, parent: QWidget | None = None,  # noqa: ANN001
               empty: str | None = None) -> QComboBox:
    """A combo whose item data is the stored code; `empty` adds a first "any/none" item."""
    combo = QComboBox(parent)
    if empty is not None:
        combo.addItem(empty, None)
    for code, text in codes_and_labels:
        combo.addItem(text, code)
    return combo


def select_code(combo: QComboBox, code) -> None:  # noqa: ANN001
    i = combo.findData(code)
    if i >= 0:
        combo.setCurrentIndex(i)


def error_label(parent: QWidget | None = None) -> QLabel:
    """Inline validation message under a field: red, hidden while empty."""
    lab = QLabel(parent)
    lab.setObjectName("fieldError")
    lab.setWordWrap(True)
    lab.setVisible(False)
    return lab


def show_error(lab: QLabel, message: str | None) -> None:
    lab.setText(message or "")
    lab.setVisible(bool(message))


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    lab = QLabel(text, parent)
    lab.setObjectName("heading")
    return lab


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def fit_columns(view: QTableView, widths) -> None:  # noqa: ANN001
    """Column widths as planned (a dict col -> px, or the widths in column order), each at
    least wide enough for its header in the UI language, so English headers are not cut."""
    items = widths.items() if isinstance(widths, dict) else enumerate(widths)
    header = view.horizontalHeader()
    model = view.model()
    metrics = header.fontMetrics()
    for col, width in items:
        title = model.headerData(col, Qt.Orientation.Horizontal) if model is not None else None
        need = metrics.horizontalAdvance(str(title)) + 28 if title else 0  # margins and sort mark
        view.setColumnWidth(col, max(width, need))


def align_center(lab: QLabel) -> QLabel:
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return lab


def open_on_activate(view: QTableView, open_row: Callable[[QModelIndex], Any]) -> None:
    """Double-click or Enter on a row opens it, exactly once: only `activated` is connected
    (a double-click also emits doubleClicked and, on some styles, clicked), and while the
    editor of one activation is open a second one is ignored."""
    busy = []

    def opened(index: QModelIndex) -> None:
        if busy or not index.isValid():
            return
        busy.append(True)
        try:
            open_row(index)
        finally:
            busy.clear()

    view.activated.connect(opened)


class SelectionKeeper(QObject):
    """Keeps a list's selected row across reloads: the row is found again by its key
    (`key_of(index)`, e.g. the resident id) when the model is reset or re-sorted, and
    `select(key)` picks a row by key (after a save: the saved record). When the row is gone
    (a due item done), the row now in its place is selected: the next item of the list."""

    def __init__(self, view: QTableView, key_of: Callable[[QModelIndex], Any],
                 fetch_pages: int = 10) -> None:
        super().__init__(view)
        self.view = view
        self.key_of = key_of
        self.fetch_pages = fetch_pages  # a lazy model is asked for at most this many pages
        self.wanted: Any = None
        self.wanted_row = -1
        self._selecting = False
        model = view.model()
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)
        model.layoutAboutToBeChanged.connect(self._remember)
        model.layoutChanged.connect(self._restore)
        view.selectionModel().currentRowChanged.connect(self._moved)

    def _moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # The doctor picked another row: that one is kept from now on.
        if current.isValid() and not self._selecting and self.key_of(current) != self.wanted:
            self.wanted = None

    def current_key(self) -> Any:
        index = self.view.currentIndex()
        return self.key_of(index) if index.isValid() else None

    def _remember(self, *_args) -> None:  # noqa: ANN002
        if self.wanted is None:
            self.wanted = self.current_key()
        if self.view.currentIndex().isValid():
            self.wanted_row = self.view.currentIndex().row()

    def _restore(self, *_args) -> None:  # noqa: ANN002
        wanted, self.wanted = self.wanted, None
        if wanted is None:
            return
        if not self.select(wanted) and self.wanted_row >= 0:
            rows = self.view.model().rowCount()
            if rows:
                self._select_row(min(self.wanted_row, rows - 1))

    def remember(self, key: Any) -> None:
        """Select `key` after the next reload (the list reloads on its own after a save)."""
        self.wanted = key
        self.select(key, fetch=False)

    def select(self, key: Any, *, fetch: bool = True) -> bool:
        model = self.view.model()
        pages = 0
        start = 0
        while True:
            for row in range(start, model.rowCount()):
                index = model.index(row, 0)
                if self.key_of(index) == key:
                    self._select_row(row)
                    return True
            if not fetch or pages >= self.fetch_pages or not model.canFetchMore(QModelIndex()):
                return False
            start = model.rowCount()
            model.fetchMore(QModelIndex())
            pages += 1

    def _select_row(self, row: int) -> None:
        self._selecting = True
        try:
            index = self.view.model().index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.selectRow(row)
            self.view.scrollTo(index)
        finally:
            self._selecting = False
