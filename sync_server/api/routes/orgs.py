"""The organisations an account may see (its own and every one below it)."""
from __future__ import annotations

from fastapi import APIRouter

from familydoc_desktop.sync.protocol import OrgOut
from sync_server.api.deps import EngineDep, PrincipalDep
from sync_server.core.db import read_tx
from sync_server.services import accounts

router = APIRouter(tags=["orgs"])


@router.get("/orgs", response_model=list[OrgOut])
def list_orgs(who: PrincipalDep, engine: EngineDep) -> list[OrgOut]:
    with read_tx(engine) as conn:
        return accounts.visible_orgs(conn, who.org_id)
