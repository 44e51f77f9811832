"""The digest of values (issue 14, protocol digest version 2), on the PC: hash every synced
row as it is stored, compare per table with the server, narrow a mismatch to buckets and rows,
and repair the rows that differ from the server's copy.

A row's hash is protocol.row_hash of its raw SQLite values (id, server_seq, then the server's
wire columns in the server's order), which is by construction the canonical form the server
hashes its JSON through: no value is converted here, so a phone changed with SQL behind the
app's back changes the hash. Rows set aside (sync_set_aside) count as the version set aside.

Repair: the rows of the differing buckets are pulled (`bucket`), and a pulled row is written
(apply.apply_page, which keeps fields with pending local edits: rebase) only if it differs
from the stored row in a field without a pending edit: a pending edit is not drift, and it is
still pushed. Nothing pending is lost. Nor is a resident stored without an ID number another
resident here holds (the PC's own rule for a clash the server keeps): its bucket differs on
every check, its row compares equal.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from familydoc_desktop.domain.models import SYNCED_TABLES
from familydoc_desktop.store import set_aside as store_set_aside
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, outbox
from familydoc_desktop.sync.protocol import (
    PullResponse, TablePage, canonical_value, content_kinds, row_hash, sum_hex,
    wire_row_hash,
)

# More differing buckets than this: the whole table is pulled (and compared row by row).
MAX_BUCKETS_PULLED = 64
# Stamps of a local edit (not in its outbox changes): not drift on a row with a pending edit.
EDIT_STAMPS = frozenset({"hlc", "updated_at"})
# What a PC changes in a resident whose ID number another resident here holds.
GIVE_WAY = frozenset({"id_number", "needs_id_match"})


def _select(table: str, columns: list[str]) -> str:
    have = set(SYNCED_TABLES[table].__table__.columns.keys())
    # A column this PC's schema lacks (a newer server) counts as NULL.
    picked = ", ".join(f'"{c}"' if c in have else "NULL" for c in columns)
    return f'SELECT id, server_seq{", " + picked if picked else ""} FROM "{table}"' \
           f' WHERE server_seq IS NOT NULL'


def _set_aside_hashes(cursor, table: str, columns: list[str]) -> dict[str, int]:  # noqa: ANN001
    out = {}
    for rid, (seq, row) in store_set_aside.rows(cursor, table).items():
        out[rid] = wire_row_hash(table, columns, rid, seq, row.get)
    return out


def table_digests(db: Database, columns: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """(count, content digest) of every synced table the server named, in one read."""
    out = {}
    with db.session(capture=False) as s:
        cursor = s.connection().connection.dbapi_connection.cursor()
        for table, cols in columns.items():
            if table not in SYNCED_TABLES:
                continue
            held = _set_aside_hashes(cursor, table, cols)
            total = count = 0
            if held:
                hashes = {row[0]: row_hash(row) for row in cursor.execute(_select(table, cols))}
                hashes.update(held)
                total, count = sum(hashes.values()), len(hashes)
            else:
                total, count = _sum_rows(cursor, _select(table, cols))
            out[table] = (count, sum_hex(total))
    return out


def _sum_rows(cursor, sql: str) -> tuple[int, int]:  # noqa: ANN001
    """(sum of row_hash, count) of the rows of `sql`, row_hash inlined: for a township's
    243,000 rows reading them is two thirds of the pass, hashing the rest."""
    dumps, b2, from_bytes = orjson.dumps, hashlib.blake2b, int.from_bytes
    total = count = 0
    try:
        for row in cursor.execute(sql):
            total += from_bytes(b2(dumps(row), digest_size=8).digest(), "big", signed=True)
            count += 1
    except TypeError:  # text orjson refuses (a lone surrogate): row_hash's slow path
        total = count = 0
        for row in cursor.execute(sql):
            total += row_hash(row)
            count += 1
    return total, count


def row_hashes(db: Database, table: str, columns: list[str]) -> dict[str, int]:
    with db.session(capture=False) as s:
        cursor = s.connection().connection.dbapi_connection.cursor()
        hashes = {row[0]: row_hash(row) for row in cursor.execute(_select(table, columns))}
        hashes.update(_set_aside_hashes(cursor, table, columns))
    return hashes


def bucket_of(record_id: str, depth: int) -> str:
    return record_id[len(record_id) - depth:] if depth else ""


def differing_buckets(local: dict[str, int], depth: int, remote: dict[str, str]) -> list[str]:
    sums: dict[str, int] = defaultdict(int)
    for rid, h in local.items():
        sums[bucket_of(rid, depth)] += h
    zero = sum_hex(0)
    return sorted(b for b in set(sums) | set(remote)
                  if sum_hex(sums.get(b, 0)) != remote.get(b, zero))


@dataclass
class Repair:
    table: str
    rows: int = 0  # rows that differed from the server's copy, re-pulled and written
    not_on_server: list[str] = field(default_factory=list)  # held here, not in scope there
    set_aside: list[tuple[str, str, str]] = field(default_factory=list)  # as PageResult's


FetchPage = Callable[[int, "list[str] | None"], PullResponse]  # (since, buckets) -> page


def repair(db: Database, table: str, columns: list[str], depth: int,
           remote_buckets: dict[str, str], fetch: FetchPage) -> Repair:
    """Narrow `table`'s mismatch to buckets, pull them and write the rows that differ."""
    result = Repair(table)
    local = row_hashes(db, table, columns)
    buckets = differing_buckets(local, depth, remote_buckets)
    if not buckets:
        return result  # equal by now (a pull in between)
    wanted = set(buckets)
    asked = buckets if depth and len(buckets) <= MAX_BUCKETS_PULLED else None
    with db.session(capture=False) as s:
        pending = {rid: changes for (t, rid), changes in outbox.pending_fields(s).items()
                   if t == table}
    kinds = content_kinds(table)
    seen: set[str] = set()
    since = 0
    while True:
        page = fetch(since, asked)
        tp = page.tables.get(table)
        keep: list[list[Any]] = []
        if tp is not None:
            tp = tp.as_rows()
            at = {name: i for i, name in enumerate(tp.columns)}
            for raw in tp.rows:
                rid, seq = raw[0], raw[1]
                if not isinstance(rid, str):
                    keep.append(raw)  # apply sets it aside with its reason
                    continue
                seen.add(rid)
                if bucket_of(rid, depth) not in wanted:
                    continue
                mine = pending.get(rid)
                get = (lambda c, raw=raw: raw[at[c]] if c in at else None)
                if mine is None and local.get(rid) == wire_row_hash(table, columns, rid, seq,
                                                                    get):
                    continue
                if rid in local and not _drift(db, table, columns, kinds, rid, seq, get,
                                               set(mine) | EDIT_STAMPS if mine else set()):
                    continue
                keep.append(raw)
        for rid in (r for t, r in page.departed if t == table):
            seen.add(rid)
        if keep or page.departed or page.conflicts:
            part = PullResponse(
                since=page.since, next_since=page.next_since, more=False,
                tables={table: TablePage(columns=tp.columns, rows=keep)} if keep else {},
                conflicts=page.conflicts, departed=page.departed,
                server_time_ms=page.server_time_ms)
            done = apply.apply_page(db, part, cursor_key=None)
            result.set_aside.extend(done.set_aside)
        result.rows += len(keep)
        if not page.more or page.next_since <= since:
            break
        since = page.next_since
    result.not_on_server = sorted(rid for rid in local
                                  if rid not in seen and bucket_of(rid, depth) in wanted)
    return result


def _drift(db: Database, table: str, columns: list[str], kinds: dict, rid: str, seq: int,
           get: Callable[[str], Any], skip: set[str]) -> bool:
    """Whether the stored row differs from the server's in a field other than `skip` (those
    of a pending edit and its stamps), beyond what this PC does to every such row itself:
    a resident whose ID number another resident here holds is stored without it and
    flagged (apply._one_by_one: the server keeps both)."""
    with db.session(capture=False) as s:
        cursor = s.connection().connection.dbapi_connection.cursor()
        stored = cursor.execute(_select(table, columns).replace(
            "WHERE server_seq IS NOT NULL", "WHERE id = ?"), (rid,)).fetchone()
        if stored is None or stored[1] != seq:
            return True
        differ = {c for i, c in enumerate(columns)
                  if c not in skip and stored[i + 2] != canonical_value(kinds.get(c), get(c))}
        if table == "resident" and differ and differ <= GIVE_WAY:
            mine = dict(zip(columns, stored[2:]))
            number = get("id_number")
            if mine.get("id_number") is None and mine.get("needs_id_match") == 1 and number \
                    and cursor.execute("SELECT 1 FROM resident WHERE id_number = ? AND id != ?",
                                       (number, rid)).fetchone() is not None:
                return False
    return bool(differ)
