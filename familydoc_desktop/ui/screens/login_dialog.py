"""Signing in to the sync server. The password is sent once; the token the server returns
goes to the operating system's credential store (keyring) through the sync package."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMessageBox, QVBoxLayout, QWidget,
)

from familydoc_desktop.sync import session
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import error_label, show_error
from familydoc_desktop.ui.widgets.form_keys import FormKeys
from familydoc_desktop.ui.taskman import failure_text


class LoginDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_info = None
        self.username = ""
        self.scope_question = ""  # the question asked when the account's scope differs
        self.scope_answer: bool | None = None  # tests answer it here instead of a modal box
        self.setWindowTitle(self.tr("Sign in to the sync server"))
        self.resize(460, 220)
        info = session.current(ctx.db)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.server_edit = QLineEdit(info.server_url or "", self)
        self.server_edit.setPlaceholderText("https://township.example:8443")
        self.user_edit = QLineEdit(info.username or "", self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Server address"), self.server_edit)
        form.addRow(self.tr("User name"), self.user_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        self.error = error_label(self)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.keys = FormKeys(self, (self.server_edit, self.user_edit, self.password_edit),
                             self.sign_in)
        (self.password_edit if info.username else self.server_edit).setFocus()

    def sign_in(self, *, force: bool = False) -> None:
        if not self.buttons.isEnabled():
            return  # already signing in (a second Enter or Ctrl+S)
        url = self.server_edit.text().strip()
        user = self.user_edit.text().strip()
        password = self.password_edit.text()
        if not url or not user or not password:
            show_error(self.error, self.tr("Enter the server address, user name and password."))
            return
        show_error(self.error, None)
        self.buttons.setEnabled(False)

        def work(progress):  # noqa: ANN001, ANN202
            # A busy server is waited on as it asks; the progress dialog says so.
            return session.login(self.ctx.db, url, user, password, force=force,
                                 on_wait=lambda line: progress(0, 0, line))

        self.ctx.task(work, success=self._done, failure=self._failed, network=True,
                      label=self.tr("Signing in…"), parent=self, cancellable=False)

    def _done(self, result) -> None:  # noqa: ANN001
        self.buttons.setEnabled(True)
        self.result_info = result
        self.username = result.username
        self.password_edit.clear()
        self.ctx.reset_identity()
        self.ctx.notify("*")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, session.ScopeMismatch):
            self._ask_scope(exc)
            return
        show_error(self.error, failure_text(exc))

    def _ask_scope(self, exc: session.ScopeMismatch) -> None:
        """Another organisation's account: nothing was stored or pulled yet; ask first."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Account of another organisation"),
                          failure_text(exc) + "。\n\n" + self.tr(
                              "Sign in with this account anyway? Choose Cancel to keep this "
                              "PC as it is."), parent=self)
        anyway = box.addButton(self.tr("Sign in anyway"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        self.scope_question = box.text()
        answer = self.scope_answer
        if answer is None:
            box.exec()
            answer = box.clickedButton() is anyway
        if answer:
            self.sign_in(force=True)
        else:
            show_error(self.error, self.tr("Not signed in; nothing on this PC was changed."))
