"""Engines and transactions. SQLite (the township PC) gets WAL, synchronous=FULL and a busy
timeout; PostgreSQL (county scale) gets a plain pool. Both read a consistent snapshot during a
pull and serialise writers on the sequence counter."""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.engine import make_url

from sync_server import models

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # Township PCs lose power too: FULL syncs the WAL on every commit.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error logged by the server never carries a record's values
    # (names, ID numbers) or a token hash.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           hide_parameters=True)

    # pysqlite's own transaction handling starts transactions late (before the first write),
    # so a pull's SELECTs would not share a snapshot. Take control: BEGIN ourselves, and
    # BEGIN IMMEDIATE for writers so they queue on the busy timeout instead of failing.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction over one snapshot (REPEATABLE READ on PostgreSQL)."""
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A writing transaction (committed at the end, rolled back on error)."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn = conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


class Sequence:
    """Hands out sequence numbers inside one writing transaction.

    `lock()` must be the transaction's first statement: it row-locks the counter (PostgreSQL)
    or holds the write lock (SQLite) until commit, so a later transaction's numbers are always
    higher and become visible later: a pull cursor can never skip a row that commits late.
    """

    NAME = "seq"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.value = conn.execute(
            update(models.counter).where(models.counter.c.name == self.NAME)
            .values(value=models.counter.c.value).returning(models.counter.c.value)
        ).scalar_one()
        self._start = self.value

    def next(self) -> int:
        self.value += 1
        return self.value

    def take(self, n: int) -> range:
        first = self.value + 1
        self.value += n
        return range(first, self.value + 1)

    def save(self) -> None:
        if self.value != self._start:
            self.conn.execute(update(models.counter).where(models.counter.c.name == self.NAME)
                              .values(value=self.value))
            self._start = self.value


@contextmanager
def sequenced_tx(engine: Engine) -> Iterator[tuple[Connection, Sequence]]:
    """A writing transaction that holds the sequence lock from its first statement."""
    with write_tx(engine) as conn:
        seq = Sequence(conn)
        yield conn, seq
        seq.save()


def current_seq(conn: Connection) -> int:
    return conn.execute(select(models.counter.c.value)
                        .where(models.counter.c.name == Sequence.NAME)).scalar_one()


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load (the demo loader, a restore), do on PostgreSQL what autovacuum would
    do later: VACUUM (ANALYZE) record. Without fresh statistics the planner estimates a few
    thousand rows and scans a pull page through the (org_id, seq) index plus a sort: 386 ms
    for a 5,000-row page of the 60,000-resident township instead of 5 ms along the seq index.
    Without the vacuum no page is marked all-visible, so the indicator report cannot read its
    arrays from ix_record_tally alone (an index-only scan, services/indicators.py) but reads
    the ~1 KB records, as before migration 0013, until autovacuum (if it is on) gets to the
    table. SQLite plans these queries well as it is."""
    if not is_sqlite(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) record")


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]([^'\"]*)['\"]", re.M)


def script_head() -> str | None:
    """The newest revision of the migration scripts, read from their text (alembic itself
    takes a third of a second to import); None unless the history has exactly one head."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(m.groups() for m in _REVISION.finditer(script.read_text("utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _up_to_date(engine: Engine) -> bool:
    head = script_head()
    if head is None:
        return False
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        conn.rollback()
    return current == [head]


def migrate(engine: Engine, *, backup: bool = True) -> Path | None:
    """Bring the server database to the newest schema (its own Alembic history).

    An existing database that is behind is backed up first (services/backup.py: `backups/`
    beside a SQLite file, or the server data folder); if the backup fails, nothing is
    migrated. Returns the backup written, if any."""
    if _up_to_date(engine):  # every command checks: skip alembic when nothing is to do
        return None
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    saved = None
    in_memory = is_sqlite(engine) and engine.url.database in (None, "", ":memory:")
    if (backup and not in_memory and current is not None
            and current != ScriptDirectory.from_config(config).get_current_head()):
        from sync_server.services.backup import automatic_backup

        saved = automatic_backup(engine.url.render_as_string(hide_password=False), current)
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
    return saved
