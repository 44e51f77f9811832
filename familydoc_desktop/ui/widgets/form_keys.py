"""The keyboard of every data-entry form, in one place (like a hospital information system):

- Enter moves to the next field of the form; only on the last field does it submit
  (a half-filled follow-up is never saved by a stray Enter);
- Ctrl+S submits from any field;
- Esc cancels (the dialog's own reject(), which asks only when something was typed);
- Tab follows the order of the paper form: the fields as listed, multi-line text included
  (Tab leaves a text box instead of typing a tab into it).

`FormKeys(dialog, fields, submit)` installs it; GuardedDialog does so for every form through
`form_fields(...)`, the other dialogs (login, colour override, contract wizard) call it
directly. Enter inside a multi-line text box still starts a new line; Enter on a focused
button presses that button, as Qt does.
"""
from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QCheckBox, QComboBox, QDateEdit, QDoubleSpinBox, QLineEdit,
    QPlainTextEdit, QSpinBox, QTextEdit, QWidget,
)

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SAVE = QKeySequence.StandardKey.Save  # Ctrl+S


def usable(widget: QWidget) -> bool:
    """A field the doctor can type into now (shown, enabled, not read-only)."""
    if not (widget.isVisibleTo(widget.window()) and widget.isEnabled()):
        return False
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)) and widget.isReadOnly():
        return False
    return widget.focusPolicy() != Qt.FocusPolicy.NoFocus


def on_change(widgets: Sequence[QWidget], slot: Callable[..., object]) -> None:
    """Call `slot` when the doctor changes any of `widgets` (the "something was typed" of
    the unsaved-changes question)."""
    for w in widgets:
        if isinstance(w, QLineEdit):
            w.textEdited.connect(slot)
        elif isinstance(w, (QPlainTextEdit, QTextEdit)):
            w.textChanged.connect(slot)
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(slot)
            if w.isEditable():
                w.lineEdit().textEdited.connect(slot)
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.valueChanged.connect(slot)
        elif isinstance(w, QDateEdit):
            w.dateChanged.connect(slot)
        elif isinstance(w, (QCheckBox, QAbstractButton)):
            w.toggled.connect(slot)


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab goes through `widgets` in the given order (the paper form's)."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


class FormKeys(QObject):
    """Enter to the next field / submit on the last, Ctrl+S submit, Esc cancel."""

    def __init__(self, dialog: QWidget, fields: Sequence[QWidget],
                 submit: Callable[[], object], cancel: Callable[[], object] | None = None
                 ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.submit = submit
        self.cancel = cancel
        self.fields: list[QWidget] = []
        dialog.installEventFilter(self)
        self.set_fields(fields)

    def set_fields(self, fields: Sequence[QWidget]) -> None:
        for w in self.fields:
            w.removeEventFilter(self)
        self.fields = list(fields)
        for w in self.fields:
            if isinstance(w, (QPlainTextEdit, QTextEdit)):
                w.setTabChangesFocus(True)  # Enter still starts a new line in them
            else:
                # Seen by the field before it acts: an editable combo's line edit would
                # otherwise take the first Enter to accept its inline completion.
                w.installEventFilter(self)
        chain_tab_order(self.fields)

    # -- moving -----------------------------------------------------------------------
    def _owner(self, widget: QWidget | None) -> QWidget | None:
        """The listed field `widget` belongs to (a combo's line edit, a spin box's editor)."""
        while widget is not None and widget is not self.dialog:
            if widget in self.fields:
                return widget
            widget = widget.parentWidget()
        return None

    def next_field(self, current: QWidget) -> QWidget | None:
        """The next usable field after `current`, None when `current` is the last."""
        if current not in self.fields:
            return None
        for w in self.fields[self.fields.index(current) + 1:]:
            if usable(w):
                return w
        return None

    def enter(self, focused: QWidget | None) -> bool:
        """Enter pressed in `focused`: move on, or submit on the last field. True = handled."""
        current = self._owner(focused)
        if current is None:
            if isinstance(focused, QAbstractButton):
                return False  # a focused button is pressed by Qt itself
            # Not a listed field: nothing is submitted by accident; go to the first field.
            first = next((w for w in self.fields if usable(w)), None)
            if first is not None:
                self._focus(first)
            return True
        following = self.next_field(current)
        if following is None:
            self._save()
        else:
            self._focus(following)
        return True

    def _focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        elif isinstance(widget, QComboBox) and widget.isEditable():
            widget.lineEdit().selectAll()

    def _save(self) -> None:
        self.submit()

    # -- the filter ---------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress:
            return False
        # A listed field sees its keys first; any other widget's unused keys come up to
        # the dialog (where Qt would press the default button on Enter).
        assert isinstance(event, QKeyEvent)
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in ENTER_KEYS and mods == Qt.KeyboardModifier.NoModifier:
            if obj is self.dialog or obj in self.fields:
                return self.enter(obj if obj in self.fields else QApplication.focusWidget())
        if event.matches(SAVE) and (obj is self.dialog or obj in self.fields):
            self._save()  # a key event, not a QShortcut: one path whatever has the focus
            return True
        if event.key() == Qt.Key.Key_Escape and obj is self.dialog and self.cancel is not None:
            self.cancel()
            return True
        return False
