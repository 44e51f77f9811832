"""Reconciliation: per table, the count and order-independent digest of the (id, seq) pairs
in scope, which the client compares with its own replica to prove it is in sync."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, select

from familydoc_desktop.sync.protocol import DigestResponse, TableDigest, digest_of
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import now_ms, read_tx
from sync_server.services.accounts import Principal
from sync_server.services.columns import table_order


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
