"""The devices' access log on the server (issue 15): pushed audit entries land in audit_entry,
can never be changed (by a push or in the database), and GET /api/v1/audit shows them scoped:
a clinic its own, a township its clinics, 403 (logged, the same for unknown orgs) elsewhere."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from familydoc_desktop.domain.models.base import new_id
from sync_server import models
from tests.server.server_helpers import SCHEMA, mutation, push, resident

FORBIDDEN = {"detail": "无权访问该机构的数据"}


def entry(org_id: str, record_id: str, action: str, actor: str, at: str) -> dict:
    return {"org_id": org_id, "actor": actor, "action": action, "table_name": "resident",
            "record_id": record_id, "detail": None, "at_hlc": "", "created_at": at,
            "updated_at": at, "deleted": False}


@pytest.fixture
def logged(world):
    """doc_a viewed and exported resident A1 (two entries), doc_b printed B1, doc_c viewed C1."""
    ids = {}
    for user, org, actions in (("doc_a", "clinic_a", [("view", "2026-05-01T02:00:00"),
                                                       ("export_item", "2026-05-03T02:00:00")]),
                               ("doc_b", "clinic_b", [("print", "2026-05-02T02:00:00")]),
                               ("doc_c", "clinic_c", [("view", "2026-05-02T02:00:00")])):
        h = world.login(user)
        rid, data = resident(world.orgs[org])
        muts = [mutation(1, rid, data, op="insert", hlc=world.hlc(f"dev-{user}"))]
        for n, (action, at) in enumerate(actions, start=2):
            eid = new_id()
            ids[(user, action)] = eid
            muts.append(mutation(n, eid, entry(world.orgs[org], rid, action, user, at),
                                 op="insert", table="audit_log",
                                 hlc=world.hlc(f"dev-{user}", counter=n)))
        r = push(world, h, user, muts)
        assert r.status_code == 200, r.text
        ids[user] = rid
    return world, ids


def audit(world, headers, **params):
    return world.client.get("/api/v1/audit", headers=headers, params=params)


def test_pushed_entries_are_kept_in_their_own_columns(logged):
    world, ids = logged
    with world.engine.connect() as conn:
        rows = conn.execute(select(models.audit_entry)).all()
    assert len(rows) == 4
    a = {r.id: r for r in rows}[ids[("doc_a", "export_item")]]
    assert (a.actor, a.action, a.record_id, a.org_id, a.device_id) == (
        "doc_a", "export_item", ids["doc_a"], world.orgs["clinic_a"], "dev-doc_a")


def test_township_sees_its_clinics_and_filters_by_resident_and_day(logged):
    world, ids = logged
    town = world.login("town")
    r = audit(world, town)
    assert r.status_code == 200
    got = r.json()
    assert {e["actor"] for e in got} == {"doc_a", "doc_b"}  # not clinic C (other township)
    assert [e["action"] for e in got] == ["export_item", "print", "view"]  # newest first
    one = audit(world, town, resident=ids["doc_a"]).json()
    assert {e["action"] for e in one} == {"view", "export_item"}
    day = audit(world, town, **{"from": "2026-05-02", "to": "2026-05-02"}).json()
    assert [e["action"] for e in day] == ["print"]
    only_b = audit(world, town, org=world.orgs["clinic_b"]).json()
    assert [e["actor"] for e in only_b] == ["doc_b"]
    assert audit(world, town, org=world.orgs["township"]).status_code == 200
    # A clinic sees its own entries only.
    a = world.login("doc_a")
    assert {e["actor"] for e in audit(world, a).json()} == {"doc_a"}


def test_other_orgs_are_refused_alike_and_logged(logged):
    world, _ = logged
    town = world.login("town")
    other = audit(world, town, org=world.orgs["clinic_c"])
    unknown = audit(world, town, org=new_id())
    assert (other.status_code, other.json()) == (403, FORBIDDEN)
    assert (unknown.status_code, unknown.json()) == (403, FORBIDDEN)
    a = world.login("doc_a")
    assert audit(world, a, org=world.orgs["clinic_b"]).status_code == 403
    with world.engine.connect() as conn:
        n = conn.execute(select(models.security_log)
                         .where(models.security_log.c.event == "audit_out_of_scope")).all()
    assert len(n) == 3
    assert audit(world, town, **{"from": "2026-05-03", "to": "2026-05-01"}).status_code == 422
    assert world.client.get("/api/v1/audit", headers=SCHEMA).status_code == 401


def test_entries_cannot_be_changed_by_a_push_or_in_the_database(logged):
    world, ids = logged
    eid = ids[("doc_a", "view")]
    a = world.login("doc_a")
    r = push(world, a, "doc_a", [
        mutation(10, eid, {"action": "nothing", "actor": "someone"},
                 table="audit_log", hlc=world.hlc("dev-doc_a", ahead_ms=1000)),
        mutation(11, eid, {"deleted": True}, op="delete", table="audit_log",
                 hlc=world.hlc("dev-doc_a", ahead_ms=2000))])
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["applied", "applied"]
    with world.engine.connect() as conn:
        row = conn.execute(select(models.audit_entry)
                           .where(models.audit_entry.c.id == eid)).one()
        rec = conn.execute(select(models.record.c.data, models.record.c.deleted)
                           .where(models.record.c.id == eid)).one()
    assert (row.action, row.actor) == ("view", "doc_a")
    assert json.loads(rec.data)["action"] == "view" and not rec.deleted
    for sql in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
            conn.execute(text(sql))
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar() == 4
