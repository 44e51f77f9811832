"""Where the local database lives: --data-dir, else $FAMILYDOC_DATA_DIR, else the platform's
user data directory (e.g. %LOCALAPPDATA%\\FamilyDoc on Windows)."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

ENV_VAR = "FAMILYDOC_DATA_DIR"
DB_NAME = "familydoc.db"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    chosen = override or os.environ.get(ENV_VAR) or user_data_dir("FamilyDoc", "FamilyDoc")
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_dir(base: Path) -> Path:
    path = base / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
