"""A form dialog that never loses unsaved edits: closing with changes asks 保存/放弃/取消.

Subclasses call `watch()` on their input widgets, `form_fields()` with the fields in the
paper form's order, and implement `save() -> bool` (True when saved; on a validation error
they show it inline and return False, so the dialog stays). The keyboard is the one of every
form (widgets/form_keys.py): Enter moves to the next field and saves on the last, Ctrl+S
saves, Esc closes (asking only when something was typed).
"""
from __future__ import annotations

from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from familydoc_desktop.ui.widgets.form_keys import FormKeys, on_change


class GuardedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dirty = False
        self._closing = False
        # Tests and scripted use answer the question here instead of a modal box.
        self.unsaved_answer: QMessageBox.StandardButton | None = None
        self.keys = FormKeys(self, (), self.accept)
        self._watched: list[QWidget] = []
        self._ordered = False

    def form_fields(self, *widgets: QWidget) -> None:
        """The fields in the order of the paper form: Tab and Enter follow it."""
        self._ordered = True
        self.keys.set_fields(widgets)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._ordered:  # no order given: the order the fields were watched in
            self._ordered = True
            self.keys.set_fields(self._watched)
        super().showEvent(event)

    def watch(self, *widgets: QWidget) -> None:
        self._watched.extend(widgets)
        on_change(widgets, self.mark_dirty)

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
