"""Table models over the server's sync report (a JSON dict, sync/reports.py): a row per
clinic, and a row per device of the chosen clinic (the drill-down).

Lazy like the other long lists: cells are formatted in data() when the view asks for them,
and a county's hundreds of clinics are handed to the view a page at a time (canFetchMore /
fetchMore). A row's colour follows its flags' severity (sync/report_text.py): red for
no_device / not_synced / sync_failed / digest_mismatch, amber for the rest."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from familydoc_desktop.sync import report_text
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.i18n import translate
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 4
# Light backgrounds that keep black text readable, and the strong colour of the status text.
BACKGROUND = {report_text.RED: "#F8D7DA", report_text.AMBER: "#FFF3CD"}
FOREGROUND = {report_text.RED: "#A61B1B", report_text.AMBER: "#8A5A00"}


def latest(values: list[str | None]) -> str | None:
    present = [v for v in values if v]
    return max(present) if present else None  # ISO times in one zone sort as text


class _ReportModel(QAbstractTableModel):
    PAGE = 100

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.stale_days = 7
        self._all: list[dict] = []
        self._shown = 0
        self._cols = self.columns()

    def columns(self) -> list[tuple[str, Callable[[dict], Any]]]:
        raise NotImplementedError

    def flags_of(self, row: dict) -> list[str]:
        return row.get("flags") or []

    def set_rows(self, rows: list[dict], stale_days: int) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self.stale_days = stale_days
        self._shown = min(len(self._all), self.PAGE)
        self._cols = self.columns()
        self.endResetModel()

    def row_at(self, row: int) -> dict | None:
        return self._all[row] if 0 <= row < self._shown else None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._shown >= len(self._all):
            return
        more = min(self.PAGE, len(self._all) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cols)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._cols[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid() or index.row() >= self._shown:
            return None
        row = self._all[index.row()]
        status_col = len(self._cols) - 1
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            value = self._cols[index.column()][1](row)
            if role == SORT_ROLE and isinstance(value, (int, float)):
                return value
            return "" if value is None else str(value)
        if role == ROW_ROLE:
            return row
        level = report_text.severity(self.flags_of(row))
        if role == SEVERITY_ROLE:
            return level
        if role == Qt.ItemDataRole.BackgroundRole and level:
            return QBrush(QColor(BACKGROUND[level]))
        if role == Qt.ItemDataRole.ForegroundRole and level and index.column() == status_col:
            return QBrush(QColor(FOREGROUND[level]))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == status_col:
            text = self._cols[status_col][1](row)
            return text or None
        return None

    def status(self, row: dict) -> str:
        flags = self.flags_of(row)
        if not flags:
            return translate("SyncReport", "OK")
        return labels.sync_flags_label(flags, self.stale_days)


def _time(iso: str | None) -> str:
    return report_text.short_time(iso) if iso else translate("SyncReport", "never")


def _n(value) -> str:  # noqa: ANN001
    return "-" if value is None else str(value)


def _total(clinic: dict, key: str) -> int:
    return sum(d.get(key) or 0 for d in clinic.get("devices") or [])


class ClinicsModel(_ReportModel):
    """各村同步情况: a clinic per row with its flags; a township or county with PCs of its
    own (the health centre's) has a row of its own too (level "township"/"county")."""

    @staticmethod
    def name(c: dict) -> str:
        if c.get("level", "clinic") == "clinic":
            return c["name"]
        return translate("SyncReport", "%1 (its own PCs)").replace("%1", c["name"])

    def columns(self) -> list[tuple[str, Callable[[dict], Any]]]:
        return [
            (translate("SyncReport", "Code"), lambda c: c["code"]),
            (translate("SyncReport", "Village clinic"), self.name),
            (translate("SyncReport", "PCs"), lambda c: len(c.get("devices") or [])),
            (translate("SyncReport", "Last sync"), lambda c: _time(latest(
                [d.get("last_sync_at") for d in c.get("devices") or []]))),
            (translate("SyncReport", "Pending"), lambda c: _total(c, "pending")),
            (translate("SyncReport", "Refused"), lambda c: _total(c, "refused")),
            (translate("SyncReport", "Open conflicts"), lambda c: c.get("open_conflicts") or 0),
            (translate("SyncReport", "Status"), self.status),
        ]


class DevicesModel(_ReportModel):
    """The drill-down: the devices of one clinic."""

    def columns(self) -> list[tuple[str, Callable[[dict], Any]]]:
        return [
            (translate("SyncReport", "Account"), lambda d: d.get("username")),
            (translate("SyncReport", "PC"), lambda d: d.get("name") or d.get("device_id")),
            (translate("SyncReport", "Version"), lambda d: d.get("app_version") or "-"),
            (translate("SyncReport", "Sync via"), lambda d: self.channel(d.get("channel"))),
            (translate("SyncReport", "Last sync"), lambda d: _time(d.get("last_sync_at"))),
            (translate("SyncReport", "Last seen"), lambda d: _time(d.get("last_seen_at"))),
            (translate("SyncReport", "Pending"), lambda d: _n(d.get("pending"))),
            (translate("SyncReport", "Refused"), lambda d: _n(d.get("refused"))),
            (translate("SyncReport", "Conflicts"), lambda d: _n(d.get("open_conflicts"))),
            (translate("SyncReport", "Clock offset"),
             lambda d: self.offset(d.get("clock_offset_seconds"))),
            (translate("SyncReport", "Data check"), lambda d: self.digest(d.get("digest_ok"))),
            (translate("SyncReport", "Last error"), lambda d: d.get("last_error") or ""),
            (translate("SyncReport", "Status"), self.status),
        ]

    @staticmethod
    def offset(seconds: float | None) -> str:
        if seconds is None:
            return "-"
        return translate("SyncReport", "%1 s").replace("%1", f"{seconds:+.0f}")

    @staticmethod
    def channel(channel: str | None) -> str:
        if channel == "usb":
            return translate("SyncReport", "USB drive")
        return translate("SyncReport", "network") if channel == "network" else "-"

    @staticmethod
    def digest(ok: bool | None) -> str:
        if ok is None:
            return translate("SyncReport", "not checked")
        return translate("SyncReport", "matches") if ok else translate("SyncReport", "mismatch")
