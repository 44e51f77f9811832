"""The resident list: a lazy table over indexed store queries, instant on 60,000 residents.

Only what is on screen is ever loaded: `count_residents` gives the row total, `fetchMore`
pulls the next page from `search_residents` when the view scrolls near the end. The search
text and filters are applied by the store (name, pinyin initials, ID/phone tail), never here.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from familydoc_desktop.domain.idcard import mask_id, mask_phone
from familydoc_desktop.store import search
from familydoc_desktop.domain.codes import Colour, ContractStatus, Sex
from familydoc_desktop.ui import labels

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLOUR_BRUSH = {"red": QColor("#e53935"), "yellow": QColor("#f9a825"), "green": QColor("#43a047")}

Index = QModelIndex | QPersistentModelIndex


class ResidentTableModel(QAbstractTableModel):
    PAGE = 200
    COLUMNS = ("name", "sex", "age", "id_number", "phone", "village_code", "household_no",
               "contract_status", "colour", "address")

    def __init__(self, session_factory, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._session = session_factory
        self._rows: list = []
        self._total = 0
        self._text = ""
        self._filters = search.ResidentFilter()
        self.reveal = False
        self.village_names: dict[str, str] = {}

    # -- query ----------------------------------------------------------------------------
    def set_query(self, text: str = "", filters=None) -> None:  # noqa: ANN001
        self._text = text.strip()
        if filters is not None:
            self._filters = filters
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        with self._session() as s:
            self._total = search.count_residents(s, self._text, filters=self._filters)
            self._rows = list(search.search_residents(
                s, self._text, filters=self._filters, limit=self.PAGE, offset=0))
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int):  # noqa: ANN201
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_reveal(self, reveal: bool) -> None:
        self.reveal = reveal
        if self._rows:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self._rows) - 1, 4))

    # -- lazy loading ---------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid():
            return
        with self._session() as s:
            page = list(search.search_residents(s, self._text, filters=self._filters,
                                                limit=self.PAGE, offset=len(self._rows)))
        if not page:
            self._total = len(self._rows)  # rows vanished since the count: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # -- table ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers()[section]
        return None

    def _headers(self) -> tuple[str, ...]:
        return (self.tr("Name"), self.tr("Sex"), self.tr("Age"), self.tr("ID number"),
                self.tr("Phone"), self.tr("Village"), self.tr("Family"),
                self.tr("Contract"), self.tr("Ledger"), self.tr("Address"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == ROW_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and col == "household_no" and row.household_no:
            return self.tr("Household no. %1").replace("%1", row.household_no)
        if role == Qt.ItemDataRole.ForegroundRole and col == "colour" and row.colour:
            return QBrush(COLOUR_BRUSH.get(row.colour, QColor("black")))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == "age":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row, col: str) -> str:  # noqa: ANN001
        value = getattr(row, col, None)
        if value is None:
            return ""
        if col == "id_number":
            return value if self.reveal else mask_id(value)
        if col == "phone":
            return value if self.reveal else mask_phone(value)
        if col == "household_no":  # the family by its head's name; the number in the tooltip
            if row.household_head:
                return self.tr("%1's family").replace("%1", row.household_head)
            return str(value)
        if col == "sex":
            return labels.label(Sex, value)
        if col == "contract_status":
            return labels.label(ContractStatus, value)
        if col == "colour":
            return "● " + labels.label(Colour, value)
        if col == "village_code":
            return self.village_names.get(value, value)
        if isinstance(value, date):
            return value.isoformat()
        return str(value)
