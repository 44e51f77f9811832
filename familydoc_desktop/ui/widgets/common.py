"""Small building blocks shared by the screens: tables, date fields, message helpers."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt
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
