"""Scope on every endpoint: a clinic sees its own records, a township its clinics, a county
everything below it, an IT administrator no records; other ids answer as if unknown."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from familydoc_desktop.domain.models.base import new_id
from tests.server.server_helpers import mutation, pull_all, push, resident, rows_of
from sync_server import models

FORBIDDEN = {"detail": "无权访问该机构的数据"}
# A refused push also names its first refused mutation (one the client sent itself).
REFUSED_2 = {**FORBIDDEN, "mutation_id": 2}


@pytest.fixture
def populated(world):
    """One resident in each of clinic A, clinic B and clinic C (another township), plus an
    open conflict in clinic B."""
    ids = {}
    for user, org in (("doc_a", "clinic_a"), ("doc_b", "clinic_b"), ("doc_c", "clinic_c")):
        h = world.login(user)
        rid, data = resident(world.orgs[org], name=f"{org}居民")
        r = push(world, h, user, [mutation(1, rid, data, op="insert", hlc=world.hlc(f"dev-{user}"))])
        assert r.status_code == 200
        ids[org] = rid
    # An open conflict in clinic B: the township edits the name, doc_b edits it from base 1.
    town = world.login("town")
    push(world, town, "town", [mutation(1, ids["clinic_b"], {"name": "改名甲"}, base_seq=2,
                                        hlc=world.hlc("dev-town"))])
    b = world.login("doc_b")
    r = push(world, b, "doc_b", [mutation(2, ids["clinic_b"], {"name": "改名乙"}, base_seq=2,
                                          hlc=world.hlc("dev-doc_b", counter=1))]).json()
    ids["conflict_b"] = r["results"][0]["conflicts"][0]
    return world, ids


def _names(world, headers):
    return {row["name"] for row in rows_of(pull_all(world, headers), "resident")}


def test_pull_digest_conflicts_and_orgs_stay_in_scope(populated):
    world, ids = populated
    a = world.login("doc_a")
    assert _names(world, a) == {"clinic_a居民"}
    assert pull_all(world, a)["conflicts"] == []
    assert world.client.get("/api/v1/sync/conflicts", headers=a).json() == []
    assert world.client.get("/api/v1/sync/digest", headers=a).json()["tables"]["resident"]["count"] == 1
    assert [o["name"] for o in world.client.get("/api/v1/orgs", headers=a).json()] == ["clinic_a"]
    # A repair pull of one table is scoped too.
    assert len(rows_of(pull_all(world, a, table="resident"), "resident")) == 1


def test_township_sees_both_clinics_but_not_another_township(populated):
    world, ids = populated
    town = world.login("town")
    assert _names(world, town) == {"clinic_a居民", "改名甲"}
    assert [c["id"] for c in pull_all(world, town)["conflicts"]] == [ids["conflict_b"]]
    assert world.client.get("/api/v1/sync/digest", headers=town).json()["tables"]["resident"]["count"] == 2
    assert {o["name"] for o in world.client.get("/api/v1/orgs", headers=town).json()} == {
        "township", "clinic_a", "clinic_b"}


def test_county_sees_everything_below_it(populated):
    world, ids = populated
    county = world.login("county")
    assert _names(world, county) == {"clinic_a居民", "改名甲", "clinic_c居民"}
    assert len(world.client.get("/api/v1/sync/conflicts", headers=county).json()) == 1
    assert len(world.client.get("/api/v1/orgs", headers=county).json()) == 6


def test_it_admin_sees_no_records_and_cannot_push(populated):
    world, ids = populated
    it = world.login("it")
    page = pull_all(world, it)
    assert page["tables"] == {} and page["conflicts"] == [] and page["next_since"] == 0
    digest = world.client.get("/api/v1/sync/digest", headers=it).json()
    assert all(t["count"] == 0 for t in digest["tables"].values())
    assert world.client.get("/api/v1/sync/conflicts", headers=it).json() == []
    rid, data = resident(world.orgs["clinic_a"])
    r = push(world, it, "it", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-it"))])
    assert r.status_code == 403
    r = world.client.post(f"/api/v1/sync/conflicts/{ids['conflict_b']}/resolve", headers=it,
                          json={"keep": "server"})
    assert r.status_code == 404


def test_clinic_cannot_push_to_another_clinic_existing_or_not_same_answer(populated):
    world, ids = populated
    a = world.login("doc_a")
    existing = push(world, a, "doc_a", [mutation(2, ids["clinic_b"], {"note": "x"}, base_seq=2,
                                                 hlc=world.hlc("dev-doc_a", counter=1))])
    missing = push(world, a, "doc_a", [mutation(2, new_id(), {"note": "x"}, base_seq=2,
                                                hlc=world.hlc("dev-doc_a", counter=1))])
    assert existing.status_code == missing.status_code == 403
    assert existing.json() == missing.json() == REFUSED_2
    # Inserting a new record into clinic B, or moving my record there: refused as well.
    rid, data = resident(world.orgs["clinic_b"])
    insert_b = push(world, a, "doc_a", [mutation(2, rid, data, op="insert",
                                                 hlc=world.hlc("dev-doc_a", counter=2))])
    move = push(world, a, "doc_a", [mutation(2, ids["clinic_a"], {"org_id": world.orgs["clinic_b"]},
                                             base_seq=1, hlc=world.hlc("dev-doc_a", counter=3))])
    _, reused = resident(world.orgs["clinic_a"], record_id=ids["clinic_b"])
    reuse = push(world, a, "doc_a", [mutation(2, ids["clinic_b"], reused, op="insert",
                                              hlc=world.hlc("dev-doc_a", counter=4))])
    assert insert_b.json() == move.json() == reuse.json() == REFUSED_2
    # Nothing was applied (all or nothing), and every refusal was logged.
    assert _names(world, world.login("town")) == {"clinic_a居民", "改名甲"}
    with world.engine.connect() as conn:
        events = conn.execute(select(models.security_log.c.event)).scalars().all()
    assert events.count("push_out_of_scope") == 5


def test_a_refused_mutation_rolls_back_the_whole_push(populated):
    world, ids = populated
    a = world.login("doc_a")
    mine, data = resident(world.orgs["clinic_a"], name="不应保存")
    r = push(world, a, "doc_a", [
        mutation(2, mine, data, op="insert", hlc=world.hlc("dev-doc_a", counter=1)),
        mutation(3, ids["clinic_b"], {"note": "x"}, base_seq=2, hlc=world.hlc("dev-doc_a", counter=2))])
    assert r.status_code == 403
    assert "不应保存" not in _names(world, a)
    with world.engine.connect() as conn:
        last = conn.execute(select(models.device.c.last_mutation_id)
                            .where(models.device.c.id == "dev-doc_a")).scalar_one()
    assert last == 1


def test_clinic_cannot_see_or_resolve_another_clinics_conflict(populated):
    world, ids = populated
    a = world.login("doc_a")
    theirs = world.client.post(f"/api/v1/sync/conflicts/{ids['conflict_b']}/resolve",
                               headers=a, json={"keep": "local"})
    unknown = world.client.post(f"/api/v1/sync/conflicts/{new_id()}/resolve", headers=a,
                                json={"keep": "local"})
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    town = world.login("town")  # the township may resolve it
    assert world.client.post(f"/api/v1/sync/conflicts/{ids['conflict_b']}/resolve",
                             headers=town, json={"keep": "server"}).status_code == 200


def test_device_admin_is_for_admins_and_scoped(populated):
    world, ids = populated
    a = world.login("doc_a")
    assert world.client.get("/api/v1/admin/devices", headers=a).status_code == 403
    assert world.client.post("/api/v1/admin/devices/dev-doc_b/revoke", headers=a).status_code == 403
    county = world.login("county")
    listed = {d["id"] for d in world.client.get("/api/v1/admin/devices", headers=county).json()}
    assert {"dev-doc_a", "dev-doc_b", "dev-doc_c", "dev-town"} <= listed
    it = world.login("it")
    assert world.client.post("/api/v1/admin/devices/no-such/revoke", headers=it).status_code == 404


def test_push_with_a_device_id_other_than_the_tokens_is_refused(populated):
    world, ids = populated
    a = world.login("doc_a")
    world.devices["doc_a"] = "dev-doc_b"  # forge: claim doc_b's device
    rid, data = resident(world.orgs["clinic_a"])
    r = push(world, a, "doc_a", [mutation(5, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 403


def _events(world, event):
    with world.engine.connect() as conn:
        return conn.execute(select(models.security_log.c.detail)
                            .where(models.security_log.c.event == event)).scalars().all()


@pytest.fixture
def moved(world):
    """QA: an open name conflict on a clinic-A resident, then the township moves the resident
    to clinic B. The conflict row still says clinic A."""
    a1, a2 = world.login("doc_a"), world.login("doc_a2")
    rid, data = resident(world.orgs["clinic_a"], name="王五")
    push(world, a1, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    push(world, a2, "doc_a2", [mutation(1, rid, {"name": "王武"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"name": "汪五"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=1))]).json()
    [conflict_id] = r["results"][0]["conflicts"]
    town = world.login("town")
    r = push(world, town, "town", [mutation(1, rid, {"org_id": world.orgs["clinic_b"]},
                                            base_seq=3, hlc=world.hlc("dev-town"))])
    assert r.status_code == 200, r.text
    return world, rid, conflict_id


@pytest.mark.parametrize("keep", ["local", "server"])
def test_resolving_a_conflict_of_a_record_moved_out_of_scope_is_404_and_writes_nothing(
        moved, keep):
    world, rid, conflict_id = moved
    a = world.login("doc_a")
    town = world.login("town")
    before = pull_all(world, town)
    theirs = world.client.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", headers=a,
                               json={"keep": keep})
    unknown = world.client.post(f"/api/v1/sync/conflicts/{new_id()}/resolve", headers=a,
                                json={"keep": keep})
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json() == {"detail": "找不到该冲突记录"}
    after = pull_all(world, town)
    # Nothing written: clinic B's record keeps its name, the conflict stays open, no new seq.
    assert after == {**before, "server_time_ms": after["server_time_ms"]}
    [row] = rows_of(after, "resident")
    assert row["name"] == "王武" and row["org_id"] == world.orgs["clinic_b"]
    [c] = world.client.get("/api/v1/sync/conflicts", headers=town).json()
    assert c["status"] == "open"
    [detail] = _events(world, "conflict_out_of_scope")
    assert rid in detail and conflict_id in detail
    # Whoever sees the record now may still resolve it.
    r = world.client.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", headers=town,
                          json={"keep": keep})
    assert r.status_code == 200
    assert rows_of(pull_all(world, town), "resident")[0]["org_id"] == world.orgs["clinic_b"]


def test_keeping_a_value_that_moves_the_record_out_of_scope_is_refused(world):
    """An auto conflict on org_id whose losing (local) value is clinic B: a clinic-A doctor
    keeping it would move the record into clinic B, which a push of that change could not."""
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    push(world, a, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a")),
                             mutation(2, rid, {"org_id": world.orgs["clinic_a"]}, base_seq=1,
                                      hlc=world.hlc("dev-doc_a", ahead_ms=10_000))])
    town = world.login("town")
    r = push(world, town, "town", [mutation(1, rid, {"org_id": world.orgs["clinic_b"]},
                                            base_seq=1, hlc=world.hlc("dev-town"))]).json()
    assert r["results"][0]["status"] == "merged"
    [conflict_id] = r["results"][0]["conflicts"]
    r = world.client.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", headers=a,
                          json={"keep": "local"})
    assert r.status_code == 404 and r.json() == {"detail": "找不到该冲突记录"}
    [row] = rows_of(pull_all(world, a), "resident")
    assert row["org_id"] == world.orgs["clinic_a"]
    assert len(_events(world, "conflict_out_of_scope")) == 1
    # Keeping the server value moves nothing: allowed.
    r = world.client.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", headers=a,
                          json={"keep": "server"})
    assert r.status_code == 200 and r.json()["resolution"] == "server"


def test_refused_push_names_the_first_refused_mutation(moved):
    """For the client: which of its own mutations hit a record outside its scope (here the
    resident the township moved to clinic B). Still 403, the whole batch rolled back, logged."""
    world, rid, _ = moved
    a = world.login("doc_a")
    mine, data = resident(world.orgs["clinic_a"], name="不应保存")
    other, data2 = resident(world.orgs["clinic_c"])
    r = push(world, a, "doc_a", [
        mutation(3, mine, data, op="insert", hlc=world.hlc("dev-doc_a", counter=2)),
        mutation(4, rid, {"note": "行动不便"}, base_seq=3, hlc=world.hlc("dev-doc_a", counter=3)),
        mutation(5, other, data2, op="insert", hlc=world.hlc("dev-doc_a", counter=4))])
    assert r.status_code == 403
    assert r.json() == {"detail": "无权访问该机构的数据", "mutation_id": 4}
    assert isinstance(r.json()["mutation_id"], int)
    assert "不应保存" not in _names(world, a)
    with world.engine.connect() as conn:
        last = conn.execute(select(models.device.c.last_mutation_id)
                            .where(models.device.c.id == "dev-doc_a")).scalar_one()
    assert last == 2
    assert _events(world, "push_out_of_scope") == [f"resident/{rid}"]
    # Without the refused mutation the rest goes through.
    r = push(world, a, "doc_a", [mutation(5, mine, data, op="insert",
                                          hlc=world.hlc("dev-doc_a", counter=5))])
    assert r.status_code == 200


def test_a_record_moved_to_another_clinic_departs_from_the_old_clinic_s_pulls(world):
    from tests.server.server_helpers import SCHEMA, mutation, pull_all, push, resident

    a, b, town = world.login("doc_a"), world.login("doc_b"), world.login("town")
    rid, data = resident(world.orgs["clinic_a"], name="王五")
    assert push(world, a, "doc_a", [mutation(1, rid, data, op="insert",
                                             hlc=world.hlc("dev-doc_a"))]).status_code == 200
    cursor_a = pull_all(world, a)["next_since"]
    # The township moves him to clinic B.
    r = push(world, town, "town", [mutation(1, rid, {"org_id": world.orgs["clinic_b"]},
                                            hlc=world.hlc("dev-town"))])
    assert r.status_code == 200, r.text
    page = pull_all(world, a, since=cursor_a)
    assert page["departed"] == [["resident", rid]] and "resident" not in page["tables"]
    assert page["next_since"] > cursor_a
    # Clinic B receives him; the township sees him and is told of no departure.
    assert [row[0] for row in pull_all(world, b)["tables"]["resident"]["rows"]] == [rid]
    assert pull_all(world, town, since=cursor_a)["departed"] == []
    # A schema-1 client (one version behind) gets pages without the new field.
    old = pull_all(world, {**a, "X-FamilyDoc-Schema": str(int(SCHEMA["X-FamilyDoc-Schema"]) - 1)},
                   since=cursor_a)
    assert "departed" not in old
    # Moved back: clinic A pulls the record again, and the old departure is not repeated.
    r = push(world, town, "town", [mutation(2, rid, {"org_id": world.orgs["clinic_a"]},
                                            hlc=world.hlc("dev-town", counter=1))])
    assert r.status_code == 200, r.text
    again = pull_all(world, a, since=cursor_a)
    assert again["departed"] == []
    assert [row[0] for row in again["tables"]["resident"]["rows"]] == [rid]
    assert pull_all(world, b, since=page["next_since"])["departed"] == [["resident", rid]]


def test_health_pushes_are_scoped_like_every_record(populated):
    """A push record (health_push) of clinic A's resident: accepted from clinic A with its
    group's batch id, pulled by the township, never by clinic B; clinic A cannot write one
    into clinic B."""
    world, ids = populated
    a = world.login("doc_a")
    push_id, batch = new_id(), new_id()
    data = {"id": push_id, "org_id": world.orgs["clinic_a"], "resident_id": ids["clinic_a"],
            "on_date": "2026-05-01", "channel": "wechat", "topic": "冬季防跌倒",
            "batch_id": batch, "created_at": "2026-05-01T03:04:05+00:00",
            "updated_at": "2026-05-01T03:04:05+00:00", "deleted": False}
    ok = push(world, a, "doc_a", [mutation(2, push_id, data, op="insert", table="health_push",
                                           hlc=world.hlc("dev-doc_a", counter=1))])
    assert ok.status_code == 200, ok.text
    other = {**data, "id": new_id(), "org_id": world.orgs["clinic_b"],
             "resident_id": ids["clinic_b"]}
    refused = push(world, a, "doc_a", [mutation(3, other["id"], other, op="insert",
                                                table="health_push",
                                                hlc=world.hlc("dev-doc_a", counter=2))])
    assert refused.status_code == 403 and refused.json()["detail"] == FORBIDDEN["detail"]
    (seen,) = rows_of(pull_all(world, world.login("town")), "health_push")
    assert (seen["id"], seen["topic"], seen["channel"], seen["batch_id"]) == (
        push_id, "冬季防跌倒", "wechat", batch)
    assert rows_of(pull_all(world, world.login("doc_b")), "health_push") == []
