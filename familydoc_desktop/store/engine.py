"""The one place a connection to the device database is made: every SQLAlchemy engine and every
raw DB-API connection (backups, restores, checks) comes from here, so every one of them is
SQLCipher-encrypted with this PC's key (keystore.py) and gets the durability pragmas.

A database file of an older version is plain SQLite: `encrypt_in_place` turns it (and the
plain backups beside it) into encrypted files, after an encrypted backup, nothing lost."""
from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import QueuePool
from sqlcipher3 import dbapi2 as dbapi

from familydoc_desktop.store import keystore, paths
from familydoc_desktop.store.errors import StoreError

log = logging.getLogger(__name__)

CACHE_KIB = -65536  # see PRAGMAS

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # Village PCs lose power: FULL syncs the WAL on every commit; NORMAL may drop the last ones.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    # 64 MB a connection (the cache only grows with the pages read). Encrypted pages are
    # decrypted on every page-cache miss (the OS file cache holds ciphertext): with 8 MB the
    # due list of a 60,000-resident township ran 2.5x slower than unencrypted, with 16 MB
    # still about 2x (HMAC-SHA256: the list reads `resident` in several passes); with 64 MB
    # lists are at the unencrypted speed. The price is memory: bench_ui's app peak went from
    # 280 to 382-409 MB, over its 300 MB target (docs/security.md "Speed and memory").
    f"PRAGMA cache_size={CACHE_KIB}",
    # Sorts and temporary indexes in memory: no temporary file of a query (names, ID numbers
    # being sorted) is ever written to disk.
    "PRAGMA temp_store=MEMORY",
)
PLAIN_HEADER = b"SQLite format 3\x00"

# SQLCipher settings of a database this version creates, issued right after the key. The
# SQLCipher 4 default authenticates each page with HMAC-SHA512; SHA-256 (still HMAC on every
# page, 32-byte tag) costs about half as much CPU per page (CPUs with SHA extensions hash it
# in hardware), and page decryption is what an encrypted read pays over a plain one
# (docs/security.md "Speed and memory"). AES-256-CBC, the raw 256-bit key and the page size
# stay as they were.
CIPHER = ("PRAGMA cipher_hmac_algorithm = HMAC_SHA256",)
# What the first encrypted version wrote (SQLCipher 4 defaults): field PCs and their backups
# have files like that. Every open tries CIPHER first, then these (`_keyed`).
LEGACY_CIPHER: tuple[str, ...] = ()

# The DB-API module behind every connection (sqlcipher3, a fork of the standard sqlite3):
# catch dbapi.IntegrityError etc., not sqlite3's, on raw cursors.
Error, DatabaseError, IntegrityError, OperationalError = (
    dbapi.Error, dbapi.DatabaseError, dbapi.IntegrityError, dbapi.OperationalError)


def is_plain(path: Path | str) -> bool:
    """True for an unencrypted SQLite file (the format of versions before encryption)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == PLAIN_HEADER
    except OSError:
        return False


def key_for(path: Path | str) -> str:
    """The key that opens `path`: this PC's key; made on first use only when there is no
    encrypted file yet (an encrypted file with no key here is KeyLost, never a new key)."""
    p = Path(path)
    if p.is_file() and p.stat().st_size > 0 and not is_plain(p):
        key = keystore.load_key()
        if key is None:
            raise keystore.KeyLost(keystore.LOST.format(path=p))
        return key
    return keystore.get_or_create_key()


def _key_pragma(key: str) -> str:
    return f"PRAGMA key = \"x'{key}'\""


def make_engine(path: Path | str, key: str | None = None) -> Engine:
    key = key or key_for(path)
    target = Path(path)
    # Every pooled connection comes from connect(): keyed, with the file's cipher settings
    # (this version's or the first encrypted version's) and the PRAGMAS.
    url = URL.create("sqlite+pysqlite", database=str(target))
    # LIFO: the connection returned last is handed out next, so with sequential use one
    # connection's page cache stays warm instead of every pooled connection filling its own.
    return create_engine(url, module=dbapi, creator=lambda: connect(target, key, pragmas=True),
                         poolclass=QueuePool, pool_use_lifo=True, hide_parameters=True)


def _keyed(target: str, key: str, cipher: tuple[str, ...],
           timeout: float) -> "dbapi.Connection":
    con = dbapi.connect(target, uri=True, timeout=timeout, check_same_thread=False)
    try:
        con.execute(_key_pragma(key))
        for pragma in cipher:
            con.execute(pragma)
        # The first read checks the key and settings against page 1 (HMAC and all).
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        con.close()
        raise
    return con


def connect(path: Path | str, key: str | None = None, *, readonly: bool = False,
            plain: bool = False, timeout: float = 30.0,
            pragmas: bool = False) -> "dbapi.Connection":
    """A raw DB-API connection (for the backup API and checks), keyed like the engine's.
    `plain=True` opens an unencrypted file of an older version (upgrade and restore only).
    An encrypted file made by the first encrypted version (LEGACY_CIPHER) opens too; a new
    or empty file gets this version's settings (CIPHER). `pragmas=True` also runs PRAGMAS
    (the engine's connections)."""
    target = f"file:{Path(path)}?mode=ro" if readonly else f"file:{Path(path)}"
    if plain:
        return _with_pragmas(
            dbapi.connect(target, uri=True, timeout=timeout, check_same_thread=False), pragmas)
    key = key or key_for(path)
    name = str(Path(path).resolve())
    tries = list(dict.fromkeys((_FOUND.get(name, CIPHER), CIPHER, LEGACY_CIPHER)))
    for n, cipher in enumerate(tries):
        last = n == len(tries) - 1
        try:
            con = _quiet(_keyed, target, key, cipher, timeout) if not last \
                else _keyed(target, key, cipher, timeout)
        except DatabaseError:
            if last:
                raise
            continue
        _FOUND[name] = cipher
        return _with_pragmas(con, pragmas)
    raise AssertionError("unreachable")


# The settings each file opened with last in this process, tried first next time (a file of
# the first encrypted version then costs one failed try per process, not one a connection).
_FOUND: dict[str, tuple[str, ...]] = {}


def _quiet(fn, *args):  # noqa: ANN001, ANN002, ANN202
    """A try that may well fail (the other format's settings): SQLCipher would log an HMAC
    failure on stderr for it. The log level is process-wide; it is put back at once."""
    con = dbapi.connect(":memory:")
    try:
        level = con.execute("PRAGMA cipher_log_level").fetchone()[0]
        con.execute("PRAGMA cipher_log_level = NONE")
        try:
            return fn(*args)
        finally:
            con.execute(f"PRAGMA cipher_log_level = {level}")
    finally:
        con.close()


def legacy_cipher(path: Path | str, key: str | None = None) -> bool:
    """True for an encrypted file with the first encrypted version's settings."""
    con = connect(path, key, readonly=True)
    try:
        return cipher_of(con) != cipher_of_settings(CIPHER)
    finally:
        con.close()


def cipher_of_settings(cipher: tuple[str, ...]) -> tuple[str, ...]:
    """`cipher_of` of a new database keyed with `cipher`."""
    con = dbapi.connect(":memory:")
    try:
        con.execute(_key_pragma("00" * 32))
        for pragma in cipher:
            con.execute(pragma)
        return cipher_of(con)
    finally:
        con.close()


def connect_like(source: "dbapi.Connection", path: Path | str,
                 key: str) -> "dbapi.Connection":
    """A keyed connection to a new file `path` with the cipher settings of the open `source`
    (the backup API copies pages as they are: both ends need the same settings)."""
    return _keyed(f"file:{Path(path)}", key, cipher_of(source), 30.0)


def cipher_of(con: "dbapi.Connection", schema: str = "main") -> tuple[str, ...]:
    """The cipher settings of an open connection's database, as PRAGMAs for an ATTACHed copy
    (a backup through the backup API needs the source's page size and reserved bytes)."""
    algo = con.execute(f"PRAGMA {schema}.cipher_hmac_algorithm").fetchone()[0]
    size = con.execute(f"PRAGMA {schema}.cipher_page_size").fetchone()[0]
    return (f"PRAGMA cipher_hmac_algorithm = {algo}", f"PRAGMA cipher_page_size = {int(size)}")


def _with_pragmas(con: "dbapi.Connection", pragmas: bool) -> "dbapi.Connection":
    if pragmas:
        for pragma in PRAGMAS:
            con.execute(pragma)
    return con


def _zero_and_remove(path: Path) -> None:
    """Overwrite a plaintext file's bytes before removing it (best effort: a journaling file
    system or an SSD may keep old blocks; docs/security.md says so)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            chunk = b"\0" * (1 << 20)
            left = size
            while left > 0:
                fh.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def _counts(con: "dbapi.Connection") -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def encrypted_copy(plain_file: Path, target: Path, key: str) -> dict[str, int]:
    """Write an encrypted copy of a plain SQLite file (sqlcipher_export: schema, rows, user
    version) and check it: integrity_check ok and the same row count in every table.
    Returns the counts; StoreError (target removed) when the check fails."""
    target.unlink(missing_ok=True)
    paths.create_private_file(target)
    src = connect(plain_file, plain=True)
    try:
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _counts(src)
        src.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key}'\"", (str(target),))
        for pragma in CIPHER:
            src.execute(pragma.replace("PRAGMA ", "PRAGMA encrypted.", 1))
        src.execute("SELECT sqlcipher_export('encrypted')")
        version = src.execute("PRAGMA user_version").fetchone()[0]
        src.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        src.commit()
        src.execute("DETACH DATABASE encrypted")
    finally:
        src.close()
    dst = connect(target, key)
    try:
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = _counts(dst)
    finally:
        dst.close()
    if not ok or after != before:
        target.unlink(missing_ok=True)
        raise StoreError(f"加密本地数据库时校验失败（{plain_file.name}），原文件未改动，请联系信息管理员")
    return after


def _encrypt_file(path: Path, key: str) -> None:
    """Replace the plain file `path` by its encrypted copy (checked), then wipe the plain one.
    A crash at any point leaves either the plain file or the encrypted one in place."""
    tmp = path.with_name(f".{path.name}.encrypting")
    encrypted_copy(path, tmp, key)
    # The plain WAL was checkpointed into the file; a stale -wal next to the encrypted file
    # would be read as garbage.
    old = path.with_name(f".{path.name}.plain-old")
    os.replace(path, old)
    os.replace(tmp, path)
    for side in ("-wal", "-shm"):
        stale = Path(f"{path}{side}")
        if stale.exists():
            _zero_and_remove(stale)
    _zero_and_remove(old)


# The steps of encrypt_in_place, as progress(done, total, label) reports them (Chinese: the
# doctor reads them on the start-up dialog).
STEP_BACKUP = "正在生成加密备份"
STEP_DATABASE = "正在加密本地数据库"
STEP_OLD_BACKUP = "正在加密以前的备份（{n}/{total}）"


def encrypt_in_place(db_path: Path, key: str | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> Path | None:
    """Upgrade of a plain database (and its plain backups) to encrypted files. First an
    encrypted, checked backup of the database in backups/ (familydoc-…-before-encryption.db),
    then the database itself, then every plain backup. Returns the backup taken, or None when
    there was nothing to do. `progress(done, total, label)` is called before each step (the
    steps are: the backup, the database, each plain backup) and once at the end."""
    db_path = Path(db_path)
    report = progress or (lambda done, total, label: None)
    for leftover in db_path.parent.glob(f".{db_path.name}.plain-old"):
        _zero_and_remove(leftover)  # a crash after the swap, before the wipe
    folder = db_path.parent / "backups"
    old_plain = [old for old in sorted(folder.glob("*.db")) if is_plain(old)] \
        if folder.is_dir() else []
    main = is_plain(db_path)
    total = 2 * main + len(old_plain)
    taken = None
    if main:
        key = key or keystore.get_or_create_key()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        taken = paths.backups_dir(db_path.parent) / f"familydoc-{stamp}-before-encryption.db"
        report(0, total, STEP_BACKUP)
        counts = encrypted_copy(db_path, taken, key)
        report(1, total, STEP_DATABASE)
        _encrypt_file(db_path, key)
        log.info("local database encrypted in place (%d tables, %d rows)",
                 len(counts), sum(counts.values()))
    for n, old in enumerate(old_plain, start=1):
        key = key or keystore.get_or_create_key()
        report(2 * main + n - 1, total, STEP_OLD_BACKUP.format(n=n, total=len(old_plain)))
        stat = old.stat()
        _encrypt_file(old, key)
        os.utime(old, (stat.st_atime, stat.st_mtime))  # keep the backup's age order
    if total:
        report(total, total, "")
    return taken
