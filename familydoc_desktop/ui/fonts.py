"""Fonts that render Chinese on every clinic PC.

Qt falls back per glyph through a family list: Windows has Microsoft YaHei / SimSun, Linux
desktops WenQuanYi or Noto CJK. Without any of them Chinese shows as empty boxes, so
`cjk_available()` lets the app warn instead of silently drawing boxes.
"""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

CJK_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "SimSun",
                "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC",
                "Noto Sans SC")
BASE_POINT_SIZE = 10


def installed_cjk_families() -> list[str]:
    known = set(QFontDatabase.families())
    return [f for f in CJK_FAMILIES if f in known]


def cjk_available() -> bool:
    return bool(installed_cjk_families())


def app_font(point_size: int = BASE_POINT_SIZE) -> QFont:
    font = QFont()
    # Installed ones first so the primary family is real; the rest stay as fallbacks.
    families = installed_cjk_families() + [f for f in CJK_FAMILIES
                                           if f not in installed_cjk_families()]
    font.setFamilies(families)
    font.setPointSize(point_size)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


def apply_app_font(app: QApplication, point_size: int = BASE_POINT_SIZE) -> QFont:
    font = app_font(point_size)
    app.setFont(font)
    return font


def html_font_stack() -> str:
    """CSS font-family value for printed documents (QTextDocument)."""
    families = installed_cjk_families() or list(CJK_FAMILIES)
    return ", ".join(f"'{f}'" for f in families) + ", sans-serif"
