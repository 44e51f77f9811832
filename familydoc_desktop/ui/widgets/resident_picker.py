"""Choose a resident by typing (same search as the resident list)."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.resident_table import ROW_ID_ROLE, ResidentTableModel
from familydoc_desktop.ui.widgets.common import table_view


class ResidentPicker(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Choose a resident"))
        self.resize(760, 460)
        self.resident_id: str | None = None
        layout = QVBoxLayout(self)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(
            self.tr("Search: name, pinyin initials, ID or phone tail"))
        layout.addWidget(self.search_edit)
        self.model = ResidentTableModel(ctx.session, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.activated.connect(lambda _i: self.accept())
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(250)
        timer.timeout.connect(self.search)
        self.search_edit.textChanged.connect(timer.start)
        self.search()

    def search(self) -> None:
        self.model.set_query(self.search_edit.text())
        if self.model.rowCount():
            self.view.selectRow(0)

    def accept(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        self.resident_id = index.data(ROW_ID_ROLE)
        super().accept()
