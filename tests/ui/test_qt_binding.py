"""Guard against a Qt binding that drops references to None (PySide6 6.12.0 on Python 3.11):
every Python override that returns None would then bring the app down with 'none_dealloc'
after a few minutes of painting."""
from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QWidget


class _Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN201
        return None


class _Widget(QWidget):
    def paintEvent(self, event) -> None:  # noqa: ANN001, N802
        return None


def test_overrides_returning_none_keep_none_alive(qapp):
    model, widget = _Model(), _Widget()
    widget.show()
    index = model.index(0, 0)
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(500):
        index.data(Qt.ItemDataRole.ForegroundRole)
        widget.repaint()
    gc.collect()
    assert sys.getrefcount(None) - before > -50  # 6.12.0 on 3.11: about -1000
