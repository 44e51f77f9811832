"""Access log (PIPL: who viewed, changed or exported which resident, kept >= 6 months).

Only ids and the kind of action are written, never names, ID numbers or phones: the detail is
checked for long digit runs so a number typed by mistake cannot end up in the log.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session, col, select

from familydoc_desktop.domain.models import AuditLog, new_id

_DIGIT_RUN = re.compile(r"\d{7,}")


def log(session: Session, actor: str, action: str, table: str | None = None,
        record_id: str | None = None, detail: str | None = None, *,
        org_id: str | None = None) -> AuditLog:
    """Append one audit entry; `org_id` defaults to the device's home clinic."""
    if not (actor or "").strip():
        raise ValueError("审计日志须记录操作人")
    if detail and _DIGIT_RUN.search(detail):
        raise ValueError("审计日志说明中不得包含证件号、电话等个人信息")
    if org_id is None:
        from familydoc_desktop.store.orgs import home_clinic  # orgs logs nothing: no cycle
        org_id = home_clinic(session).id
    entry = AuditLog(org_id=org_id, actor=actor.strip()[:50], action=action[:30],
                     table_name=table, record_id=record_id,
                     detail=detail[:200] if detail else None)
    session.add(entry)
    session.flush()
    return entry


LOCAL_USER = "本机用户"
EXPORT_ITEM = "export_item"


def log_export_items(session: Session, export: AuditLog, table: str,
                     record_ids: list[str]) -> int:
    """Whose data left in `export`: one `export_item` entry per record it contained, naming
    the record and (in the detail) the export entry, so `familydoc audit --resident R` shows
    every file R was in. Set-based (a township export is 60,000 rows); the entries sync like
    any other."""
    from familydoc_desktop.store import bulk  # heavy import; bulk logs nothing: no cycle
    from familydoc_desktop.store.ledger import _capture_of

    capture = _capture_of(session)
    rows = [{"id": new_id(), "org_id": export.org_id, "created_at": export.created_at,
             "actor": export.actor, "action": EXPORT_ITEM, "table_name": table,
             "record_id": rid, "detail": f"导出记录 {export.id}"} for rid in record_ids]
    if capture is None:
        return bulk.bulk_insert(session, AuditLog.__tablename__, rows)
    return bulk.insert_with_outbox(session, capture, AuditLog.__tablename__, rows)


def current_actor(session: Session) -> str:
    """The account logged in on this PC (the sync login), else the local user: what a CLI
    command writes to the log (the desktop app has its own, AppContext.actor)."""
    from familydoc_desktop.store import settings  # settings logs nothing: no cycle

    return (settings.get_setting(session, "username") or "").strip() or LOCAL_USER


def _utc_midnight(day: date) -> datetime:
    """The start of a local day, in UTC, as created_at is stored."""
    return datetime.combine(day, time.min).astimezone(timezone.utc)


def query(session: Session, *, record_id: str | None = None, start: date | None = None,
          end: date | None = None, limit: int = 1000) -> list[AuditLog]:
    """Entries newest first; `record_id` narrows to one record (a resident), `start`/`end`
    are inclusive days of this PC's local calendar (created_at is stored in UTC)."""
    q = select(AuditLog)
    if record_id:
        q = q.where(AuditLog.record_id == record_id)
    if start:
        q = q.where(AuditLog.created_at >= _utc_midnight(start))
    if end:
        q = q.where(AuditLog.created_at < _utc_midnight(end + timedelta(days=1)))
    q = q.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc()).limit(limit)
    return list(session.exec(q))


def entries_for(session: Session, record_id: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.record_id == record_id)
                             .order_by(AuditLog.id)))


def readable(session: Session, *, record_id: str | None = None, start: date | None = None,
             end: date | None = None, limit: int = 1000) -> list[dict]:
    """`query` for the audit screen: each entry with the name of the resident it concerns
    (looked up here, never stored in the log). Times as local datetimes."""
    from familydoc_desktop.domain.models import Resident

    rows = query(session, record_id=record_id, start=start, end=end, limit=limit)
    ids = {e.record_id for e in rows if e.record_id and e.table_name in (None, "resident")}
    names: dict[str, str] = {}
    id_list = sorted(ids)
    for i in range(0, len(id_list), 500):
        for rid, name in session.exec(select(Resident.id, Resident.name)
                                      .where(col(Resident.id).in_(id_list[i:i + 500]))):
            names[rid] = name
    return [{"id": e.id, "at": e.created_at.replace(tzinfo=timezone.utc).astimezone(),
             "actor": e.actor, "action": e.action, "table": e.table_name,
             "record_id": e.record_id, "resident": names.get(e.record_id or ""),
             "detail": e.detail, "org_id": e.org_id} for e in rows]
