"""A read-only table over a short list of row objects (due list, ledger, history tabs).

Columns are (header, value function) pairs; an optional `brush` function colours a row's
text (ledger colour, overdue items). For long lists use the lazy ResidentTableModel.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

ROW_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    colour: Callable[[Any], str | None] | None = None  # hex colour for this cell
    align_right: bool = False


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class RowsTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows) -> None:  # noqa: ANN001
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt(col.value(row))
        if role == Qt.ItemDataRole.ToolTipRole:
            text = fmt(col.value(row))
            return text if len(text) > 20 else None
        if role == SORT_ROLE:
            value = col.value(row)
            return value if isinstance(value, (int, float)) else fmt(value)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and col.colour is not None:
            hexcolour = col.colour(row)
            return QBrush(QColor(hexcolour)) if hexcolour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class PagedRowsModel(RowsTableModel):
    """A RowsTableModel that holds only what has been scrolled to: `set_first_page` takes
    the first page and the total (both read on a worker), `fetchMore` asks `pager(offset,
    limit)` for the next page when the view nears the end. For long lists in store order
    (the ledger), where a client-side sort over loaded rows would mislead."""

    PAGE = 200

    def __init__(self, columns: Sequence[Column], pager: Callable[[int, int], list],
                 parent=None) -> None:  # noqa: ANN001
        super().__init__(columns, parent)
        self.pager = pager
        self.total = 0

    def set_first_page(self, rows, total: int) -> None:  # noqa: ANN001
        self.total = total
        self.set_rows(rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid():
            return
        page = list(self.pager(len(self.rows), self.PAGE))
        if not page:
            self.total = len(self.rows)  # rows vanished since the count: stop asking
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()
