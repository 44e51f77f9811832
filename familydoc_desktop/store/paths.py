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
    make_private(path)
    return path


def backups_dir(base: Path) -> Path:
    path = base / "backups"
    path.mkdir(parents=True, exist_ok=True)
    make_private(path)
    return path


def make_private(path: Path) -> None:
    """Owner-only permissions on POSIX: 0700 for a folder, 0600 for a file (the residents'
    ID numbers and diagnoses are in them). On Windows the data lives in the user's own profile
    (%LOCALAPPDATA%), whose ACL already keeps other accounts out; chmod there could only set
    read-only, so nothing is done."""
    if os.name != "posix":
        return
    try:
        path.chmod(0o700 if path.is_dir() else 0o600)
    except OSError:  # not ours to change (e.g. a folder of another account): leave it
        pass


def create_private_file(path: Path) -> None:
    """Create `path` empty with owner-only permissions if it does not exist yet (SQLite then
    gives its -wal and -shm files the same permissions)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    make_private(path)


def has_backups(base: Path) -> bool:
    folder = base / "backups"
    return folder.is_dir() and any(p.is_file() for p in folder.iterdir())
