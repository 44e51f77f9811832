"""Entry point of the desktop app: `run_app(data_dir=None) -> int` (what `familydoc` with no
sub-command calls). Opens whatever database is in the data directory (creating or upgrading
it first) and shows the main window; an empty database gets a friendly empty home screen."""
from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from familydoc_desktop import resources
from familydoc_desktop.store.database import Database, StoreError
from familydoc_desktop.store import logfile
from familydoc_desktop.store.preset import apply_preset
from familydoc_desktop.store.paths import DB_NAME, data_dir as resolve_data_dir
from familydoc_desktop.ui import fonts, i18n, labels
from familydoc_desktop.ui.taskman import failure_text

STYLE_SHEET = resources.path("styles", "app.qss")
log = logging.getLogger(__name__)


# Workers run CPU-heavy Python (due lists, imports) while every table repaint calls back into
# Python, taking the GIL once per cell and role. With the default 5 ms switch interval each of
# those waits up to 5 ms behind a busy worker (a convoy: seconds per repaint); 1 ms cuts the
# stall about fivefold for a few percent of worker speed.
GIL_SWITCH_INTERVAL = 0.001


def make_application(argv: list[str] | None = None, lang: str | None = None) -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName("FamilyDoc")
    QCoreApplication.setApplicationName("FamilyDoc")
    app.setApplicationDisplayName("家医签约助手")
    fonts.apply_app_font(app)
    chosen = i18n.install_translators(app, lang)
    labels.set_language(chosen)
    if STYLE_SHEET.exists():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    collect_on_gui_thread(app)
    return app


_COLLECTOR: list = []


def collect_on_gui_thread(app: QApplication, interval_ms: int = 500) -> None:
    """Cyclic garbage collection only on the GUI thread. Left automatic, a collection runs in
    whichever thread happens to allocate, often a task's worker thread (taskman), and when it
    frees a cycle holding a Qt object that object is destroyed off the GUI thread while the
    GUI thread may be delivering it a timer event: a rare segfault (seen in the UI tests, in
    qtbot.waitUntil). So automatic collection is off and a GUI-thread timer collects the
    generations whose thresholds were passed, as the automatic collector would have."""
    if _COLLECTOR:
        return
    from PySide6.QtCore import QTimer

    gc.disable()
    timer = QTimer(app)

    def tick() -> None:
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 > t0:
            gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)

    timer.timeout.connect(tick)
    timer.start(interval_ms)
    _COLLECTOR.append(timer)


def build_window(db: Database):  # noqa: ANN201
    """The context and main window over an open database (tests and benchmarks use it)."""
    from familydoc_desktop.ui.context import AppContext
    from familydoc_desktop.ui.main_window import MainWindow

    ctx = AppContext(db)
    window = MainWindow(ctx)
    return ctx, window


def settle_heap() -> None:
    """Move what start-up built (modules, Qt wrappers, SQLAlchemy metadata, pinyin tables)
    out of the cyclic garbage collector's reach, once, when the app starts (not in
    build_window: tests build many windows in one process). A full collection walks every tracked
    object while holding the GIL; with those ~110,000 objects in the walk, the collections a
    10,000-row import triggers froze the window for 80-120 ms each (300 ms in a process
    that had built the demo township), against 4-30 ms once frozen (benchmarks/bench_ui.py)."""
    gc.collect()
    gc.freeze()


def install_excepthooks(_log_path: Path | None = None) -> None:
    """Uncaught exceptions (GUI thread or any other) are logged with their traceback; on the
    GUI thread the doctor sees a short Chinese message, never the traceback."""
    import sys
    import threading

    def hook(kind, exc, tb) -> None:  # noqa: ANN001
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            return
        if QApplication.instance() is not None \
                and threading.current_thread() is threading.main_thread():
            QMessageBox.critical(None, "家医签约助手", failure_text(exc))

    def thread_hook(args) -> None:  # noqa: ANN001
        log.error("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = hook
    threading.excepthook = thread_hook


def open_with_notice(path: Path, *, poll_ms: int = 50) -> Database:
    """Open the database. The first start after the upgrade to encryption rewrites a plain
    database (about 15 s for 60,000 residents on a fast PC, longer on an old one) before the
    window exists: that work runs on a worker thread while a progress dialog names each step
    (backup, database, older backups) and the event loop keeps turning, so Windows never
    shows the program as not responding. Errors come back to this thread as they would from
    `Database(path)`."""
    import threading

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QProgressDialog

    from familydoc_desktop.store.database import prepare_file
    from familydoc_desktop.store.engine import is_plain

    if not is_plain(path):
        return Database(path)
    dialog = QProgressDialog()
    dialog.setWindowTitle("家医签约助手")
    intro = QCoreApplication.translate(
        "Startup", "Encrypting the local database (only this once, after the upgrade); "
        "a backup is made first. Please wait…")
    dialog.setLabelText(intro)
    dialog.setCancelButton(None)  # stopping half-way gains nothing: each step is all or nothing
    dialog.setMinimumDuration(0)
    dialog.setRange(0, 0)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    lock = threading.Lock()
    latest: list[tuple[int, int, str]] = []
    outcome: dict[str, object] = {}

    def progress(done: int, total: int, label: str) -> None:  # worker thread
        with lock:
            latest.append((done, total, label))

    def work() -> None:
        try:
            outcome["taken"] = prepare_file(path, progress)[0]
        except BaseException as exc:  # noqa: BLE001 — handed to the GUI thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="encrypt-database", daemon=True)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(poll_ms)

    def poll() -> None:
        with lock:
            step = latest[-1] if latest else None
            latest.clear()
        if step is not None:
            done, total, label = step
            dialog.setRange(0, max(total, 1))
            dialog.setValue(done)
            if label:  # the store's Chinese step name, under the translated title
                dialog.setLabelText(f"{intro}\n\n{label}")
        if not worker.is_alive():
            loop.quit()

    timer.timeout.connect(poll)
    dialog.show()
    worker.start()
    timer.start()
    try:
        loop.exec()
        worker.join()
    finally:
        timer.stop()
        dialog.close()
        dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    db = Database(path)
    db.encryption_backup = outcome.get("taken")  # type: ignore[assignment]
    return db


def run_app(data_dir: str | Path | None = None, *, lang: str | None = None) -> int:
    app = make_application(lang=lang)
    if not fonts.cjk_available():
        log.warning("no CJK font installed: Chinese will not render")
    try:
        folder = resolve_data_dir(data_dir)
        install_excepthooks(logfile.setup(folder))
        db = open_with_notice(folder / DB_NAME)
        apply_preset(db)  # the installer's server address, on first start
    except StoreError as exc:
        QMessageBox.critical(None, "家医签约助手", failure_text(exc))
        return 1
    _ctx, window = build_window(db)
    settle_heap()
    window.show_for_work()
    window.setWindowState(window.windowState() | Qt.WindowState.WindowActive)
    try:
        return app.exec()
    finally:
        db.close()
