"""Translations: source strings are English in `tr()`, Chinese comes from
resources/translations/familydoc_zh_CN.qm (built from the .ts by pyside6-lrelease).

Two translators are installed, as in the Qt for Python linguist example: Qt's own (standard
buttons and dialogs: 确定/取消) and the app's. Chinese is the default; English means "no
translator" since the sources are English. The choice is a per-PC UI preference (QSettings).
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from familydoc_desktop import resources

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = resources.path("translations")
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
SETTINGS_KEY = "ui/language"

_installed: list[QTranslator] = []


def settings() -> QSettings:
    return QSettings("FamilyDoc", "FamilyDoc")


def preferred_language() -> str:
    value = settings().value(SETTINGS_KEY, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def set_preferred_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(lang)
    settings().setValue(SETTINGS_KEY, lang)


def qm_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / f"familydoc_{lang}.qm"


def install_translators(app: QCoreApplication, lang: str | None = None) -> str:
    """Install Qt's and the app's translators for `lang`; returns the language in force."""
    lang = lang or preferred_language()
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return lang
    QLocale.setDefault(QLocale(lang))
    qt_tr = QTranslator(app)
    if qt_tr.load(QLocale(lang), "qtbase", "_",
                  QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_tr)
        _installed.append(qt_tr)
    app_tr = QTranslator(app)
    if app_tr.load(str(qm_path(lang))):
        app.installTranslator(app_tr)
        _installed.append(app_tr)
    else:
        log.warning("translation file missing: %s", qm_path(lang))
    return lang


def translate(context: str, text: str) -> str:
    """For code outside a QObject; lupdate finds QCoreApplication.translate calls too."""
    return QCoreApplication.translate(context, text)
