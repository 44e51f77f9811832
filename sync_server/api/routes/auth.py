"""Login (binds the device to the account) and logout (revokes the token)."""
from __future__ import annotations

from fastapi import APIRouter, Request

from familydoc_desktop.sync.protocol import LoginRequest, LoginResponse
from sync_server.api.deps import EngineDep, PrincipalDep, SettingsDep
from sync_server.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginResponse)
def login(body: LoginRequest, request: Request, engine: EngineDep,
          settings: SettingsDep) -> LoginResponse:
    client = request.client.host if request.client else None
    return accounts.login(engine, settings, body, client=client,
                          gate=request.app.state.login_gate)


@router.post("/logout")
def logout(who: PrincipalDep, engine: EngineDep) -> dict:
    accounts.logout(engine, who)
    return {"status": "ok"}
