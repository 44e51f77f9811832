"""Reading the outbox in mutation order and acknowledging what the server has applied.

The outbox key is SQLite's rowid (no AUTOINCREMENT): emptying the table would let ids start
again at 1, below the server's last_mutation_id for this device, and new edits would be
taken for duplicates and dropped. So acknowledging keeps the highest acknowledged entry as a
high-water mark, and "pending" means above the mark stored in sync_state. Acknowledged
entries are kept for RETAIN_DAYS (at most RETAIN_MAX): after a server restore the mark is
moved back to what the server holds and they go up again.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, text
from sqlmodel import Session, func, select

from familydoc_desktop.domain.models import OutboxEntry, SyncState, utcnow
from familydoc_desktop.sync.protocol import MAX_MUTATIONS_PER_PUSH, Mutation

ACKED_KEY = "outbox_acked"
REFUSED_KEY = "refused_changes"  # edits the server refused (scope, clock), kept for a person
# Acknowledged entries kept for a server restored from a backup (sync/resync.py); older ones
# are covered there by the rows themselves (a whole-row upload of this PC's own records).
RETAIN_DAYS = 35
RETAIN_MAX = 20_000


def acked_through(session: Session) -> int:
    row = session.get(SyncState, ACKED_KEY)
    return int(row.value) if row and row.value else 0


def pending_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxEntry).where(
        OutboxEntry.mutation_id > acked_through(session))).one()


def read_batch(session: Session, after: int | None = None,
               limit: int = MAX_MUTATIONS_PER_PUSH) -> list[OutboxEntry]:
    """Pending entries with mutation_id > `after` (default: the acknowledged mark), in order."""
    start = acked_through(session) if after is None else max(after, acked_through(session))
    return list(session.exec(select(OutboxEntry).where(OutboxEntry.mutation_id > start)
                             .order_by(OutboxEntry.mutation_id).limit(limit)))


def to_mutation(entry: OutboxEntry) -> Mutation:
    return Mutation(mutation_id=entry.mutation_id, table=entry.table_name,
                    record_id=entry.record_id, op=entry.op, changes=json.loads(entry.changes),
                    base_seq=entry.base_seq, hlc=entry.hlc)


def wire_batch(entries: list[OutboxEntry], *, base_hlc: bool = False
               ) -> list[dict[str, Any]]:
    """Mutations as plain dicts for the push body (skips a pydantic round trip per entry).
    `base_hlc`: with each entry's base_hlc (a resync; servers before epochs refuse it)."""
    out = [{"mutation_id": e.mutation_id, "table": e.table_name, "record_id": e.record_id,
            "op": e.op, "changes": json.loads(e.changes), "base_seq": e.base_seq,
            "hlc": e.hlc} for e in entries]
    if base_hlc:
        for item, e in zip(out, entries):
            seen = e.hlc if e.op == "insert" else e.base_hlc
            if seen:
                item["base_hlc"] = seen
    return out


def acknowledge(session: Session, last_mutation_id: int) -> int:
    """Mark everything up to `last_mutation_id` as applied by the server (in the caller's
    transaction); returns how many entries stopped being pending."""
    mark = acked_through(session)
    if last_mutation_id <= mark:
        return 0
    conn = session.connection()
    done = conn.execute(text("SELECT count(*) FROM sync_outbox WHERE mutation_id > :a "
                             "AND mutation_id <= :b"), {"a": mark, "b": last_mutation_id}
                        ).scalar_one()
    top = conn.execute(text("SELECT max(mutation_id) FROM sync_outbox WHERE mutation_id <= :b"),
                       {"b": last_mutation_id}).scalar()
    # Acknowledged entries stay a while (RETAIN_DAYS, at most RETAIN_MAX): should the server
    # be restored from a backup, they are what this PC uploads again (sync/resync.py). The
    # newest acknowledged row always stays: it holds the rowid high-water mark.
    expired = OutboxEntry.created_at < utcnow() - timedelta(days=RETAIN_DAYS)
    beyond = conn.execute(text("SELECT mutation_id FROM sync_outbox WHERE mutation_id <= :b "
                               "ORDER BY mutation_id DESC LIMIT 1 OFFSET :n"),
                          {"b": last_mutation_id, "n": RETAIN_MAX}).scalar()
    if beyond is not None:
        expired = or_(expired, OutboxEntry.mutation_id <= beyond)
    conn.execute(delete(OutboxEntry).where(
        OutboxEntry.mutation_id <= last_mutation_id,
        OutboxEntry.mutation_id < (top if top is not None else 0), expired))
    state = session.get(SyncState, ACKED_KEY) or SyncState(key=ACKED_KEY)
    state.value = str(last_mutation_id)
    session.add(state)
    return int(done)


def pending_fields(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, record id) -> the field values of pending local edits, later edits winning:
    a pulled row keeps these until they are pushed (rebase)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    rows = session.connection().execute(text(
        "SELECT table_name, record_id, changes FROM sync_outbox WHERE mutation_id > :a "
        "ORDER BY mutation_id"), {"a": acked_through(session)})
    for table, record_id, changes in rows:
        out.setdefault((table, record_id), {}).update(json.loads(changes))
    return out


def set_aside(session: Session, mutation_id: int, reason: str, *, kind: str = "scope"
              ) -> dict[str, Any] | None:
    """Take a pending entry the server refused out of the queue, keeping it (with the reason
    and when) under sync_state.refused_changes, so the rest of the queue can go up. One
    refused edit, typically to a resident the township moved to another clinic, must not
    hold back every later edit of this PC. Returns what was set aside, None if not pending.
    `kind` says why ("scope", or sync.clock's "clock_ahead": those go up again, re-stamped,
    once the PC's date is right); the entry's id and bases are kept for that."""
    kept = set_aside_many(session, [mutation_id], reason, kind=kind)
    return kept[0] if kept else None


def set_aside_many(session: Session, mutation_ids: list[int], reason: str, *,
                   kind: str = "scope") -> list[dict[str, Any]]:
    """`set_aside` for several entries at once: the kept list is rewritten once (a batch of
    1,000 refused one by one rewrote it 1,000 times: 54 s for 1,000 edits)."""
    mark = acked_through(session)
    wanted = sorted({m for m in mutation_ids if m > mark})
    entries = []
    for start in range(0, len(wanted), 500):
        entries += session.exec(select(OutboxEntry).where(
            OutboxEntry.mutation_id.in_(wanted[start:start + 500]))).all()
    entries.sort(key=lambda e: e.mutation_id)
    if not entries:
        return []
    at = utcnow().isoformat()
    kept = [{"table": e.table_name, "record_id": e.record_id, "op": e.op,
             "changes": json.loads(e.changes), "hlc": e.hlc, "reason": reason,
             "set_aside_at": at, "kind": kind, "mutation_id": e.mutation_id,
             "base_seq": e.base_seq, "base_hlc": e.base_hlc} for e in entries]
    row = session.get(SyncState, REFUSED_KEY) or SyncState(key=REFUSED_KEY, value="[]")
    row.value = json.dumps([*json.loads(row.value or "[]"), *kept], ensure_ascii=False)
    session.add(row)
    # The server applied nothing of the refused request, so these ids were never
    # acknowledged: removing them (even the newest row) cannot make a later edit look like
    # a retry.
    for e in entries:
        session.delete(e)
    return kept


def refused_changes(session: Session) -> list[dict[str, Any]]:
    row = session.get(SyncState, REFUSED_KEY)
    return json.loads(row.value) if row and row.value else []
