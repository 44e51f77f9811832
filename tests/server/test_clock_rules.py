"""Clock rules on the server: a push stamped more than 48 h ahead of the server's time is
refused naming every such mutation (`clock_ahead`), a malformed HLC is a 422 naming its
mutation, and a conflict resolved from a PC whose device id is a UUID is never a 500."""
from __future__ import annotations

import uuid

import pytest

from tests.server.server_helpers import mutation, pull_all, push, resident, rows_of


def test_conflict_resolved_from_a_uuid_device_is_not_a_500(world):
    a_dev, a2_dev = str(uuid.uuid4()), str(uuid.uuid4())
    world.devices.update(doc_a=a_dev, doc_a2=a2_dev)
    a1, a2 = world.login("doc_a"), world.login("doc_a2")
    node_a, node_a2 = a_dev.replace("-", "")[-12:], a2_dev.replace("-", "")[-12:]
    rid, data = resident(world.orgs["clinic_a"], name="王五")
    push(world, a1, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc(node_a))])
    push(world, a2, "doc_a2", [mutation(1, rid, {"name": "王武"}, base_seq=1,
                                        hlc=world.hlc(node_a2))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"name": "汪五"}, base_seq=1,
                                           hlc=world.hlc(node_a, counter=1))]).json()
    [cid] = r["results"][0]["conflicts"]
    resp = world.client.post(f"/api/v1/sync/conflicts/{cid}/resolve", headers=a1,
                             json={"keep": "local"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "resolved"


HOUR_MS = 3_600_000
YEAR_MS = 365 * 24 * HOUR_MS


@pytest.mark.parametrize("stamp", [
    "yesterday", "1735787045000-0000-", "+735787045000-0000-dev", "1735787045000-00000-dev",
    "１７３５７８７０４５０００-0000-dev",  # full-width digits: int() would read them
    "1735787045000-0000-dev doc", "9999999999999-0000-dev-doc_a",  # year 2286
    "1735787045000-0000-" + "n" * 22,  # longer than an hlc column holds (position named)
])
def test_malformed_or_out_of_range_hlc_is_a_422_naming_the_mutation(world, stamp):
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    r = push(world, a, "doc_a", [mutation(4, rid, data, op="insert", hlc=stamp)])
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    if len(stamp) > 40:  # refused while reading the request: named by its position
        assert "mutations.0.hlc" in detail
    else:
        assert "mutation_id=4" in detail and "hlc" in detail and "混合逻辑时钟" in detail


def test_base_hlc_is_parsed_as_strictly(world):
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    m = mutation(2, rid, {"note": "x"}, base_seq=1, hlc=world.hlc("dev-doc_a"))
    m["base_hlc"] = "0001735787045000-0000-x"
    r = push(world, a, "doc_a", [m])
    assert r.status_code == 422 and "mutation_id=2" in r.json()["detail"]
    assert "base_hlc" in r.json()["detail"]


def test_edits_more_than_48h_ahead_are_refused_naming_each_and_nothing_applies(world):
    a = world.login("doc_a")
    ids = [resident(world.orgs["clinic_a"]) for _ in range(4)]
    muts = [mutation(1, *ids[0], op="insert", hlc=world.hlc("dev-doc_a")),
            mutation(2, *ids[1], op="insert", hlc=world.hlc("dev-doc_a", ahead_ms=YEAR_MS)),
            mutation(3, *ids[2], op="insert", hlc=world.hlc("dev-doc_a", ahead_ms=47 * HOUR_MS)),
            mutation(4, *ids[3], op="insert",
                     hlc=world.hlc("dev-doc_a", ahead_ms=49 * HOUR_MS))]
    r = push(world, a, "doc_a", muts)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "clock_ahead" and body["mutation_ids"] == [2, 4]
    assert "本机时钟超前" in body["detail"] and "2、4" in body["detail"]
    assert pull_all(world, a)["tables"] == {}  # all or nothing: the good ones wait too
    # Without the refused ones the rest goes through, 47 h ahead clamped as before.
    ok = push(world, a, "doc_a", [muts[0], muts[2]])
    assert ok.status_code == 200, ok.text
    assert ok.json()["clamped"] == 1 and ok.json()["last_mutation_id"] == 3
    assert {row["id"] for row in rows_of(pull_all(world, a), "resident")} == {
        ids[0][0], ids[2][0]}


def test_a_retry_of_an_applied_mutation_is_not_judged_again(world):
    # Applied once (its clock then within bounds of a server whose clock was behind):
    # sent again it is a duplicate, never a reason to refuse the new edits beside it.
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    assert push(world, a, "doc_a", [mutation(1, rid, data, op="insert",
                                             hlc=world.hlc("dev-doc_a"))]).status_code == 200
    far = mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a", ahead_ms=YEAR_MS))
    new = mutation(2, rid, {"note": "复诊"}, base_seq=1, hlc=world.hlc("dev-doc_a", counter=1))
    r = push(world, a, "doc_a", [far, new])
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["duplicate", "applied"]
