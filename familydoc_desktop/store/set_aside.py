"""Pulled rows this PC could not hold, set aside by the sync (sync_set_aside).

A row the server let through that this database cannot store (a value outside
`domain.wire_values`, or one the local constraints refuse) is kept here as the server sent
it, with a Chinese reason, so the rest of its page commits and syncing goes on. A later good
version of the same record replaces it. The sync screen lists them (`list_set_aside`), the
sync-health report counts them (`count_set_aside`).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from familydoc_desktop.domain.models import SetAsideRow, utcnow


@dataclass
class SetAside:
    table: str
    record_id: str
    server_seq: int | None
    field: str | None
    reason: str  # Chinese
    row: dict[str, Any]  # the row as the server sent it, column -> value
    set_aside_at: datetime

    def as_dict(self) -> dict:
        out = asdict(self)
        out["set_aside_at"] = self.set_aside_at.isoformat()
        return out


def list_set_aside(session: Session, table: str | None = None) -> list[SetAside]:
    """Every set-aside row (of `table`, if given), newest first."""
    q = select(SetAsideRow).order_by(SetAsideRow.set_aside_at.desc(), SetAsideRow.record_id)
    if table:
        q = q.where(SetAsideRow.table_name == table)
    return [SetAside(r.table_name, r.record_id, r.server_seq, r.field, r.reason,
                     json.loads(r.row or "{}"), r.set_aside_at) for r in session.exec(q)]


def count_set_aside(session: Session) -> int:
    return session.exec(select(func.count()).select_from(SetAsideRow)).one()


# -- written by the sync's page apply, on its raw sqlite3 cursor (same transaction) --------

def put(cursor, table: str, columns: list[str], raw: list, reason: str,  # noqa: ANN001
        field: str | None, stamp: str) -> None:
    """Keep one pulled row aside (a newer set-aside version of the record replaces it).
    JSON is ASCII-escaped: a lone surrogate cannot be stored as UTF-8, its escape can."""
    values = dict(zip(columns, raw))
    cursor.execute(
        "INSERT INTO sync_set_aside (table_name, record_id, server_seq, field, reason, row,"
        " set_aside_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(table_name, record_id) DO UPDATE"
        " SET server_seq = excluded.server_seq, field = excluded.field,"
        " reason = excluded.reason, row = excluded.row, set_aside_at = excluded.set_aside_at",
        (table, str(values.get("id")), _int_or_none(values.get("server_seq")), field, reason,
         json.dumps(values, ensure_ascii=True, default=str), stamp))


def any_set_aside(cursor) -> bool:  # noqa: ANN001
    return cursor.execute("SELECT 1 FROM sync_set_aside LIMIT 1").fetchone() is not None


def drop(cursor, table: str, ids: list[str]) -> None:  # noqa: ANN001
    """Records whose newer version applied: no longer set aside."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor.execute(f"DELETE FROM sync_set_aside WHERE table_name = ? AND record_id IN"
                       f" ({','.join('?' * len(chunk))})", [table, *chunk])


def seqs(cursor, table: str) -> dict[str, int | None]:  # noqa: ANN001
    """record id -> server seq of the set-aside rows of `table` (the digest counts them: the
    server has them and so, set aside, does this PC)."""
    return dict(cursor.execute("SELECT record_id, server_seq FROM sync_set_aside"
                               " WHERE table_name = ?", (table,)))


def rows(cursor, table: str) -> dict[str, tuple[int | None, dict[str, Any]]]:  # noqa: ANN001
    """record id -> (server seq, the row as the server sent it) of the set-aside rows of
    `table`: the content digest counts them as this PC holds them."""
    return {rid: (seq, json.loads(row or "{}")) for rid, seq, row in cursor.execute(
        "SELECT record_id, server_seq, row FROM sync_set_aside WHERE table_name = ?",
        (table,))}


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def now_text() -> str:
    return utcnow().isoformat()
