"""Sync health: a device reports on itself after each sync round (POST /sync/report); township
and county staff read their clinics' reports (GET /reports/sync). The indicators report has
its own route file."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from familydoc_desktop.sync.protocol import SyncHealthReport
from sync_server.api.deps import EngineDep, PrincipalDep
from sync_server.services import sync_health

router = APIRouter(tags=["reports"])


@router.post("/sync/report")
def post_report(body: SyncHealthReport, who: PrincipalDep, engine: EngineDep) -> dict:
    return sync_health.record(engine, who, body)


@router.get("/reports/sync", response_model=sync_health.SyncReportOut)
def sync_report(who: PrincipalDep, engine: EngineDep,
                org: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
                stale_days: Annotated[int, Query(ge=1, le=sync_health.MAX_STALE_DAYS)]
                = sync_health.STALE_DAYS) -> sync_health.SyncReportOut:
    return sync_health.report(engine, who, org=org, stale_days=stale_days)
