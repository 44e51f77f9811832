"""Helpers for the server tests: the test world, and builders for mutations and pulls."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlalchemy import text

from familydoc_desktop import SCHEMA_VERSION
from familydoc_desktop.domain.models.base import new_id
from sync_server.core.db import read_tx
from sync_server.services import records, tally_fields

PASSWORD = "secret-pass-1"
SCHEMA = {"X-FamilyDoc-Schema": str(SCHEMA_VERSION)}


@dataclass
class World:
    """A county with one township and two clinics, an account for each, and a test client."""

    client: TestClient
    engine: object
    orgs: dict[str, str] = field(default_factory=dict)  # name -> org id
    devices: dict[str, str] = field(default_factory=dict)  # username -> device id

    def login(self, username: str, device_id: str | None = None,
              password: str = PASSWORD) -> dict:
        device_id = device_id or self.devices.setdefault(username, f"dev-{username}")
        r = self.client.post("/api/v1/auth/login", headers=SCHEMA, json={
            "username": username, "password": password, "device_id": device_id,
            "device_name": f"{username} 的电脑"})
        assert r.status_code == 200, r.text
        return {**SCHEMA, "Authorization": f"Bearer {r.json()['token']}"}

    def hlc(self, device: str, ahead_ms: int = 0, counter: int = 0) -> str:
        return f"{time.time_ns() // 1_000_000 + ahead_ms:013d}-{counter:04d}-{device}"


def resident(org_id: str, record_id: str | None = None, **fields) -> tuple[str, dict]:
    record_id = record_id or new_id()
    data = {"id": record_id, "org_id": org_id, "name": "张三", "sex": "male",
            "birth_date": "1950-03-04", "phone": "13800000000", "note": None,
            "created_at": "2025-01-02T03:04:05+00:00", "updated_at": "2025-01-02T03:04:05+00:00",
            "deleted": False, "needs_id_match": False, "registered": True}
    data.update(fields)
    return record_id, data


STAMPED = {"created_at": "2025-01-02T03:04:05+00:00", "updated_at": "2025-01-02T03:04:05+00:00",
           "deleted": False}


def visit(org_id: str, **fields) -> dict:
    """The changes of a complete followup_visit insert (every NOT NULL column)."""
    return {"org_id": org_id, "resident_id": new_id(), "kind": "hypertension",
            "visit_date": "2025-03-01", "method": "clinic", "adverse_reaction": False,
            "new_complication": False, "referral": False, **STAMPED, **fields}


def household(org_id: str, **fields) -> dict:
    """The changes of a complete household insert."""
    return {"org_id": org_id, "household_no": "H1", **STAMPED, **fields}


def push(world: World, headers: dict, username: str, mutations: list[dict]):
    return world.client.post("/api/v1/sync/push", headers=headers, json={
        "device_id": world.devices[username], "client_time_ms": int(time.time() * 1000),
        "mutations": mutations})


def mutation(mid: int, record_id: str, changes: dict, *, op: str = "update",
             table: str = "resident", base_seq: int | None = None, hlc: str) -> dict:
    return {"mutation_id": mid, "table": table, "record_id": record_id, "op": op,
            "changes": changes, "base_seq": base_seq, "hlc": hlc}


def pull_all(world: World, headers: dict, since: int = 0, **params) -> dict:
    r = world.client.get("/api/v1/sync/pull", headers=headers,
                         params={"since": since, **params})
    assert r.status_code == 200, r.text
    return r.json()


def rows_of(page: dict, table: str) -> list[dict]:
    t = page["tables"].get(table)
    return [dict(zip(t["columns"], row)) for row in t["rows"]] if t else []


def kept(engine) -> dict[tuple[str, str], tuple]:  # noqa: ANN001
    """record.tally (migration 0012) of every record: (table, id) -> (tally as parsed,
    tally_shape, the array tally_fields.of makes from the record's columns and data now)."""
    with read_tx(engine) as conn:
        rows = conn.execute(text(
            "SELECT table_name, id, org_id, data, tally, tally_shape FROM record")).all()
    return {(t, i): (None if tally is None else json.loads(tally), shape,
                     json.loads(tally_fields.of(t, i, org, records.loads(data))[0] or "null"))
            for t, i, org, data, tally, shape in rows}


def assert_all_kept(engine) -> int:  # noqa: ANN001
    """Every record of a table the tally reads holds today's array and fingerprint; every
    other record holds none. Returns how many hold one."""
    n = 0
    for (table, rid), (got, shape, wanted) in kept(engine).items():
        if tally_fields.fields(table) is None:
            assert (got, shape) == (None, None), (table, rid)
        else:
            assert (got, shape) == (wanted, tally_fields.shape_mark(table)), (table, rid)
            n += 1
    return n
