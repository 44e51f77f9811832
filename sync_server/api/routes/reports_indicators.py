"""GET /reports/indicators: the township's indicator report (统计报表) computed by the server,
for the caller's scope, in the shape of `familydoc --json report`."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sync_server.api.deps import EngineDep, PrincipalDep
from sync_server.services import indicators

router = APIRouter(tags=["reports"])

@router.get("/reports/indicators")
def indicator_report(
        who: PrincipalDep, engine: EngineDep,
        org: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
        on: Annotated[str | None, Query(min_length=1, max_length=10)] = None,
        start: Annotated[str | None, Query(alias="from", min_length=1, max_length=10)] = None,
        end: Annotated[str | None, Query(alias="to", min_length=1, max_length=10)] = None,
        by: Annotated[str | None, Query(min_length=1, max_length=10)] = None) -> dict:
    # A plain def: FastAPI runs it in its thread pool, the event loop never waits on it.
    report = indicators.indicators(engine, who, org=org, on=on, start=start, end=end, by=by)
    return report.to_json()
