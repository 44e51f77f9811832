"""Opening the device database: back up, migrate in place, refuse a newer schema, and hand out
sessions whose writes capture their sync changes."""
from __future__ import annotations

import logging
import re
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from familydoc_desktop.domain import hlc
from familydoc_desktop.domain.models import SyncState, new_id
from familydoc_desktop.store import changes, indexes, paths
from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.store.engine import make_engine
from familydoc_desktop.store.errors import StoreError, describe_database_error

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
log = logging.getLogger(__name__)


class NewerDatabaseError(StoreError):
    pass


def alembic_config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w]+|None)['\"]?",
                       re.MULTILINE)


@lru_cache(maxsize=1)
def scanned_head() -> str | None:
    """The single head revision read from the migration files' text, or None when that is
    not clear-cut (branches, odd syntax). Lets an up-to-date database open without importing
    Alembic (~35 MB and ~0.2 s at every start); tests check it agrees with Alembic."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision", "None") != "None":
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                   " AND name = 'alembic_version'")).first()
        if not exists:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


EMPTY = ("本地数据库文件是空的（0 字节）：{path}，而数据目录的 backups 文件夹中有备份。"
         "为免把空库当成新库使用，程序没有打开它。请用“恢复备份”从备份恢复"
         "（命令行：familydoc restore 备份文件）。")


def sqlite_backup(source: Path, target: Path, key: str | None = None) -> Path:
    """Consistent copy through SQLite's backup API (safe while the WAL holds commits),
    encrypted with this PC's key like the source."""
    target.parent.mkdir(parents=True, exist_ok=True)
    key = key or dbengine.key_for(source)
    paths.create_private_file(target)
    src = dbengine.connect(source, key)
    try:
        dst = dbengine.connect_like(src, target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def migrate(engine: Engine, db_path: Path, revision: str = "head") -> Path | None:
    """Upgrade in place to `revision`; returns the backup taken first, if any."""
    current = current_revision(engine)
    if revision == "head" and current is not None and current == scanned_head():
        return None  # the everyday case: nothing to do, no Alembic import
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
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


def _known(script: "ScriptDirectory", rev: str) -> bool:
    try:
        return script.get_revision(rev) is not None
    except Exception:  # alembic raises for unknown revision ids
        return False


HOME_KEY = "device_home"


def _bind_home(session: Session, device: str, path: Path) -> tuple[str, str | None]:
    """(device id, the id it replaced or None). A device id belongs to one database file in
    one place. A copied data folder (or one moved to another PC) would otherwise push under
    the original's id: its mutation ids repeat the original's, the server takes its new edits
    for retries, acknowledges them and applies none. So a file opened away from where it was
    last opened gets a new device id (and must log in again, sync.session); its pending
    edits stay queued and go up under the new id. Restores re-key the same way (backup.py)."""
    here = str(path.resolve())
    home = session.get(SyncState, HOME_KEY)
    if home is None:
        session.add(SyncState(key=HOME_KEY, value=here))
        return device, None
    if home.value == here:
        return device, None
    log.warning("数据库文件位置已改变（%s -> %s），本机设备号已更换", home.value, here)
    old, device = device, new_id()
    session.get(SyncState, changes.DEVICE_KEY).value = device
    home.value = here
    return device, old


def prepare_file(path: Path, progress: Callable[[int, int, str], None] | None = None
                 ) -> tuple[Path | None, str]:
    """Everything before a database file is opened: refuse an empty file that has backups
    beside it, fetch (or make) the key, make the file and its WAL private, and encrypt an
    older version's plain file in place (after an encrypted backup; `progress` hears of each
    step). Returns (the backup taken by the encryption or None, the key). Safe to run on a
    worker thread before `Database(path)`, which then finds nothing left to do."""
    path = Path(path)
    if path.is_file() and path.stat().st_size == 0 and paths.has_backups(path.parent):
        # A power cut or a copy gone wrong left an empty file where the data was: starting
        # afresh on it would look like every resident had gone.
        raise StoreError(EMPTY.format(path=path))
    # The key first: with no credential store (or a lost key) nothing is created or touched.
    key = dbengine.key_for(path)
    paths.create_private_file(path)
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            paths.make_private(side)
    try:
        return dbengine.encrypt_in_place(path, key, progress), key
    except (DatabaseError, sqlite3.DatabaseError, dbengine.DatabaseError) as exc:
        message = describe_database_error(exc, path)
        if message is None:
            raise
        raise StoreError(message) from exc


class Database:
    """An open device database. `session()` is the only way code writes to it."""

    def __init__(self, path: Path, *, migrate_to: str = "head") -> None:
        self.path = Path(path)
        self.encryption_backup, key = prepare_file(self.path)
        self.key = key  # for backups of this database; never logged or written
        self.engine = make_engine(self.path, key)
        try:
            # A first sync killed while it bulk-loaded (store/indexes.py): its parked indexes
            # are built again before anything reads this database.
            with self.engine.begin() as conn:
                indexes.restore_on_open(conn)
            self.backup_taken = migrate(self.engine, self.path, migrate_to)
            self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
            with self._sessions() as s:
                device, last = changes.load_clock_state(s)
                if device is None:
                    device = new_id()
                    s.add(SyncState(key=changes.DEVICE_KEY, value=device))
                device, self.rekeyed_from = _bind_home(s, device, self.path)
                s.commit()
        except (DatabaseError, sqlite3.DatabaseError, dbengine.DatabaseError) as exc:
            # A file damaged by a power cut, or not ours: say so, and touch nothing.
            self.engine.dispose()
            message = describe_database_error(exc, self.path)
            if message is None:
                raise
            raise StoreError(message) from exc
        self.device_id = device
        self.capture = changes.ChangeCapture(node=hlc.node_for(device), last=last)
        changes.install(self._sessions, self.capture)

    def renew_device_id(self) -> str:
        """A new device id, now (as a moved file gets one when opened; pending edits stay
        queued and go up under it). For a device id the server bound to an account this PC
        then refused (sync.session: another organisation's account, not kept). The clock's
        node stays: it only keeps this PC's stamps apart from others'."""
        with self._sessions() as s:
            row = s.get(SyncState, changes.DEVICE_KEY)
            device = new_id()
            if row is None:
                s.add(SyncState(key=changes.DEVICE_KEY, value=device))
            else:
                row.value = device
            s.commit()
        self.device_id = device
        return device

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


def set_aside_unreadable(data_dir: str | Path | None = None) -> list[Path]:
    """Recovery when the database cannot be decrypted (lost key, another PC's file): move
    the database (with its WAL) and the backups this PC cannot open to
    `unreadable-YYYYmmdd-HHMMSS/` in the data directory, so the next start makes a fresh,
    empty database to log in and pull everything again from the server. Nothing is deleted
    (a key found again later opens them). Refuses a database that opens: that one is not
    lost and the user is told to use it. Returns the files moved."""
    folder = paths.data_dir(data_dir)
    db_path = folder / paths.DB_NAME
    if db_path.is_file() and db_path.stat().st_size > 0:
        from familydoc_desktop.store.keystore import KeyUnavailable

        try:
            Database(db_path).close()
        except KeyUnavailable:
            raise  # the key may be there: never set the data aside for that
        except StoreError:
            pass
        else:
            raise StoreError("本地数据库可以正常打开，不需要恢复；没有做任何改动。")
    from familydoc_desktop.store import keystore

    key = keystore.load_key()
    aside = folder / f"unreadable-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    moved: list[Path] = []

    def move(p: Path) -> None:
        aside.mkdir(exist_ok=True)
        paths.make_private(aside)
        target = aside / p.name
        p.replace(target)
        moved.append(target)

    for p in [db_path, *(db_path.with_name(db_path.name + x) for x in ("-wal", "-shm"))]:
        if p.exists():
            move(p)
    backups = folder / "backups"
    if backups.is_dir():
        for b in sorted(backups.glob("*.db")):
            if not dbengine.is_plain(b) and not _opens(b, key):
                move(b)
    log.warning("unreadable database set aside (%d files) for a fresh start", len(moved))
    return moved


def _opens(path: Path, key: str | None) -> bool:
    if key is None:
        return False
    try:
        con = dbengine.connect(path, key, readonly=True)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        finally:
            con.close()
    except dbengine.DatabaseError:
        return False
