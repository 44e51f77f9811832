"""Field-level merge: one-sided edits merge, both-sided review fields wait for a person,
other both-sided fields go to the later clock with the losing value kept."""
from __future__ import annotations

import pytest

from tests.server.server_helpers import mutation, pull_all, push, resident, rows_of


@pytest.fixture
def shared(world):
    """A resident created by doc_a (seq 1), known to doc_a2 as well."""
    a1, a2 = world.login("doc_a"), world.login("doc_a2")
    rid, data = resident(world.orgs["clinic_a"], name="王五", phone="13800000001")
    push(world, a1, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    return world, a1, a2, rid


def _row(world, headers, rid):
    [row] = [r for r in rows_of(pull_all(world, headers), "resident") if r["id"] == rid]
    return row


def test_one_sided_edits_of_different_fields_merge_silently(shared):
    world, a1, a2, rid = shared
    r2 = push(world, a2, "doc_a2", [mutation(1, rid, {"phone": "13900000002"}, base_seq=1,
                                             hlc=world.hlc("dev-doc_a2"))]).json()
    r1 = push(world, a1, "doc_a", [mutation(2, rid, {"note": "行动不便"}, base_seq=1,
                                            hlc=world.hlc("dev-doc_a", counter=1))]).json()
    assert r2["results"][0]["status"] == "applied" and r1["results"][0]["status"] == "applied"
    assert r1["results"][0]["seq"] == 3
    row = _row(world, a1, rid)
    assert row["phone"] == "13900000002" and row["note"] == "行动不便"
    assert world.client.get("/api/v1/sync/conflicts", headers=a1).json() == []


def test_both_sided_review_field_opens_a_conflict_and_keeps_the_server_value(shared):
    world, a1, a2, rid = shared
    push(world, a2, "doc_a2", [mutation(1, rid, {"name": "王武"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"name": "汪五"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a", ahead_ms=5000))]).json()
    res = r["results"][0]
    assert res["status"] == "conflict" and len(res["conflicts"]) == 1
    assert _row(world, a1, rid)["name"] == "王武"  # the later clock does NOT win here
    [c] = world.client.get("/api/v1/sync/conflicts?status=open", headers=a2).json()
    assert c["id"] == res["conflicts"][0] and c["field"] == "name" and c["status"] == "open"
    assert (c["local_value"], c["server_value"]) == ("汪五", "王武")
    assert (c["local_author"], c["server_author"]) == ("doc_a", "doc_a2")
    assert c["record_id"] == rid and c["org_id"] == world.orgs["clinic_a"]
    # Every device in scope pulls it too.
    assert [x["id"] for x in pull_all(world, a2)["conflicts"]] == [c["id"]]


def test_same_value_on_both_sides_is_no_conflict(shared):
    world, a1, a2, rid = shared
    push(world, a2, "doc_a2", [mutation(1, rid, {"name": "王武"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"name": "王武"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=3))]).json()
    assert r["results"][0]["status"] == "applied" and r["results"][0]["conflicts"] == []


def test_low_risk_both_sided_field_goes_to_later_clock_and_keeps_the_loser(shared):
    world, a1, a2, rid = shared
    push(world, a2, "doc_a2", [mutation(1, rid, {"phone": "13900000002"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2", ahead_ms=10_000))])
    # doc_a edited earlier (older clock) but pushes later: the server value stays.
    r = push(world, a1, "doc_a", [mutation(2, rid, {"phone": "13700000003"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a"))]).json()
    res = r["results"][0]
    assert res["status"] == "merged"
    assert _row(world, a1, rid)["phone"] == "13900000002"
    [c] = world.client.get("/api/v1/sync/conflicts?status=auto", headers=a1).json()
    assert c["local_value"] == "13700000003" and c["server_value"] == "13900000002"
    assert c["resolution"] == "server"

    # A later clock from the other side wins, and the overwritten value is kept.
    r = push(world, a1, "doc_a", [mutation(3, rid, {"phone": "13600000004"}, base_seq=2,
                                           hlc=world.hlc("dev-doc_a", ahead_ms=20_000))]).json()
    assert r["results"][0]["status"] == "applied"  # base 2 saw doc_a2's edit: one-sided
    r = push(world, a2, "doc_a2", [mutation(2, rid, {"phone": "13500000005"}, base_seq=2,
                                            hlc=world.hlc("dev-doc_a2", ahead_ms=30_000))]).json()
    assert r["results"][0]["status"] == "merged"
    assert _row(world, a1, rid)["phone"] == "13500000005"
    autos = world.client.get("/api/v1/sync/conflicts?status=auto", headers=a1).json()
    assert autos[-1]["server_value"] == "13600000004" and autos[-1]["resolution"] == "local"


def test_delete_racing_an_edit_becomes_a_conflict_not_a_delete(shared):
    world, a1, a2, rid = shared
    push(world, a2, "doc_a2", [mutation(1, rid, {"phone": "13900000002"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"deleted": True}, op="delete", base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=2))]).json()
    res = r["results"][0]
    assert res["status"] == "conflict"
    assert _row(world, a1, rid)["deleted"] is False
    [c] = world.client.get("/api/v1/sync/conflicts?status=open", headers=a1).json()
    assert c["field"] == "__deleted__" and c["local_value"] is True
    assert c["server_value"] == {"phone": "13900000002"}


def test_edit_racing_a_delete_becomes_a_conflict(shared):
    world, a1, a2, rid = shared
    push(world, a2, "doc_a2", [mutation(1, rid, {"deleted": True}, op="delete", base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"note": "已随访"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=2))]).json()
    assert r["results"][0]["status"] == "conflict"
    [c] = world.client.get("/api/v1/sync/conflicts?status=open", headers=a1).json()
    assert c["field"] == "__deleted__" and c["local_value"] == {"note": "已随访"}
    # Keeping the local side revives the record with the edit.
    ok = world.client.post(f"/api/v1/sync/conflicts/{c['id']}/resolve", headers=a1,
                           json={"keep": "local"})
    assert ok.status_code == 200
    row = _row(world, a1, rid)
    assert row["deleted"] is False and row["note"] == "已随访"


def test_delete_after_seeing_every_change_is_a_tombstone(shared):
    world, a1, a2, rid = shared
    push(world, a2, "doc_a2", [mutation(1, rid, {"phone": "13900000002"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"deleted": True}, op="delete", base_seq=2,
                                           hlc=world.hlc("dev-doc_a", counter=2))]).json()
    assert r["results"][0]["status"] == "applied"
    assert _row(world, a1, rid)["deleted"] is True


def _review_conflict(world, a1, a2, rid):
    push(world, a2, "doc_a2", [mutation(1, rid, {"name": "王武"}, base_seq=1,
                                        hlc=world.hlc("dev-doc_a2"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"name": "汪五"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=1))]).json()
    return r["results"][0]["conflicts"][0]


def test_resolve_keep_local_applies_the_value_with_a_new_seq(shared):
    world, a1, a2, rid = shared
    cid = _review_conflict(world, a1, a2, rid)
    before = pull_all(world, a2)
    seq_before = _row(world, a2, rid)["server_seq"]
    r = world.client.post(f"/api/v1/sync/conflicts/{cid}/resolve", headers=a2,
                          json={"keep": "local"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "resolved" and body["resolution"] == "local"
    row = _row(world, a2, rid)
    assert row["name"] == "汪五" and row["server_seq"] > seq_before
    after = pull_all(world, a2, since=before["next_since"])
    assert [c["id"] for c in after["conflicts"]] == [cid]
    assert after["conflicts"][0]["status"] == "resolved"
    again = world.client.post(f"/api/v1/sync/conflicts/{cid}/resolve", headers=a2,
                              json={"keep": "server"})
    assert again.status_code == 409


def test_resolve_keep_server_leaves_the_record_and_moves_the_conflict(shared):
    world, a1, a2, rid = shared
    cid = _review_conflict(world, a1, a2, rid)
    seq_before = _row(world, a1, rid)["server_seq"]
    before = pull_all(world, a1)["next_since"]
    r = world.client.post(f"/api/v1/sync/conflicts/{cid}/resolve", headers=a1,
                          json={"keep": "server"})
    assert r.status_code == 200 and r.json()["resolution"] == "server"
    assert r.json()["seq"] > before
    row = _row(world, a1, rid)
    assert row["name"] == "王武" and row["server_seq"] == seq_before
    assert world.client.get("/api/v1/sync/conflicts?status=open", headers=a1).json() == []
