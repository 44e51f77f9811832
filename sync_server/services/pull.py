"""Pull: in-scope records, conflicts and departures after a cursor, in sequence order, as
columnar pages.

Records, conflicts and departures share one sequence; a page takes the first `limit` items of
all three, so `next_since` (the highest seq in the page) never skips anything. The page is read in one
snapshot, and sequence numbers become visible in commit order (core.db.Sequence).
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, and_, func, select

from familydoc_desktop.domain.models import SYNCED_TABLES
from familydoc_desktop.sync.protocol import DEFAULT_PULL_LIMIT, DIGEST_MAX_DEPTH, MAX_PULL_LIMIT
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import now_ms, read_tx
from sync_server.services import conflicts, records
from sync_server.services.accounts import Principal
from sync_server.services.columns import columns, table_order
from sync_server.services.errors import Invalid


def pull(engine: Engine, who: Principal, since: int = 0, limit: int = DEFAULT_PULL_LIMIT,
         table: str | None = None, departures: bool = True,
         layout: str = "rows", skip_own: bool = False,
         buckets: list[str] | None = None) -> dict[str, Any]:
    """A PullResponse as a plain dict (the route serialises it without re-validating).
    `departures`: include records that left the caller's scope (schema 2 clients).
    `layout="columns"`: each table's values column by column (`data`, server_seq as
    differences), which compresses to about two thirds (docs/sync.md).
    `skip_own`: a record whose every change after `since` came from the caller's own device
    (its pushed edits coming back) is not sent as a row: the page's `seen` lists it as
    [table, id, seq, updated_at], so the device takes the new seq (and the server's
    updated_at) for the row it already holds."""
    if table is not None and table not in SYNCED_TABLES:
        raise Invalid(f"未知的数据表 {table}")
    if since < 0:
        raise Invalid("since 不能为负数")
    if buckets is not None:
        _check_buckets(table, buckets)
    limit = max(1, min(limit, MAX_PULL_LIMIT))
    r, c, d = models.record, models.conflict, models.departure
    with read_tx(engine) as conn:
        orgs = scope.data_scope(conn, who.role, who.org_id)
        rec_rows, con_rows, dep_rows = [], [], []
        if orgs and departures:
            # Left one of our orgs for one we do not see (moved back since: nothing to say).
            dq = (select(d.c.seq, d.c.table_name, d.c.record_id)
                  .join(r, and_(r.c.table_name == d.c.table_name, r.c.id == d.c.record_id))
                  .where(d.c.org_id.in_(orgs), d.c.seq > since, r.c.org_id.not_in(orgs)))
            if table:
                dq = dq.where(d.c.table_name == table)
            if buckets:
                dq = dq.where(_in_buckets(d.c.record_id, buckets))
            dep_rows = conn.execute(dq.order_by(d.c.seq).limit(limit + 1)).all()
        if orgs:
            wanted = [r.c.table_name, r.c.id, r.c.seq, r.c.data]
            if skip_own:
                wanted.append(r.c.meta)
            q = (select(*wanted)
                 .where(r.c.org_id.in_(orgs), r.c.seq > since))
            cq = select(c).where(c.c.org_id.in_(orgs), c.c.seq > since)
            if table:
                q = q.where(r.c.table_name == table)
                cq = cq.where(c.c.table_name == table)
            if buckets:
                q = q.where(_in_buckets(r.c.id, buckets))
                cq = cq.where(_in_buckets(c.c.record_id, buckets))
            rec_rows = conn.execute(q.order_by(r.c.seq).limit(limit + 1)).all()
            con_rows = conn.execute(cq.order_by(c.c.seq).limit(limit + 1)).all()
        own: set[tuple[str, str]] = set()
        device = who.device_id
        if skip_own and device:
            # The cheap test first: most rows' meta never names this device.
            own = {(row.table_name, row.id) for row in rec_rows
                   if device in row.meta and _only_mine(row.meta, since, device)}
            if own:
                own -= _resolved_since(conn, list(own), since)

    if con_rows or dep_rows:
        items = sorted([(row.seq, 0, row) for row in rec_rows]
                       + [(row.seq, 1, row) for row in con_rows]
                       + [(row.seq, 2, row) for row in dep_rows], key=lambda item: item[0])
    else:  # records only (every first-sync page): already in seq order
        items = [(row[2], 0, row) for row in rec_rows]
    more = len(items) > limit
    items = items[:limit]
    pages: dict[str, dict[str, Any]] = {}
    found_conflicts, departed, seen = [], [], []
    loads = records.loads
    filling: dict[str, tuple[list, list[str]]] = {}  # table -> (its page's rows, wire columns)
    for seq, kind, row in items:
        if kind == 1:
            found_conflicts.append(conflicts.to_out(row).model_dump())
            continue
        if kind == 2:
            departed.append([row.table_name, row.record_id])
            continue
        name, rid, data = row[0], row[1], row[3]  # table_name, id, seq, data (, meta)
        if own and (name, rid) in own:
            # The server's updated_at too: the PC stamps edits locally without pushing it.
            seen.append([name, rid, seq, loads(data).get("updated_at")])
            continue
        found = filling.get(name)
        if found is None:
            wire = list(columns(name))
            pages[name] = {"columns": ["id", "server_seq", *wire], "rows": []}
            found = filling[name] = (pages[name]["rows"], wire)
        found[0].append([rid, seq, *map(loads(data).get, found[1])])
    for page in pages.values():
        if layout == "columns":
            page["data"] = columnar(page.pop("rows"))
    ordered = {name: pages[name] for name in table_order() if name in pages}
    page = {"since": since, "next_since": items[-1][0] if items else since, "more": more,
            "tables": ordered, "conflicts": found_conflicts, "server_time_ms": now_ms()}
    if departures:
        page["departed"] = departed
    if skip_own:
        page["seen"] = seen
    return page


_BUCKET = re.compile(r"[0-9a-f-]{1,%d}" % DIGEST_MAX_DEPTH)


def _check_buckets(table: str | None, buckets: list[str]) -> None:
    if table is None:
        raise Invalid("按分桶拉取时必须指定数据表 table")
    if not buckets or len({len(b) for b in buckets}) != 1 \
            or not all(_BUCKET.fullmatch(b) for b in buckets):
        raise Invalid("分桶 bucket 应为同样长度的记录编号结尾（十六进制），以逗号分隔")


def _in_buckets(column, buckets: list[str]):  # noqa: ANN001, ANN202
    """Records whose id ends in one of `buckets` (all of one length): the digest's buckets."""
    depth = len(buckets[0])
    return func.substr(column, func.length(column) - (depth - 1)).in_(sorted(set(buckets)))


def _resolved_since(conn, keys: list[tuple[str, str]], since: int) -> set[tuple[str, str]]:  # noqa: ANN001
    """Records of `keys` with a conflict resolved "keep local" after `since`: the resolving
    device's name is on that change, but it does not hold the value yet (the server's value
    stood on it until then)."""
    c = models.conflict
    found: set[tuple[str, str]] = set()
    ids = sorted({rid for _, rid in keys})
    for start in range(0, len(ids), 500):
        found.update((t, rid) for t, rid in conn.execute(
            select(c.c.table_name, c.c.record_id).where(
                c.c.seq > since, c.c.status == "resolved", c.c.resolution == "local",
                c.c.record_id.in_(ids[start:start + 500]))))
    return found


def _only_mine(meta_json: str, since: int, device: str) -> bool:
    """Every field change after `since` is the device's own (its meta: [seq, hlc, device]),
    so the device holds exactly these values: a field another device wrote after `since`,
    or one where another device's value won, keeps the other device's entry."""
    changes = [entry for entry in records.loads(meta_json).values() if entry[0] > since]
    return bool(changes) and all(entry[2] == device for entry in changes)


def columnar(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows (id, server_seq, ...) as columns; server_seq as differences from the row
    before (the first from 0): like values side by side is what compresses."""
    data = [list(col) for col in zip(*rows)]
    seqs = data[1]
    data[1] = [seqs[0], *(b - a for a, b in zip(seqs, seqs[1:]))]
    return data
