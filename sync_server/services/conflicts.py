"""Conflict rows: created by push, listed, pulled, and resolved by a person.

Every conflict takes a number from the shared sequence, and gets a new one when resolved, so
every device in scope pulls both the conflict and its resolution.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from familydoc_desktop.domain.hlc import Clock, HlcError, Timestamp, node_for
from familydoc_desktop.domain.models.base import new_id
from familydoc_desktop.sync.protocol import ConflictOut
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import Sequence, now_ms, read_tx, sequenced_tx, write_tx
from sync_server.services import records
from sync_server.services.accounts import Principal, log_event
from sync_server.services.errors import AlreadyDone, NotFound

DELETED = "__deleted__"
NOT_FOUND = "找不到该冲突记录"


def create(conn: Connection, seq: Sequence, *, rec: records.Record, field: str,
           local_value: Any, server_value: Any, local_author: str | None,
           server_author: str | None, local_hlc: str | None, server_hlc: str | None,
           status: str, resolution: str | None = None) -> str:
    conflict_id = new_id()
    now = now_ms()
    conn.execute(insert(models.conflict).values(
        id=conflict_id, org_id=rec.org_id, table_name=rec.table, record_id=rec.id, field=field,
        local_value=records.dumps(local_value), server_value=records.dumps(server_value),
        local_author=local_author, server_author=server_author, local_hlc=local_hlc,
        server_hlc=server_hlc, status=status, resolution=resolution, seq=seq.next(),
        created_at=now, resolved_at=now if status == "auto" else None))
    return conflict_id


def to_out(row) -> ConflictOut:  # noqa: ANN001
    return ConflictOut(
        id=row.id, table=row.table_name, record_id=row.record_id, field=row.field,
        local_value=None if row.local_value is None else records.loads(row.local_value),
        server_value=None if row.server_value is None else records.loads(row.server_value),
        local_author=row.local_author, server_author=row.server_author,
        local_hlc=row.local_hlc, server_hlc=row.server_hlc, status=row.status,
        resolution=row.resolution, org_id=row.org_id, seq=row.seq)


def list_conflicts(engine: Engine, who: Principal, status: str | None = None) -> list[ConflictOut]:
    c = models.conflict
    with read_tx(engine) as conn:
        orgs = scope.data_scope(conn, who.role, who.org_id)
        if not orgs:
            return []
        query = select(c).where(c.c.org_id.in_(orgs)).order_by(c.c.seq)
        if status:
            query = query.where(c.c.status == status)
        return [to_out(r) for r in conn.execute(query)]


class _OutOfScope(NotFound):
    def __init__(self, where: str) -> None:
        super().__init__(NOT_FOUND)
        self.where = where


def resolve(engine: Engine, who: Principal, conflict_id: str, keep: str) -> ConflictOut:
    """keep="server": the server value stands. keep="local": the local value is applied as a
    change by the resolving device (new record seq). Either way the conflict gets a new seq.

    Both the conflict and its record must be in the caller's scope NOW: a record moved to
    another clinic since the conflict was made (a township changed its org_id) is that
    clinic's, and the old conflict no longer lets anyone write into it."""
    c = models.conflict
    try:
        with sequenced_tx(engine) as (conn, seq):
            orgs = scope.data_scope(conn, who.role, who.org_id)
            row = conn.execute(select(c).where(c.c.id == conflict_id)).first()
            # Out of scope answers exactly like unknown: never reveal that an id exists.
            if row is None:
                raise NotFound(NOT_FOUND)
            where = f"conflict {row.id} {row.table_name}/{row.record_id}"
            if row.org_id not in orgs:
                raise _OutOfScope(where)
            rec = records.load(conn, row.table_name, row.record_id)
            if rec is not None and rec.org_id not in orgs:
                raise _OutOfScope(f"{where} (record now in org {rec.org_id})")
            if row.status == "resolved":
                raise AlreadyDone("该冲突已处理")
            if keep == "local" and rec is not None:
                _apply_local(conn, seq, who, row, rec)
                # Nor may the kept value move the record out of scope (a conflict on org_id,
                # or a revived edit carrying one), as a push could not.
                if rec.org_id not in orgs:
                    raise _OutOfScope(f"{where} (kept value moves it to org {rec.org_id})")
            conn.execute(update(c).where(c.c.id == conflict_id).values(
                status="resolved", resolution=keep, seq=seq.next(), resolved_at=now_ms()))
            return to_out(conn.execute(select(c).where(c.c.id == conflict_id)).one())
    except _OutOfScope as exc:  # rolled back, nothing written; the refusal itself is kept
        with write_tx(engine) as conn:
            log_event(conn, "conflict_out_of_scope", username=who.username,
                      account_id=who.account_id, device_id=who.device_id, org_id=who.org_id,
                      detail=exc.where)
        raise


def _apply_local(conn: Connection, seq: Sequence, who: Principal, row,  # noqa: ANN001
                 rec: records.Record) -> None:
    value = None if row.local_value is None else records.loads(row.local_value)
    # The resolution is a fresh change: stamp it after everything the record has seen.
    seen = []
    for t in [rec.hlc, row.local_hlc or ""] + [m[1] for m in rec.meta.values()]:
        try:
            seen.append(Timestamp.parse(t))
        except HlcError:  # an empty or older stamp (before strict parsing) orders nothing
            continue
    # The node as the device's own clock writes it: a UUID device id (36 characters) in the
    # stamp overflowed the 40-character hlc column on PostgreSQL (a 500).
    hlc = str(Clock(node_for(who.device_id), max(seen, default=None)).now(now_ms()))
    s = seq.next()
    if row.field == DELETED:
        if value is True:  # a delete that raced an edit: delete now
            rec.set("deleted", True, s, hlc, who.device_id)
        elif isinstance(value, dict):  # an edit that raced a delete: revive with the edit
            for name, v in value.items():
                if name not in ("id", "hlc"):
                    rec.set(name, v, s, hlc, who.device_id)
            rec.set("deleted", False, s, hlc, who.device_id)
    else:
        rec.set(row.field, value, s, hlc, who.device_id)
    rec.seq, rec.hlc = s, max(rec.hlc, hlc)
    records.note_departures(conn, seq, [rec])
    records.save(conn, rec)
