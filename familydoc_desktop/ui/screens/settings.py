"""Settings: sync server and account, regional rule sets (fees, ledger, visits), language,
backup and restore. Rule-set choices are device settings in the store; the language is a
per-PC UI preference (QSettings) that takes effect at the next start."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.rulesets import list_rulesets, load_ruleset
from familydoc_desktop.store import orgs, settings
from familydoc_desktop.ui import i18n
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.widgets.common import error_label, show_error
from familydoc_desktop.ui.taskman import failure_text


class SettingsScreen(QWidget):
    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel(self.tr("Settings"), self)
        title.setObjectName("heading")
        layout.addWidget(title)

        server_box = QGroupBox(self.tr("Sync server and account"), self)
        sform = QFormLayout(server_box)
        self.server_edit = QLineEdit(server_box)
        self.server_edit.setPlaceholderText("https://township.example:8443")
        self.account_label = QLabel(server_box)
        self.clinic_label = QLabel(server_box)
        login_row = QHBoxLayout()
        self.save_server_button = QPushButton(self.tr("Save address"), server_box)
        self.save_server_button.clicked.connect(self.save_server)
        self.login_button = QPushButton(self.tr("Sign in…"), server_box)
        self.login_button.clicked.connect(self._login)
        self.logout_button = QPushButton(self.tr("Sign out"), server_box)
        self.logout_button.clicked.connect(self.logout)
        for b in (self.save_server_button, self.login_button, self.logout_button):
            login_row.addWidget(b)
        login_row.addStretch(1)
        sform.addRow(self.tr("Server address"), self.server_edit)
        sform.addRow(self.tr("Account"), self.account_label)
        sform.addRow(self.tr("This PC's clinic"), self.clinic_label)
        sform.addRow("", login_row)
        layout.addWidget(server_box)

        rules_box = QGroupBox(self.tr("Regional rule sets"), self)
        rform = QFormLayout(rules_box)
        self.combos: dict[str, QComboBox] = {}
        for key, kind, text in (("region_preset", "fees", self.tr("Fee preset")),
                                ("ledger_ruleset", "ledger", self.tr("Ledger colours")),
                                ("visits_ruleset", "visits", self.tr("Visit intervals")),
                                ("targets_ruleset", "targets", self.tr("Indicator targets"))):
            combo = QComboBox(rules_box)
            for name in list_rulesets(kind):
                rs = load_ruleset(name)
                combo.addItem(f"{rs.get('region') or rs.get('name') or name} "
                              f"({rs.get('version', '')})", name)
            combo.currentIndexChanged.connect(lambda _i, k=key: self.save_ruleset(k))
            self.combos[key] = combo
            rform.addRow(text, combo)
        self.language_combo = QComboBox(rules_box)
        for code, name in i18n.LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.currentIndexChanged.connect(self.save_language)
        rform.addRow(self.tr("Language (after restart)"), self.language_combo)
        layout.addWidget(rules_box)

        backup_box = QGroupBox(self.tr("Backup and restore"), self)
        bform = QVBoxLayout(backup_box)
        brow = QHBoxLayout()
        self.backup_button = QPushButton(self.tr("Back up now"), backup_box)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(self.tr("Restore from a backup…"), backup_box)
        self.restore_button.clicked.connect(self.choose_restore)
        brow.addWidget(self.backup_button)
        brow.addWidget(self.restore_button)
        brow.addStretch(1)
        bform.addLayout(brow)
        self.backup_label = QLabel(backup_box)
        self.backup_label.setWordWrap(True)
        bform.addWidget(self.backup_label)
        layout.addWidget(backup_box)
        self.error = error_label(self)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._loading = False
        self.load()

    def load(self) -> None:
        self._loading = True
        from familydoc_desktop.sync import session
        info = session.current(self.ctx.db)
        with self.ctx.session() as s:
            for key, combo in self.combos.items():
                i = combo.findData(settings.get_setting(s, key))
                combo.setCurrentIndex(max(i, 0))
            clinic = orgs.home_clinic(s)
            self.clinic_label.setText(f"{clinic.name}（{clinic.code}）")
        self.server_edit.setText(info.server_url or "")
        self.account_label.setText((info.username or self.tr("(not signed in)"))
                                   + ("" if info.token or not info.username
                                      else self.tr(" (signed out)")))
        self.language_combo.setCurrentIndex(
            max(self.language_combo.findData(i18n.preferred_language()), 0))
        self.backup_label.setText(self.tr("Backups are written to %1")
                                  .replace("%1", str(self.ctx.db.path.parent / "backups")))
        self._loading = False

    def activate(self) -> None:
        self.load()

    def save_server(self) -> None:
        url = self.server_edit.text().strip().rstrip("/")
        if url and not url.startswith(("http://", "https://")):
            show_error(self.error, self.tr("The address must start with https:// or http://"))
            return
        show_error(self.error, None)
        with self.ctx.session() as s:
            settings.set_setting(s, "server_url", url or None)
        if self.main is not None:
            self.main.sync.refresh_status()

    def save_ruleset(self, key: str) -> None:
        if self._loading:
            return
        with self.ctx.session() as s:
            settings.set_setting(s, key, self.combos[key].currentData())
            if key == "ledger_ruleset":
                from familydoc_desktop.store import ledger
                ledger.reevaluate_all(s)
        self.ctx.notify("*")

    def save_language(self) -> None:
        if not self._loading:
            i18n.set_preferred_language(self.language_combo.currentData())

    def _login(self) -> None:
        if self.main is not None and self.main.sync.login():
            self.load()

    def logout(self) -> None:
        from familydoc_desktop.sync import session

        def work(_p):  # noqa: ANN001, ANN202
            return session.logout(self.ctx.db)

        def done(_told) -> None:  # noqa: ANN001
            self.load()
            if self.main is not None:
                self.main.sync.refresh_status()

        self.ctx.task(work, success=done, failure=lambda e: show_error(self.error, failure_text(e)),
                      network=True)

    # -- backup ---------------------------------------------------------------------------
    def backup_now(self, on_done=None) -> None:  # noqa: ANN001
        from familydoc_desktop.store import backup

        def done(path) -> None:  # noqa: ANN001
            self.backup_label.setText(self.tr("Backup saved: %1").replace("%1", str(path)))
            if on_done:
                on_done(path)

        self.ctx.task(lambda _p: backup.backup(self.ctx.db), success=done,
                      failure=lambda e: show_error(self.error, failure_text(e)),
                      label=self.tr("Backing up…"), parent=self)

    def choose_restore(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Restore from a backup"),
                                              str(self.ctx.db.path.parent / "backups"),
                                              self.tr("Backups (*.db *.fdbak *.zip);;All (*)"))
        if not path:
            return
        answer = QMessageBox.warning(
            self, self.tr("Restore"),
            self.tr("Restoring replaces everything on this PC with the backup. Changes not "
                    "yet synced since the backup are lost. The app closes afterwards. "
                    "Continue?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(path)

    def restore(self, path: str) -> None:
        from familydoc_desktop.store import backup
        db_path = self.ctx.db.path
        self.ctx.tasks.wait_idle()
        self.ctx.db.close()

        def done(_r) -> None:  # noqa: ANN001
            QMessageBox.information(self, self.tr("Restore"),
                                    self.tr("Restored. Start the app again to continue."))
            if self.main is not None:
                self.main.close()

        self.ctx.task(lambda _p: backup.restore(db_path, path), success=done,
                      failure=lambda e: show_error(self.error, failure_text(e)),
                      label=self.tr("Restoring…"), parent=self, cancellable=False)
