"""The township's view of its clinics' access log: GET /api/v1/audit on the sync server
(scoped there: a township sees its clinics, a clinic itself)."""
from __future__ import annotations

import json
from datetime import date, datetime

from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from familydoc_desktop.sync.http import SyncError

NOT_LOGGED_IN = "尚未登录同步服务器，只能查看本机的审计日志。请先在“同步”中登录"


def server_entries(db: Database, *, org: str | None = None, resident: str | None = None,
                   start: date | None = None, end: date | None = None,
                   limit: int = 1000) -> list[dict]:
    """Entries from the server, newest first, shaped like store.audit.readable (resident
    names filled in from this PC's database where it has the resident)."""
    client = session.make_client(db)
    if client is None:
        raise SyncError(NOT_LOGGED_IN)
    offset = datetime.now().astimezone().utcoffset()
    params = {"limit": limit, "utc_offset": int(offset.total_seconds() // 60) if offset else 0}
    for key, value in (("org", org), ("resident", resident), ("from", start), ("to", end)):
        if value is not None:
            params[key] = value.isoformat() if isinstance(value, date) else value
    try:
        rows = json.loads(client.get("/audit", params=params))
    finally:
        client.close()
    from sqlmodel import col, select

    from familydoc_desktop.domain.models import Resident

    ids = sorted({r["record_id"] for r in rows if r.get("record_id")})
    names: dict[str, str] = {}
    with db.session(capture=False) as s:
        for i in range(0, len(ids), 500):
            for rid, name in s.exec(select(Resident.id, Resident.name)
                                    .where(col(Resident.id).in_(ids[i:i + 500]))):
                names[rid] = name
    return [{"id": r["id"], "at": datetime.fromisoformat(r["at"]).astimezone(),
             "actor": r["actor"], "action": r["action"], "table": r.get("table"),
             "record_id": r.get("record_id"), "resident": names.get(r.get("record_id") or ""),
             "detail": r.get("detail"), "org_id": r["org_id"]} for r in rows]
