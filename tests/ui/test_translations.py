"""Chinese is the default UI language through Qt Linguist files; English stays selectable."""
from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6

from familydoc_desktop.ui import i18n

from .conftest import close_window

UI = Path(__file__).resolve().parents[2] / "familydoc_desktop" / "ui"
TS = i18n.TRANSLATIONS_DIR / "familydoc_zh_CN.ts"


def test_every_ui_string_has_a_chinese_translation(tmp_path):
    """lupdate over the UI sources must find nothing the committed .ts leaves untranslated."""
    lupdate = Path(PySide6.__file__).parent / "lupdate"
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in UI.rglob("*.py"))
    subprocess.run([str(lupdate), "-silent", "-locations", "none", *sources, "-ts", str(copy)],
                   check=True, capture_output=True)
    tree = ET.parse(copy)
    untranslated = [m.findtext("source") for m in tree.iter("message")
                    if m.find("translation").get("type") == "unfinished"]
    assert untranslated == []
    # A tr() outside a class lands in a nameless context that self.tr() never looks up:
    # the string would show in English however it is translated.
    nameless = [m.findtext("source") for c in tree.iter("context") if not c.findtext("name")
                for m in c.iter("message") if m.find("translation").get("type") != "obsolete"]
    assert nameless == []
    assert i18n.qm_path("zh_CN").stat().st_mtime >= TS.stat().st_mtime - 1, \
        "run build_scripts/translations.sh --release-only"


def test_chinese_by_default_and_english_selectable(window, app):
    assert window.nav.item(0).text() == "今日工作"
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    i18n.install_translators(app, "en")
    try:
        from familydoc_desktop.ui.main_window import MainWindow
        english = MainWindow(window.ctx)
        try:
            assert english.nav.item(0).text() == "Today"
        finally:
            close_window(english)
            english.deleteLater()
    finally:
        i18n.install_translators(app, "zh_CN")


def test_never_synced_reads_chinese(window):
    from familydoc_desktop.ui.screens.sync_panel import SyncStatus

    never = SyncStatus(last_sync=None, pending=3, open_conflicts=0, server_url="https://x",
                       username="doc", logged_in=True)
    window.sync_status.show_status(never)
    assert window.sync_status.text.text() == "上次同步：从未 · 3 条更改待发送"
    screen = window.show_screen("sync")
    screen.show_status(never)
    assert screen.last_label.text() == "从未同步"
