"""Liveness probe: no authentication, no schema header."""
from __future__ import annotations

from fastapi import APIRouter

from familydoc_desktop import SCHEMA_VERSION
from sync_server.core.db import now_ms

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict:
    return {"status": "ok", "schema_version": SCHEMA_VERSION, "server_time_ms": now_ms()}
