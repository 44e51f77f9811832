"""Device administration for IT administrators (all devices) and county administrators (the
devices of their county); township staff may list the devices of their clinics. Never any
record data."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from sync_server.api.deps import EngineDep, PrincipalDep
from sync_server.core.db import read_tx, write_tx
from sync_server.services import accounts

router = APIRouter(prefix="/admin", tags=["admin"])


class DeviceOut(BaseModel):
    id: str
    name: str
    org_id: str
    username: str
    role: str
    last_mutation_id: int
    last_seen: int | None = None  # epoch milliseconds
    revoked: bool
    created_at: int


@router.get("/devices", response_model=list[DeviceOut])
def list_devices(who: PrincipalDep, engine: EngineDep) -> list[DeviceOut]:
    with read_tx(engine) as conn:
        orgs = accounts.device_view_scope(conn, who)
        return [DeviceOut(**row) for row in accounts.list_devices(conn, orgs)]


@router.post("/devices/{device_id}/revoke")
def revoke_device(device_id: str, who: PrincipalDep, engine: EngineDep) -> dict:
    with write_tx(engine) as conn:
        orgs = accounts.admin_scope(conn, who)
        accounts.revoke_device(conn, device_id, orgs, by=who.username)
    return {"status": "revoked", "device_id": device_id}
