"""Errors of the local store, worded for the user (Chinese)."""
from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DatabaseError
from sqlcipher3 import dbapi2 as _cipher


class StoreError(RuntimeError):
    """A problem with the local database or its directory, worded for the user (Chinese)."""


DAMAGED = ("本地数据库文件已损坏，或不是家医签约助手的数据库（也可能是用另一台电脑的密钥加密的）：{path}。"
           "请用“恢复备份”从备份恢复（命令行：familydoc restore 备份文件；"
           "升级前的自动备份在数据目录的 backups 文件夹中）；"
           "没有可用的备份时，运行 familydoc recover 并从服务器重新同步（见 docs/security.md）。")
BUSY = "本地数据库正被另一个家医签约助手窗口或程序使用，请关闭后重试"


def describe_database_error(exc: BaseException, path: object = "") -> str | None:
    """A Chinese message for an SQLite failure that is about the file itself (damaged after
    a power cut, not a database, locked by another program); None for anything else, such as
    a constraint failure, which is a bug or a rule and must not be called damage."""
    orig = exc.orig if isinstance(exc, DatabaseError) else exc
    if isinstance(orig, (sqlite3.IntegrityError, _cipher.IntegrityError)) \
            or not isinstance(orig, (sqlite3.DatabaseError, _cipher.DatabaseError)):
        return None
    words = str(orig).lower()
    if "locked" in words or "busy" in words:
        return BUSY
    if isinstance(orig, (sqlite3.OperationalError, _cipher.OperationalError)) \
            and "malformed" not in words:
        return None  # e.g. no such table: a bug, shown as one
    return DAMAGED.format(path=path)
