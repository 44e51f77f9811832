"""Server database backup and restore.

SQLite (township server): the SQLite online backup API, a consistent copy even while the
server writes. PostgreSQL (county server): `pg_dump --format=custom` and `pg_restore`, which
must be installed beside the server (Debian: `apt-get install postgresql-client`, the same
major version as the server or newer).

Every schema migration of an existing server database is preceded by a backup in the
backup folder (`backup_dir`): a failed or unwanted upgrade can always be undone."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from sync_server.core.config import data_dir
from sync_server.services.errors import ServiceError

PG_TOOLS_MISSING = ("找不到 {tool}，无法备份或恢复 PostgreSQL 数据库；请在服务器上安装 PostgreSQL "
                    "客户端工具（Debian：apt-get install postgresql-client，版本不低于数据库服务器）")


class BackupError(ServiceError):
    status = 500


def _sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(url.database)


def backup_dir(database_url: str) -> Path:
    """Where automatic backups go: `backups/` beside a SQLite file, else in the server's data
    folder ($FAMILYDOC_SERVER_DATA_DIR)."""
    path = _sqlite_path(make_url(database_url))
    return (path.parent if path else data_dir()) / "backups"


def suffix(database_url: str) -> str:
    return ".db" if make_url(database_url).get_backend_name() == "sqlite" else ".dump"


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def backup(database_url: str, output: Path) -> Path:
    """Write a consistent copy of the database to `output` (replaced only when complete)."""
    url = make_url(database_url)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _sqlite_path(url)
    try:
        if source is not None:
            if not source.is_file():
                raise BackupError(f"数据库文件不存在：{source}")
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                dst.close()
                src.close()
        else:
            _pg_tool("pg_dump", url, ["--format=custom", "--no-owner", f"--file={partial}"])
        _fsync(partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def restore(database_url: str, backup_file: Path) -> Path | None:
    """Replace the database's content with the backup's. The server must be stopped.
    SQLite: the current file is first copied beside itself (returned), then overwritten."""
    url = make_url(database_url)
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"备份文件不存在：{backup_file}")
    target = _sqlite_path(url)
    if target is None:
        _pg_tool("pg_restore", url, ["--clean", "--if-exists", "--no-owner",
                                     "--single-transaction", "--exit-on-error",
                                     str(backup_file)], target_flag="--dbname")
        return None
    _check_sqlite_backup(backup_file)
    kept = None
    if target.is_file():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = backup(database_url, target.with_name(f"{target.stem}.before-restore-{stamp}.db"))
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()
    _fsync(target)
    return kept


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        ok, tables = False, set()
    if not ok:
        raise BackupError(f"不是有效的服务器备份文件（文件损坏或不是 SQLite 数据库）：{path}")
    if not {"counter", "record", "alembic_version"} <= tables:
        raise BackupError(f"这个文件不是同步服务器的备份（可能是卫生室电脑的数据库）：{path}")


def _pg_tool(tool: str, url: URL, args: list[str], target_flag: str | None = None) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(PG_TOOLS_MISSING.format(tool=tool))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line (ps shows it)
    libpq = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    conn_arg = [f"{target_flag}={libpq}"] if target_flag else [f"--dbname={libpq}"]
    started = time.monotonic()
    proc = subprocess.run([exe, *conn_arg, *args], env=env, capture_output=True, text=True,
                          timeout=24 * 3600)
    if proc.returncode != 0:
        # pg_dump/pg_restore messages name objects, never row contents.
        detail = (proc.stderr or "").strip().splitlines()[-1:] or [""]
        raise BackupError(f"{tool} 失败（退出码 {proc.returncode}，{time.monotonic() - started:.0f} 秒）："
                          f"{detail[0]}")


def automatic_backup(database_url: str, revision: str | None) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"before-upgrade-{revision or 'none'}-{stamp}{suffix(database_url)}"
    return backup(database_url, backup_dir(database_url) / name)
