"""The devices' access log on the server: who viewed, revealed, printed or exported whose data.

Entries arrive as `audit_log` records (a push, or a USB bundle applied like one) and are copied
into `audit_entry` at once; they are never changed afterwards (push ignores edits of an entry,
triggers refuse UPDATE and DELETE). `query` is what GET /api/v1/audit serves: an account sees
the entries of its own org and every org below it (a township its clinics), 403 for any other
org id, existing or not, and the refusal is logged."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, select

from sync_server import models
from sync_server.core import scope
from sync_server.core.db import now_ms, read_tx, write_tx
from sync_server.services.accounts import Principal, log_event
from sync_server.services.errors import Forbidden, Invalid

TABLE = "audit_log"
# Dates in the query are days of the caller's calendar: its UTC offset in minutes, China
# Standard Time (UTC+8, no DST) when it does not say.
CLINIC_TZ = timezone(timedelta(hours=8))
CLINIC_OFFSET_MIN = 480
MAX_LIMIT = 5000


class AuditEntryOut(BaseModel):
    id: str
    org_id: str
    at: str  # ISO 8601 with offset
    actor: str
    action: str
    table: str | None = None
    record_id: str | None = None
    detail: str | None = None
    device_id: str | None = None


def _ms(value: Any) -> int:
    if isinstance(value, (int, float)):
        return int(value)
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return now_ms()
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)  # the desktop stores UTC
    return int(at.timestamp() * 1000)


def entry_values(record_id: str, org_id: str, data: dict, device_id: str | None) -> dict:
    """The audit_entry row for an audit_log record's wire fields."""
    return {"id": record_id, "org_id": org_id, "at": _ms(data.get("created_at")),
            "actor": str(data.get("actor") or "")[:50] or "?",
            "action": str(data.get("action") or "")[:30] or "?",
            "table_name": data.get("table_name"), "record_id": data.get("record_id"),
            "detail": data.get("detail"), "device_id": device_id, "received_at": now_ms()}


def capture(conn: Connection, recs: list, device_id: str) -> int:
    """Copy the audit_log records a push has just created into audit_entry."""
    rows = [entry_values(r.id, r.org_id, r.data, device_id) for r in recs
            if r.table == TABLE and r.is_new]
    if rows:
        conn.execute(models.audit_entry.insert(), rows)
    return len(rows)


def _day_start(day: date, tz: timezone) -> int:
    return int(datetime.combine(day, time.min, tz).timestamp() * 1000)


def list_entries(engine: Engine, who: Principal, **filters: Any) -> list[AuditEntryOut]:
    """`query` in one snapshot; a refusal is logged (security_log) before the 403."""
    try:
        with read_tx(engine) as conn:
            return query(conn, who, **filters)
    except Forbidden:
        with write_tx(engine) as conn:
            log_event(conn, "audit_out_of_scope", username=who.username,
                      account_id=who.account_id, device_id=who.device_id, org_id=who.org_id,
                      detail=f"org={str(filters.get('org'))[:40]}")
        raise


def query(conn: Connection, who: Principal, *, org: str | None = None,
          resident: str | None = None, start: date | None = None, end: date | None = None,
          limit: int = 1000, utc_offset: int = CLINIC_OFFSET_MIN) -> list[AuditEntryOut]:
    """Entries newest first within the caller's scope; `org` narrows to one org of it (and
    the orgs below it), `resident` to one record id, `start`/`end` are inclusive days."""
    if start and end and start > end:
        raise Invalid("起始日期不能晚于截止日期")
    visible = scope.data_scope(conn, who.role, who.org_id)
    if org is not None:
        if org not in visible:  # the same answer whether the org exists or not
            raise Forbidden(scope.FORBIDDEN)
        orgs = scope.subtree(conn, org) & set(visible)
    else:
        orgs = set(visible)
    if not orgs:
        return []
    a = models.audit_entry
    q = select(a).where(a.c.org_id.in_(sorted(orgs)))
    if resident:
        q = q.where(a.c.record_id == resident)
    tz = timezone(timedelta(minutes=utc_offset))
    if start:
        q = q.where(a.c.at >= _day_start(start, tz))
    if end:
        q = q.where(a.c.at < _day_start(end + timedelta(days=1), tz))
    q = q.order_by(a.c.at.desc(), a.c.id.desc()).limit(max(1, min(limit, MAX_LIMIT)))
    return [AuditEntryOut(
        id=r.id, org_id=r.org_id, actor=r.actor, action=r.action, table=r.table_name,
        record_id=r.record_id, detail=r.detail, device_id=r.device_id,
        at=datetime.fromtimestamp(r.at / 1000, tz).isoformat())
        for r in conn.execute(q)]
