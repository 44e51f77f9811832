"""The access log of the devices in the caller's scope (a township: its clinics)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from sync_server.api.deps import EngineDep, PrincipalDep
from sync_server.services import audit

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[audit.AuditEntryOut])
def list_audit(who: PrincipalDep, engine: EngineDep,
               org: Annotated[str | None, Query(max_length=36)] = None,
               resident: Annotated[str | None, Query(max_length=36)] = None,
               start: Annotated[date | None, Query(alias="from")] = None,
               end: Annotated[date | None, Query(alias="to")] = None,
               limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 1000,
               # The caller's UTC offset in minutes, for the days of from/to (default UTC+8).
               utc_offset: Annotated[int, Query(ge=-840, le=840)] = audit.CLINIC_OFFSET_MIN,
               ) -> list[audit.AuditEntryOut]:
    return audit.list_entries(engine, who, org=org, resident=resident, start=start, end=end,
                              limit=limit, utc_offset=utc_offset)
