"""A form dialog that never loses unsaved edits: closing with changes asks 保存/放弃/取消.

Subclasses call `watch()` on their input widgets and implement `save() -> bool` (True when
saved; on a validation error they show it inline and return False, so the dialog stays).
Enter triggers the default button, which saves.
"""
from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton, QCheckBox, QComboBox, QDateEdit, QDialog, QDoubleSpinBox, QLineEdit,
    QMessageBox, QPlainTextEdit, QSpinBox, QTextEdit, QWidget,
)


class GuardedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dirty = False
        self._closing = False
        # Tests and scripted use answer the question here instead of a modal box.
        self.unsaved_answer: QMessageBox.StandardButton | None = None

    def watch(self, *widgets: QWidget) -> None:
        for w in widgets:
            if isinstance(w, QLineEdit):
                w.textEdited.connect(self.mark_dirty)
            elif isinstance(w, (QPlainTextEdit, QTextEdit)):
                w.textChanged.connect(self.mark_dirty)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(self.mark_dirty)
            elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                w.valueChanged.connect(self.mark_dirty)
            elif isinstance(w, QDateEdit):
                w.dateChanged.connect(self.mark_dirty)
            elif isinstance(w, (QCheckBox, QAbstractButton)):
                w.toggled.connect(self.mark_dirty)

    def mark_dirty(self, *_args) -> None:  # noqa: ANN002
        self.dirty = True

    def save(self) -> bool:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def accept(self) -> None:
        if self.save():
            self.dirty = False
            super().accept()

    def reject(self) -> None:
        if self.dirty and not self._confirm_discard():
            return
        self.dirty = False
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and not self._confirm_discard():
            event.ignore()
            return
        self.dirty = False
        super().closeEvent(event)

    def _confirm_discard(self) -> bool:
        """True when the dialog may close: saved, or the user chose to discard."""
        answer = self.unsaved_answer
        if answer is None:
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"),
                              self.tr("This form has unsaved changes. Save them?"),
                              QMessageBox.StandardButton.Save
                              | QMessageBox.StandardButton.Discard
                              | QMessageBox.StandardButton.Cancel, self)
            box.setDefaultButton(QMessageBox.StandardButton.Save)
            answer = QMessageBox.StandardButton(box.exec())
        if answer == QMessageBox.StandardButton.Save:
            if self.save():
                self.dirty = False
                self.setResult(QDialog.DialogCode.Accepted)
                return True
            return False
        return answer == QMessageBox.StandardButton.Discard
