"""`familydoc selfcheck`: what IT staff (and the frozen build's smoke test) run to see that a
PC can show the app: Chinese fonts, both translators, the shipped resources, the database,
and the main window opened, drawn and closed cleanly. It answers with a list of checks."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTranslator
from PySide6.QtWidgets import QApplication


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


_QT_SAMPLE = ("QPlatformTheme", "Cancel")


def _pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def run(data_dir: str | Path | None, screenshot: Path | None = None) -> list[Check]:
    from familydoc_desktop import resources
    from familydoc_desktop.store.database import Database
    from familydoc_desktop.store.paths import DB_NAME, data_dir as resolve_data_dir
    from familydoc_desktop.ui import fonts, i18n
    from familydoc_desktop.ui.app import build_window, make_application

    checks: list[Check] = []
    app = make_application(lang="zh_CN")
    families = fonts.installed_cjk_families()
    checks.append(Check("cjk_font", bool(families), ", ".join(families[:3]) or "无中文字体"))
    names = [tr.language() for tr in app.findChildren(QTranslator)]
    # Qt's own buttons, from qtbase's translator. Not a literal call, so lupdate does not copy
    # the string into the app's .ts (where it would pass the check without qtbase).
    qt_sample = QCoreApplication.translate(*_QT_SAMPLE)
    checks.append(Check("translations", i18n.qm_path("zh_CN").is_file() and len(names) >= 2
                        and qt_sample != "Cancel",
                        f"{len(names)} 个翻译（{', '.join(names)}）；Cancel → {qt_sample}"))
    root = resources.root()
    rulesets = sorted(p.name for p in (root / "rulesets").glob("*.json"))
    checks.append(Check("resources", bool(rulesets), f"{root}（规则集 {len(rulesets)} 个）"))
    folder = resolve_data_dir(data_dir)
    db = Database(folder / DB_NAME)
    try:
        with db.session(capture=False) as s:
            from sqlalchemy import text

            residents = s.exec(text("SELECT count(*) FROM resident")).scalar()
        checks.append(Check("database", True, f"{folder}（居民 {residents} 人）"))
        ctx, window = build_window(db)
        window.show()
        _pump(1.5)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            saved = window.grab().save(str(screenshot))
            checks.append(Check("screenshot", saved and screenshot.stat().st_size > 0,
                                str(screenshot)))
        title = window.windowTitle()
        window.close()
        _pump(0.3)
        checks.append(Check("window", "家医" in title, title))
        del ctx
    finally:
        db.close()
    return checks
