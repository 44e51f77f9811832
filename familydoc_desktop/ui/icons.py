"""Icons from resources/icons/*.svg (drawn for this app; QtSvg renders them at any size)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QIcon

from familydoc_desktop import resources

ICONS_DIR = resources.path("icons")


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    path = ICONS_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
