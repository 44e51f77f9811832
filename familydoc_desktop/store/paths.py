"""Where the local database lives: --data-dir, else $FAMILYDOC_DATA_DIR, else the platform's
user data directory (e.g. %LOCALAPPDATA%\\FamilyDoc on Windows)."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from familydoc_desktop.store.errors import StoreError

ENV_VAR = "FAMILYDOC_DATA_DIR"
DB_NAME = "familydoc.db"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    chosen = override or os.environ.get(ENV_VAR) or user_data_dir("FamilyDoc", "FamilyDoc")
    path = Path(chosen).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StoreError(f"数据目录 {path} 是一个文件，不是文件夹：请换一个 --data-dir") from None
    return path


def backups_dir(base: Path) -> Path:
    path = base / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
