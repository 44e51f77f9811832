"""Reconciliation: per table, the count and an order-independent digest of the records in
scope, which the client compares with its own replica to prove it is in sync.

Version 1 (the answer to a request without `version`, as before): the digest of the
(id, seq) pairs. Version 2 (issue 14): of each record's content, so a value changed on a PC
behind the app's back is found too: the sum of record.content_hash (protocol.wire_row_hash,
kept with every write; one still NULL is computed here and kept). With `table`, version 2
also gives that table's digest per bucket (the last characters of the id), so a PC narrows a
mismatch to the few records it re-pulls (pull.py, `bucket`).
"""
from __future__ import annotations

import logging
from collections import defaultdict

from sqlalchemy import Engine, bindparam, select, update

from familydoc_desktop.sync.protocol import (
    DIGEST_VERSION, DigestResponse, TableDigest, bucket_depth, digest_of, sum_hex,
)
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import now_ms, read_tx, write_tx
from sync_server.services import records
from sync_server.services.accounts import Principal
from sync_server.services.columns import table_order
from sync_server.services.errors import Invalid

log = logging.getLogger(__name__)
_FILL_CHUNK = 2000  # records whose content hash is computed and kept per query


def digest(engine: Engine, who: Principal) -> DigestResponse:
    r = models.record
    pairs: dict[str, list[tuple[str, int]]] = defaultdict(list)
    max_seq = 0
    with read_tx(engine) as conn:
        orgs = scope.data_scope(conn, who.role, who.org_id)
        if orgs:
            for table, record_id, seq in conn.execute(
                    select(r.c.table_name, r.c.id, r.c.seq).where(r.c.org_id.in_(orgs))):
                pairs[table].append((record_id, seq))
                max_seq = max(max_seq, seq)
    tables = {}
    for table in table_order():
        count, value = digest_of(pairs.get(table, ()))
        tables[table] = TableDigest(count=count, digest=value)
    return DigestResponse(tables=tables, max_seq=max_seq, server_time_ms=now_ms())


def content_digest(engine: Engine, who: Principal, table: str | None = None) -> DigestResponse:
    """Version 2: per table (count, sum of the content hashes); with `table`, only that table
    and its digest per bucket."""
    if table is not None and table not in table_order():
        raise Invalid(f"未知的数据表 {table}")
    r = models.record
    sums: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    rows: list[tuple[str, int]] = []  # (id, hash) of `table`
    keep: list[dict] = []
    max_seq = 0
    with read_tx(engine) as conn:
        orgs = scope.data_scope(conn, who.role, who.org_id)
        if orgs:
            q = select(r.c.table_name, r.c.id, r.c.seq, r.c.content_hash).where(
                r.c.org_id.in_(orgs))
            if table is not None:
                q = q.where(r.c.table_name == table)
            found = conn.execute(q).all()
            if found:
                max_seq = max(seq for _, _, seq, _ in found)
            missing = [(t, rid) for t, rid, _, h in found if h is None]
            filled = _compute(conn, missing, keep) if missing else {}
            for t, rid, _, h in found:
                if h is None:
                    h = filled[(t, rid)]
                sums[t] += h
                counts[t] += 1
                if table is not None:
                    rows.append((rid, h))
    if keep:
        _keep(engine, keep)
    names = [table] if table is not None else table_order()
    tables = {t: TableDigest(count=counts.get(t, 0), digest=sum_hex(sums.get(t, 0)))
              for t in names}
    if table is not None:
        depth = bucket_depth(counts.get(table, 0))
        buckets: dict[str, int] = defaultdict(int)
        for rid, h in rows:
            buckets[rid[len(rid) - depth:] if depth else ""] += h
        tables[table].depth = depth
        tables[table].buckets = {k: sum_hex(v) for k, v in sorted(buckets.items())}
    return DigestResponse(tables=tables, max_seq=max_seq, server_time_ms=now_ms(),
                          version=DIGEST_VERSION,
                          columns={t: records.digest_columns(t) for t in names})


def _compute(conn, keys: list[tuple[str, str]], keep: list[dict]  # noqa: ANN001
             ) -> dict[tuple[str, str], int]:
    """Content hashes of records that have none yet (written before migration 0011), read in
    this snapshot; `keep` gets them for _keep."""
    r = models.record
    out: dict[tuple[str, str], int] = {}
    by_table: dict[str, list[str]] = defaultdict(list)
    for t, rid in keys:
        by_table[t].append(rid)
    for t, ids in by_table.items():
        for start in range(0, len(ids), _FILL_CHUNK):
            for rid, seq, data in conn.execute(
                    select(r.c.id, r.c.seq, r.c.data).where(
                        r.c.table_name == t, r.c.id.in_(ids[start:start + _FILL_CHUNK]))):
                h = records.content_hash(t, rid, seq, records.loads(data))
                out[(t, rid)] = h
                keep.append({"t": t, "i": rid, "s": seq, "h": h})
    return out


def _keep(engine: Engine, keep: list[dict]) -> None:
    """Store computed hashes for the next digest. The seq guard leaves alone a record written
    since (its write stored its own hash)."""
    r = models.record
    try:
        with write_tx(engine) as conn:
            for start in range(0, len(keep), _FILL_CHUNK):
                conn.execute(update(r).where(
                    r.c.table_name == bindparam("t"), r.c.id == bindparam("i"),
                    r.c.seq == bindparam("s"), r.c.content_hash.is_(None)).values(
                    content_hash=bindparam("h")), keep[start:start + _FILL_CHUNK])
    except Exception:  # noqa: BLE001 — a cache: the answer stands without it
        log.warning("could not keep %d computed content hashes", len(keep))
