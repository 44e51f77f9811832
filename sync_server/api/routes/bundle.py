"""USB bundles: a device registers its public keys at login (over the network, once)."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from familydoc_desktop.sync.protocol import CleanRequest

from sync_server.api.deps import EngineDep, PrincipalDep
from sync_server.services import bundle

router = APIRouter(prefix="/bundle", tags=["bundle"])


class RegisterKeys(CleanRequest):
    model_config = ConfigDict(extra="ignore")
    sign_key: str = Field(max_length=64)  # Ed25519 public key, base64 raw
    box_key: str = Field(max_length=64)  # X25519 public key, base64 raw


class ServerKeys(BaseModel):
    server_sign_key: str
    server_box_key: str


@router.post("/register", response_model=ServerKeys)
def register_keys(body: RegisterKeys, who: PrincipalDep, engine: EngineDep) -> ServerKeys:
    return ServerKeys(**bundle.register(engine, who, body.sign_key, body.box_key))
