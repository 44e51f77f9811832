"""Backups of the device database and restoring one.

A backup is taken with SQLite's online backup API (consistent while the app runs), encrypted
with this PC's key like the database itself (engine.py), and checked with `PRAGMA integrity_check`; the last KEEP backups are kept. A restore checks the
file really is a FamilyDoc database, backs up the current one first, swaps the file in
atomically, and gives the restored database a new device id: the server has already seen
the old id's mutation ids and would drop the restored device's next pushes as duplicates.
The pull cursor is kept (rows carry their server_seq).
"""
from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from familydoc_desktop.domain.models import new_id
from familydoc_desktop.store import engine, paths
from familydoc_desktop.store.changes import DEVICE_KEY
from familydoc_desktop.store.database import StoreError, alembic_config, sqlite_backup

log = logging.getLogger(__name__)
KEEP = 30
PREFIX = "familydoc-"


class BackupError(StoreError):
    """A backup or restore could not be done; the message is for the user."""


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _open_ro(path: Path):  # noqa: ANN202
    """A read-only connection: keyed for an encrypted file, plain for an older plain one."""
    plain = engine.is_plain(path)
    return engine.connect(path, readonly=True, plain=plain,
                          key=None if plain else engine.key_for(path))


def _integrity_ok(path: Path) -> bool:
    try:
        con = _open_ro(path)
        try:
            return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
    except engine.DatabaseError:
        return False


def _unique(path: Path) -> Path:
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def list_backups(data_dir: str | Path) -> list[Path]:
    """Backups in data_dir/backups, oldest first."""
    folder = Path(data_dir) / "backups"
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{PREFIX}*.db"), key=lambda p: (p.stat().st_mtime, p.name))


def _prune(folder: Path, keep: int) -> None:
    """Keep the newest `keep` regular backups; the ones taken before a restore or a
    migration are kept too (they are rare and are what a user falls back on)."""
    regular = [p for p in sorted(folder.glob(f"{PREFIX}*.db"),
                                 key=lambda p: (p.stat().st_mtime, p.name))
               if "-before-" not in p.name]
    for old in regular[:-keep] if keep else regular:
        old.unlink(missing_ok=True)


def backup(db, target_dir: str | Path | None = None, *, suffix: str = "",  # noqa: ANN001
           keep: int = KEEP) -> Path:
    """Copy the open database to target_dir (default data_dir/backups) as
    familydoc-YYYYmmdd-HHMMSS.db, verify the copy, keep the last `keep`."""
    source = Path(db.path if hasattr(db, "path") else db)
    folder = Path(target_dir) if target_dir else paths.backups_dir(source.parent)
    target = _unique(folder / f"{PREFIX}{_stamp()}{suffix}.db")
    try:
        sqlite_backup(source, target, getattr(db, "key", None))
    except engine.Error as exc:
        target.unlink(missing_ok=True)
        raise BackupError(f"备份失败：{exc}") from exc
    if not _integrity_ok(target):
        target.unlink(missing_ok=True)
        raise BackupError("备份文件校验失败（integrity_check），已删除该备份，请重试或检查磁盘")
    _prune(folder, keep)
    return target


def check_backup_file(path: Path) -> str:
    """The schema revision of a FamilyDoc database file; BackupError for anything else."""
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    if not _integrity_ok(path):
        raise BackupError(f"“{path.name}”不是有效的家医签约助手数据库（文件损坏、不是数据库，"
                          "或是用另一台电脑的密钥加密的备份）")
    con = _open_ro(path)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except engine.DatabaseError:
        row = None
    finally:
        con.close()
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = row is not None and script.get_revision(row[0]) is not None
    except Exception:  # alembic raises for unknown revision ids
        known = False
    if not known:
        raise BackupError(f"“{path.name}”不是家医签约助手的数据库，或由更新版本创建，不能恢复")
    return row[0]


def restore(db_path: str | Path, backup_file: str | Path) -> Path:
    """Replace the database at db_path by `backup_file` (the app must have closed it).
    Returns the backup taken of the database that was replaced (or db_path when there was
    none). The restored database gets a new device id."""
    db_path, source = Path(db_path), Path(backup_file)
    check_backup_file(source)
    before = db_path
    if db_path.exists() and engine.is_plain(db_path):
        engine.encrypt_in_place(db_path)
    if db_path.exists():
        before = backup(db_path, suffix="-before-restore")
    tmp = db_path.with_name(f".{db_path.name}.restoring")
    tmp.unlink(missing_ok=True)
    key = engine.key_for(db_path)
    if engine.is_plain(source):  # a backup made by a version before encryption
        engine.encrypted_copy(source, tmp, key)
    else:  # a consistent copy even if the source has a WAL beside it
        sqlite_backup(source, tmp, key)
    device = new_id()
    con = engine.connect(tmp, key)
    try:
        con.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)",
                    (DEVICE_KEY, device))
        con.commit()
        con.execute("PRAGMA journal_mode=DELETE")  # no -wal of its own to move along
    finally:
        con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    for side in ("-wal", "-shm"):
        Path(f"{db_path}{side}").unlink(missing_ok=True)
    os.replace(tmp, db_path)
    log.info("数据库已从备份恢复，本机设备号已更换为 %s", device)
    return before

