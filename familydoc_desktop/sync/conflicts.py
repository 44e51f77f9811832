"""Conflicts for a person to review: both values, who wrote each and when, and resolving
them. A decision made offline is queued (sync_state) and sent first on the next sync; the
server's answer comes back through pull like every other change."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, text
from sqlmodel import select

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.hlc import Timestamp
from familydoc_desktop.domain.models import SYNCED_TABLES, SyncConflict, utcnow
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync.apply import RESOLUTIONS_KEY
from familydoc_desktop.sync.http import Client, NetworkDown, SyncError
from familydoc_desktop.sync.protocol import ConflictOut, ResolveRequest

DELETED = "__deleted__"
KEEP = ("local", "server")
NOT_FOUND = "找不到该冲突记录"


@dataclass
class ConflictView:
    id: str
    table: str
    record_id: str
    field: str
    local_value: Any
    server_value: Any
    local_author: str | None
    server_author: str | None
    local_at: str | None  # when each side was written (from its clock), ISO time
    server_at: str | None
    status: str
    resolution: str | None
    queued: bool  # decided on this PC, not yet sent to the server
    # Which side this PC wrote. The server calls "local" the side whose push met the other;
    # views are turned so that local_* is always this PC's value when it wrote either side
    # ("mine" is then "local"); None when both came from other PCs.
    mine: str | None = None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _node(hlc: str | None) -> str | None:
    return hlc.rsplit("-", 1)[-1] if hlc and "-" in hlc else None


def _wrote(db: Database, c: SyncConflict) -> str | None:
    """'local' or 'server' (the server's naming): the side stamped with this PC's clock."""
    node = db.capture.clock.node
    if _node(c.local_hlc) == node:
        return "local"
    if _node(c.server_hlc) == node:
        return "server"
    return None


def _flip(side: str | None) -> str | None:
    return {"local": "server", "server": "local"}.get(side, side)


def _when(hlc: str | None) -> str | None:
    if not hlc:
        return None
    try:
        ms = Timestamp.parse(hlc).millis
    except ValueError:
        return None
    return datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds")


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def pending_resolutions(db: Database) -> dict[str, str]:
    with db.session(capture=False) as s:
        value = s.connection().exec_driver_sql(
            "SELECT value FROM sync_state WHERE key = ?", (RESOLUTIONS_KEY,)).scalar()
    return json.loads(value) if value else {}


def _save_resolutions(conn, items: dict[str, str]) -> None:  # noqa: ANN001
    conn.execute(text("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                 {"k": RESOLUTIONS_KEY, "v": json.dumps(items)})


def list_conflicts(db: Database, status: str | None = "open") -> list[ConflictView]:
    """Conflicts, newest first; status None lists all (open, auto and resolved)."""
    queued = pending_resolutions(db)
    with db.session(capture=False) as s:
        query = select(SyncConflict).order_by(SyncConflict.id.desc())
        if status:
            query = query.where(SyncConflict.status == status)
        rows = list(s.exec(query))
    return [_view(db, c, queued) for c in rows]


def _view(db: Database, c: SyncConflict, queued: dict) -> ConflictView:
    sides = [(_loads(c.local_value), c.local_author, _when(c.local_hlc)),
             (_loads(c.server_value), c.server_author, _when(c.server_hlc))]
    wrote = _wrote(db, c)
    turned = wrote == "server"  # this PC's value is the server's side: show it as local
    if turned:
        sides.reverse()
    (lv, la, lt), (sv, sa, st) = sides
    return ConflictView(
        id=c.id, table=c.table_name, record_id=c.record_id, field=c.field,
        local_value=lv, server_value=sv, local_author=la, server_author=sa, local_at=lt,
        server_at=st, status=c.status,
        resolution=_flip(c.resolution) if turned else c.resolution, queued=c.id in queued,
        mine=None if wrote is None else "local")


def open_count(db: Database) -> int:
    with db.session(capture=False) as s:
        return s.connection().exec_driver_sql(
            "SELECT count(*) FROM sync_conflict WHERE status = 'open'").scalar_one()


def find(db: Database, conflict_id: str) -> SyncConflict:
    """By full id, or by at least 8 characters from its start or its end (the CLI shows the
    last 12: ids are UUIDv7, whose first characters are a timestamp that conflicts raised
    by one push share). Among several matches an open one wins if it is the only one."""
    with db.session(capture=False) as s:
        row = s.get(SyncConflict, conflict_id)
        if row is None and len(conflict_id) >= 8:
            rows = list(s.exec(select(SyncConflict).where(
                SyncConflict.id.startswith(conflict_id) | SyncConflict.id.endswith(conflict_id))
                .limit(50)))
            if len(rows) > 1:
                rows = [r for r in rows if r.status == "open"] or rows
            if len(rows) > 1:
                raise DomainError("conflict_ambiguous", "冲突编号不唯一，请输入更长的编号")
            row = rows[0] if rows else None
    if row is None:
        raise DomainError("conflict_unknown", NOT_FOUND)
    return row


def resolve(db: Database, conflict_id: str, keep: str, client: Client | None = None) -> str:
    """Decide a conflict. Online, the server applies it now ("sent"); without a client or a
    network, the decision is kept on this PC and sent on the next sync ("queued")."""
    if keep not in KEEP:
        raise DomainError("conflict_keep", "请选择保留本机的值（local）或服务器的值（server）")
    row = find(db, conflict_id)
    if row.status == "resolved":
        raise DomainError("conflict_done", "该冲突已处理")
    # `keep` is this PC's word ("local" = the value this PC wrote); the server's is by side.
    keep = _flip(keep) if _wrote(db, row) == "server" else keep
    if client is not None:
        try:
            out = _send(client, row.id, keep)
        except NetworkDown:
            pass
        else:
            _mark(db, row.id, keep, out)
            return "sent"
    queued = pending_resolutions(db)
    queued[row.id] = keep
    with db.session(capture=False) as s:
        conn = s.connection()
        _save_resolutions(conn, queued)
        _set_status(conn, row.id, keep)
        if keep == "local":
            _apply_local_value(s, row)
    return "queued"


def _send(client: Client, conflict_id: str, keep: str) -> ConflictOut | None:
    """POST the decision; None when the server says it is already resolved or unknown
    (someone else decided, or it left our scope): nothing more to send either way."""
    try:
        body = client.post(f"/sync/conflicts/{conflict_id}/resolve",
                           ResolveRequest(keep=keep).model_dump())
    except SyncError as exc:
        if exc.status in (404, 409) and not isinstance(exc, NetworkDown):
            return None
        raise
    return ConflictOut.model_validate_json(body)


def _mark(db: Database, conflict_id: str, keep: str, out: ConflictOut | None) -> None:
    with db.session(capture=False) as s:
        _set_status(s.connection(), conflict_id, out.resolution if out and out.resolution
                    else keep)


def _set_status(conn, conflict_id: str, keep: str) -> None:  # noqa: ANN001
    conn.execute(text("UPDATE sync_conflict SET status = 'resolved', resolution = :keep, "
                      "resolved_at = :now WHERE id = :id"),
                 {"keep": keep, "id": conflict_id,
                  "now": utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")})


def _apply_local_value(session, row: SyncConflict) -> None:  # noqa: ANN001
    """Show the kept local value at once; the server's version replaces it on the next pull.
    Written without change capture: the server applies the decision itself."""
    model = SYNCED_TABLES.get(row.table_name)
    if model is None or row.field == DELETED:
        return
    obj = session.get(model, row.record_id)
    column = model.__table__.columns.get(row.field)
    if obj is None or column is None:
        return
    value = _loads(row.local_value)
    if isinstance(value, str) and isinstance(column.type, DateTime):
        value = datetime.fromisoformat(value)
    elif isinstance(value, str) and isinstance(column.type, Date):
        value = date.fromisoformat(value)
    setattr(obj, row.field, value)
    session.add(obj)


def forget_resolutions(db: Database, conflict_ids: set[str]) -> int:
    """Drop queued decisions for conflicts the server reports resolved (a USB return file
    carries them: the decision went up in this PC's file, or someone else decided)."""
    with db.session(capture=False) as s:
        conn = s.connection()
        raw = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?",
                                   (RESOLUTIONS_KEY,)).scalar()
        queued = json.loads(raw) if raw else {}
        done = [i for i in queued if i in conflict_ids]
        if done:
            for i in done:
                queued.pop(i)
            _save_resolutions(conn, queued)
    return len(done)


def send_pending(db: Database, client: Client) -> int:
    """Send decisions made offline; each is forgotten once the server has answered."""
    queued = pending_resolutions(db)
    sent = 0
    for conflict_id, keep in list(queued.items()):
        _send(client, conflict_id, keep)
        queued.pop(conflict_id)
        sent += 1
        with db.session(capture=False) as s:
            _save_resolutions(s.connection(), queued)
    return sent
