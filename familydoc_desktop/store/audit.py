"""Access log (PIPL: who viewed, changed or exported which resident, kept >= 6 months).

Only ids and the kind of action are written, never names, ID numbers or phones: the detail is
checked for long digit runs so a number typed by mistake cannot end up in the log.
"""
from __future__ import annotations

import re

from sqlmodel import Session, select

from familydoc_desktop.domain.models import AuditLog

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


def entries_for(session: Session, record_id: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.record_id == record_id)
                             .order_by(AuditLog.id)))
