"""The one place a SQLite engine is made, so every connection gets the durability pragmas
(and so SQLCipher can be switched on here later, toolbox.md)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # Village PCs lose power: FULL syncs the WAL on every commit; NORMAL may drop the last ones.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA cache_size=-8000",  # 8 MB a connection: the OS file cache does the rest
)


def make_engine(path: Path | str) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        for pragma in PRAGMAS:
            cur.execute(pragma)
        cur.close()

    return engine
