"""Secondary indexes set aside while a first sync fills empty tables (a bulk load).

Filling a township's 250,000 records row by row into tables that carry their indexes keeps
every index's B-tree up to date at each insert (resident alone has nine), and every page
commit writes (and encrypts) the index pages it touched again. Building an index once at the
end sorts the table once. So the first pull into an empty table `park`s that table's
non-unique indexes and `restore` builds them again when the pull ends, however it ends.

Safety: the dropped indexes' own SQL (as `sqlite_master` held it, i.e. exactly what the
migrations created) is written to `sync_state` in the same transaction that drops them, and
`restore` runs on every open of the database (`Database.__init__`) before anything else, so a
process killed mid-sync never leaves a database that opens without its indexes. UNIQUE
indexes are never parked: they are rules (one ID number per resident on this PC), not speed.
"""
from __future__ import annotations

import json

from sqlalchemy import Connection

PARKED_KEY = "bulk_load_indexes"


def _parked(conn: Connection) -> list[list[str]]:
    value = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?",
                                 (PARKED_KEY,)).scalar()
    return json.loads(value) if value else []


def park(conn: Connection, tables: list[str]) -> list[str]:
    """Drop the non-unique indexes of `tables`, their SQL remembered first; in the caller's
    transaction. Returns the names dropped."""
    if not tables:
        return []
    marks = ",".join("?" * len(tables))
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks}) ORDER BY tbl_name, name", tuple(tables)).fetchall()
    drop = [[name, sql] for name, sql in found
            if not sql.lstrip().upper().startswith("CREATE UNIQUE")]
    if not drop:
        return []
    kept = _parked(conn)
    # The statement that opens the transaction is this write (pysqlite begins before DML),
    # so the DROPs below commit or roll back with it.
    conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key)"
                         " DO UPDATE SET value = excluded.value",
                         (PARKED_KEY, json.dumps(kept + drop, ensure_ascii=False)))
    for name, _ in drop:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [name for name, _ in drop]


def restore(conn: Connection) -> int:
    """Build again every parked index this database lacks and forget them; in the caller's
    transaction. Returns how many were built (0: nothing parked, the everyday case)."""
    parked = _parked(conn)
    if not parked:
        return 0
    have = {name for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (PARKED_KEY,))
    built = 0
    for name, sql in parked:
        if name not in have:
            conn.exec_driver_sql(sql)
            built += 1
    return built


def restore_on_open(conn: Connection) -> int:
    """`restore` for a database just opened: one look at sync_state (none yet: a new file)."""
    exists = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                  " AND name = 'sync_state'").first()
    return restore(conn) if exists else 0
