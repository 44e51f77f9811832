"""Runs `familydoc` (cli.main) with the database opened another way, for
bench_encryption.py --same-code: the same code and data, with and without the cipher.

    FAMILYDOC_BENCH_DB=plain340   plain file through Python's own sqlite3
    FAMILYDOC_BENCH_DB=plain353   plain file through sqlcipher3 with no key (SQLCipher's SQLite)
    (unset)                       as the app does (encrypted)

A plain file is left plain (no encryption in place). Benchmarks only: never for real data."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import QueuePool

from familydoc_desktop.store import database, engine

MODE = os.environ.get("FAMILYDOC_BENCH_DB", "")


def _plain_connect(path, key=None, *, readonly=False, plain=False, timeout=30.0,  # noqa: ANN001
                   pragmas=False):  # noqa: ANN001, ANN202
    target = f"file:{Path(path)}?mode=ro" if readonly else f"file:{Path(path)}"
    if MODE == "plain340":
        import sqlite3 as module
    else:
        from sqlcipher3 import dbapi2 as module
    con = module.connect(target, uri=True, timeout=timeout, check_same_thread=False)
    if pragmas:
        for pragma in engine.PRAGMAS:
            con.execute(pragma)
    return con


def _plain_engine(path, key=None):  # noqa: ANN001, ANN202
    target = Path(path)
    if MODE == "plain340":
        import sqlite3 as module
    else:
        from sqlcipher3 import dbapi2 as module
    return create_engine(URL.create("sqlite+pysqlite", database=str(target)), module=module,
                         creator=lambda: _plain_connect(target, pragmas=True),
                         poolclass=QueuePool, pool_use_lifo=True, hide_parameters=True)


if MODE in ("plain340", "plain353"):
    database.dbengine.encrypt_in_place = lambda *a, **k: None
    engine.connect = _plain_connect
    engine.make_engine = database.make_engine = _plain_engine

if __name__ == "__main__":
    from familydoc_desktop.cli.main import main

    sys.exit(main())
