"""Opening the device database: back up, migrate in place, refuse a newer schema, and hand out
sessions whose writes capture their sync changes."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from familydoc_desktop.domain.models import SyncState, new_id
from familydoc_desktop.store import changes, paths
from familydoc_desktop.store.engine import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(RuntimeError):
    """A problem with the local database, worded for the user (Chinese)."""


class NewerDatabaseError(StoreError):
    pass


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def sqlite_backup(source: Path, target: Path) -> Path:
    """Consistent copy through SQLite's backup API (safe while the WAL holds commits)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def migrate(engine: Engine, db_path: Path, revision: str = "head") -> Path | None:
    """Upgrade in place to `revision`; returns the backup taken first, if any."""
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(engine)
    if current is not None and not _known(script, current):
        raise NewerDatabaseError(
            f"此数据库（版本 {current}）由更新版本的家医签约助手创建，本程序无法打开。"
            "请安装最新版本后再试；数据库未做任何改动。")
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return None
    backup = None
    if current is not None and db_path.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = sqlite_backup(db_path, paths.backups_dir(db_path.parent)
                               / f"familydoc-{stamp}-before-{target}.db")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return backup


def _known(script: ScriptDirectory, rev: str) -> bool:
    try:
        return script.get_revision(rev) is not None
    except Exception:  # alembic raises for unknown revision ids
        return False


class Database:
    """An open device database. `session()` is the only way code writes to it."""

    def __init__(self, path: Path, *, migrate_to: str = "head") -> None:
        self.path = Path(path)
        self.engine = make_engine(self.path)
        self.backup_taken = migrate(self.engine, self.path, migrate_to)
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        with self._sessions() as s:
            device, last = changes.load_clock_state(s)
            if device is None:
                device = new_id()
                s.add(SyncState(key=changes.DEVICE_KEY, value=device))
                s.commit()
        self.device_id = device
        self.capture = changes.ChangeCapture(node=device.replace("-", "")[-12:], last=last)
        changes.install(self._sessions, self.capture)

    @contextmanager
    def session(self, *, capture: bool = True) -> Iterator[Session]:
        """A unit of work committed at the end of the block, rolled back on error."""
        with self._sessions() as s:
            s.info["capture"] = capture
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def open_database(data_dir: str | Path | None = None) -> Database:
    return Database(paths.data_dir(data_dir) / paths.DB_NAME)
