"""Chinese is the default UI language through Qt Linguist files; English stays selectable."""
from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6

from familydoc_desktop.ui import i18n

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
    untranslated = [m.findtext("source") for m in ET.parse(copy).iter("message")
                    if m.find("translation").get("type") == "unfinished"]
    assert untranslated == []
    assert i18n.qm_path("zh_CN").stat().st_mtime >= TS.stat().st_mtime - 1, \
        "run build_scripts/translations.sh --release-only"


def test_chinese_by_default_and_english_selectable(window, app):
    assert window.nav.item(0).text() == "今日工作"
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    i18n.install_translators(app, "en")
    try:
        from familydoc_desktop.ui.main_window import MainWindow
        english = MainWindow(window.ctx)
        assert english.nav.item(0).text() == "Today"
        english.sync.stop()
        english.deleteLater()
    finally:
        i18n.install_translators(app, "zh_CN")
