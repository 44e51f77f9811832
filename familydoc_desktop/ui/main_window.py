"""The main window: navigation on the left, one screen at a time on the right, sync status
at the bottom. Screens are built when first shown so the first paint is quick."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QStackedWidget,
    QWidget,
)

from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.icons import icon


class MainWindow(QMainWindow):
    screen_shown = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(self.tr("FamilyDoc — family doctor contract service"))
        self.setWindowIcon(icon("app"))
        self.setMinimumSize(QSize(1024, 640))
        self.fit_screen()
        self._screens: dict[str, QWidget] = {}
        self._factories: dict[str, Callable[[], QWidget]] = {}
        self._order: list[str] = []

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget(central)
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.nav.setIconSize(QSize(22, 22))
        self.stack = QStackedWidget(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._add_screen("home", self.tr("Today"), "home", self._make_home)
        self._add_screen("residents", self.tr("Residents"), "residents", self._make_residents)
        self._add_screen("ledger", self.tr("Ledger"), "ledger", self._make_ledger)
        self._add_screen("sickbeds", self.tr("Sickbeds"), "sickbed", self._make_sickbeds)
        self._add_screen("services", self.tr("Services"), "services", self._make_services)
        self._add_screen("reports", self.tr("Indicators"), "report", self._make_reports)
        # Township and county accounts only: shown once the sync status says who signed in.
        self._add_screen("township", self.tr("Village sync"), "township", self._make_township)
        self._add_screen("import_export", self.tr("Import/Export"), "import",
                         self._make_import_export)
        self._add_screen("duplicates", self.tr("Duplicates"), "duplicates",
                         self._make_duplicates)
        self._add_screen("sync", self.tr("Sync"), "sync", self._make_sync)
        self._add_screen("audit", self.tr("Audit log"), "audit", self._make_audit)
        self._add_screen("settings", self.tr("Settings"), "settings", self._make_settings)
        self.nav.currentRowChanged.connect(self._on_nav)

        from familydoc_desktop.ui.screens.sync_panel import SyncController, SyncStatusWidget
        self.sync = SyncController(ctx, self)
        self.sync_status = SyncStatusWidget(ctx, self.sync, self)
        self.statusBar().addPermanentWidget(self.sync_status, 1)
        self.set_supervisor(False)
        self.sync.status_changed.connect(lambda status: self.set_supervisor(status.supervisor))
        self._build_menus()
        self.nav.setCurrentRow(0)

    def fit_screen(self) -> None:
        """1366x768 at most, within the screen's available area (taskbar excluded), so the
        status bar is never off-screen when the window is restored from maximised."""
        screen = QWidget.screen(self) or QGuiApplication.primaryScreen()  # self.screen: ours
        area = screen.availableGeometry() if screen is not None else None
        if area is None or area.isEmpty():
            self.resize(1366, 768)
            return
        self.setMinimumSize(QSize(min(1024, area.width()), min(640, area.height())))
        self.resize(min(1366, area.width()), min(768, area.height()))
        self.move(area.topLeft())

    def show_for_work(self) -> None:
        """The window opens maximised within the available screen."""
        self.fit_screen()
        self.showMaximized()

    # -- screens --------------------------------------------------------------------------
    def _add_screen(self, key: str, title: str, icon_name: str,
                    factory: Callable[[], QWidget]) -> None:
        item = QListWidgetItem(icon(icon_name), title)
        item.setSizeHint(QSize(140, 44))
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)
        self._factories[key] = factory
        self._order.append(key)

    def screen(self, key: str) -> QWidget:
        if key not in self._screens:
            widget = self._factories[key]()
            widget.setObjectName(f"screen_{key}")
            self._screens[key] = widget
            self.stack.addWidget(widget)
        return self._screens[key]

    def show_screen(self, key: str) -> QWidget:
        row = self._order.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # -> _on_nav
        return self._screens[key]

    SUPERVISOR_SCREENS = ("township",)

    def set_supervisor(self, supervisor: bool) -> None:
        """Show the township screens to township and county accounts only (the role comes
        from the sign-in, read with the sync status); a village doctor never sees them."""
        self.supervisor = supervisor
        reports = self._screens.get("reports")
        if reports is not None:
            reports.set_server_option(supervisor)
        for key in self.SUPERVISOR_SCREENS:
            row = self._order.index(key)
            self.nav.setRowHidden(row, not supervisor)
            if not supervisor and self.nav.currentRow() == row:
                self.nav.setCurrentRow(0)

    def screen_visible(self, key: str) -> bool:
        return not self.nav.isRowHidden(self._order.index(key))

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = self._order[row]
        widget = self.screen(key)
        self.stack.setCurrentWidget(widget)
        activate = getattr(widget, "activate", None)
        if activate is not None:
            activate()
        self.screen_shown.emit(key)

    def _make_home(self) -> QWidget:
        from familydoc_desktop.ui.screens.home import HomeScreen
        return HomeScreen(self.ctx, self)

    def _make_residents(self) -> QWidget:
        from familydoc_desktop.ui.screens.residents import ResidentsScreen
        return ResidentsScreen(self.ctx, self)

    def _make_ledger(self) -> QWidget:
        from familydoc_desktop.ui.screens.ledger import LedgerScreen
        return LedgerScreen(self.ctx, self)

    def _make_sickbeds(self) -> QWidget:
        from familydoc_desktop.ui.screens.sickbeds import SickbedsScreen
        return SickbedsScreen(self.ctx, self)

    def _make_services(self) -> QWidget:
        from familydoc_desktop.ui.screens.services import ServicesScreen
        return ServicesScreen(self.ctx, self)

    def _make_reports(self) -> QWidget:
        from familydoc_desktop.ui.screens.reports import ReportsScreen
        screen = ReportsScreen(self.ctx, self)
        screen.set_server_option(self.supervisor)
        return screen

    def _make_township(self) -> QWidget:
        from familydoc_desktop.ui.screens.township import SyncReportScreen
        return SyncReportScreen(self.ctx, self)

    def _make_import_export(self) -> QWidget:
        from familydoc_desktop.ui.screens.import_export import ImportExportScreen
        return ImportExportScreen(self.ctx, self)

    def _make_duplicates(self) -> QWidget:
        from familydoc_desktop.ui.screens.duplicates import DuplicatesScreen
        return DuplicatesScreen(self.ctx, self)

    def _make_sync(self) -> QWidget:
        from familydoc_desktop.ui.screens.sync_panel import SyncScreen
        return SyncScreen(self.ctx, self.sync, self)

    def _make_audit(self) -> QWidget:
        from familydoc_desktop.ui.screens.audit import AuditScreen
        return AuditScreen(self.ctx, self)

    def _make_settings(self) -> QWidget:
        from familydoc_desktop.ui.screens.settings import SettingsScreen
        return SettingsScreen(self.ctx, self)

    # -- actions --------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        m_file = bar.addMenu(self.tr("&File"))
        self._action(m_file, self.tr("Import roster…"), None,
                     lambda: self.show_screen("import_export").start_import())
        self._action(m_file, self.tr("Back up now"), None,
                     lambda: self.show_screen("settings").backup_now())
        m_file.addSeparator()
        self._action(m_file, self.tr("Quit"), QKeySequence.StandardKey.Quit, self.close)

        m_res = bar.addMenu(self.tr("&Residents"))
        self.act_new_resident = self._action(m_res, self.tr("New resident…"),
                                             QKeySequence("Ctrl+N"), self.new_resident)
        self.act_search = self._action(m_res, self.tr("Search residents"),
                                       QKeySequence("Ctrl+F"), self.focus_search)

        m_sync = bar.addMenu(self.tr("&Sync"))
        self.act_sync = self._action(m_sync, self.tr("Sync now"), QKeySequence("F5"),
                                     self.sync.sync_now)
        self._action(m_sync, self.tr("Review conflicts…"), None, self.sync.review_conflicts)
        self._action(m_sync, self.tr("Sign in…"), None, self.sync.login)

        m_help = bar.addMenu(self.tr("&Help"))
        self._action(m_help, self.tr("About FamilyDoc"), None, self._about)

    def _action(self, menu, text: str, shortcut, slot) -> QAction:  # noqa: ANN001
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
            act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        self.addAction(act)
        return act

    def new_resident(self) -> None:
        self.show_screen("residents").new_resident()

    def focus_search(self) -> None:
        self.show_screen("residents").focus_search()

    def open_resident(self, resident_id: str):  # noqa: ANN201
        """The record over the screen in front (today's work, the ledger, …): closing it
        returns there, to the list it came from."""
        current = self.stack.currentWidget()
        opener = getattr(current, "open_resident", None)
        if opener is not None:
            return opener(resident_id)
        from familydoc_desktop.ui.screens.resident_form import open_record
        return open_record(self.ctx, resident_id, current or self)

    def _about(self) -> None:
        from familydoc_desktop import __version__
        QMessageBox.about(self, self.tr("About FamilyDoc"),
                          self.tr("FamilyDoc %1\nOffline-first family doctor contract "
                                  "service for village clinics.").replace("%1", __version__))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sync.stop()
        # Quick work (a due list, a probe) finishes on its own: ask only about real work.
        if not self.ctx.tasks.wait_idle(1000) and not self._confirm_quit_while_busy():
            event.ignore()
            return
        self.ctx.tasks.wait_idle(60000)
        super().closeEvent(event)

    def _confirm_quit_while_busy(self) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Work in progress"),
            self.tr("A task is still running. Wait for it to finish and quit?"))
        if answer != QMessageBox.StandardButton.Yes:
            self.sync.resume()
            return False
        return True
