"""Push and pull between devices: create, retry, clock clamping, paging, digest, tombstones."""
from __future__ import annotations

from familydoc_desktop.domain.models.base import new_id
from familydoc_desktop.sync.protocol import digest_of
from tests.server.server_helpers import (
    household, mutation, pull_all, push, resident, rows_of, visit,
)

HOUR_MS = 3_600_000


def test_insert_on_one_device_is_pulled_by_another_device_of_the_clinic(world):
    a1, a2 = world.login("doc_a"), world.login("doc_a2")
    rid, data = resident(world.orgs["clinic_a"], name="李四", birth_date="1940-05-06")
    r = push(world, a1, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "applied" and result["seq"] == 1
    assert r.json()["last_mutation_id"] == 1

    page = pull_all(world, a2)
    [row] = rows_of(page, "resident")
    assert row["id"] == rid and row["server_seq"] == 1 and row["name"] == "李四"
    assert row["birth_date"] == "1940-05-06" and row["deleted"] is False
    assert row["org_id"] == world.orgs["clinic_a"]
    columns = page["tables"]["resident"]["columns"]
    assert columns[:2] == ["id", "server_seq"] and "initials" not in columns
    assert page["next_since"] == 1 and page["more"] is False
    assert pull_all(world, a2, since=1)["tables"] == {}


def test_retried_push_is_applied_once(world):
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    batch = [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a")),
             mutation(2, rid, {"phone": "13900000000"}, base_seq=1, hlc=world.hlc("dev-doc_a", counter=1))]
    first = push(world, a, "doc_a", batch).json()
    again = push(world, a, "doc_a", batch).json()
    assert [x["status"] for x in first["results"]] == ["applied", "applied"]
    assert [x["status"] for x in again["results"]] == ["duplicate", "duplicate"]
    assert again["results"][1]["seq"] == first["results"][1]["seq"] == 2
    assert again["last_mutation_id"] == 2
    page = pull_all(world, a)
    assert page["next_since"] == 2 and len(rows_of(page, "resident")) == 1
    # A retry mixed with new mutations: only the new ones apply.
    mixed = batch + [mutation(3, rid, {"note": "复诊"}, base_seq=2,
                              hlc=world.hlc("dev-doc_a", counter=2))]
    statuses = [x["status"] for x in push(world, a, "doc_a", mixed).json()["results"]]
    assert statuses == ["duplicate", "duplicate", "applied"]


def test_timestamp_a_day_ahead_is_clamped_and_counted(world):
    # Up to 48 h ahead an edit is taken, its clock pulled back (a year ahead is refused:
    # test_clock_rules.py).
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    far = world.hlc("dev-doc_a", ahead_ms=30 * HOUR_MS)
    r = push(world, a, "doc_a", [mutation(1, rid, data, op="insert", hlc=far)]).json()
    assert r["clamped"] == 1
    [row] = rows_of(pull_all(world, a), "resident")
    stamped = int(row["hlc"].split("-")[0])
    assert stamped <= r["server_time_ms"] + 5 * 60_000 + 1000
    assert stamped < int(far.split("-")[0]) - 29 * HOUR_MS
    ok = push(world, a, "doc_a", [mutation(2, rid, {"note": "x"}, base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=5))]).json()
    assert ok["clamped"] == 0


def test_pull_pages_resume_from_the_cursor_without_gaps(world):
    a = world.login("doc_a")
    ids = []
    muts = []
    for i in range(25):
        rid, data = resident(world.orgs["clinic_a"], name=f"居民{i}")
        ids.append(rid)
        muts.append(mutation(i + 1, rid, data, op="insert", hlc=world.hlc("dev-doc_a", counter=i)))
    push(world, a, "doc_a", muts)
    seen, since, pages = [], 0, 0
    while True:
        page = pull_all(world, a, since=since, limit=10)
        seen += [row["id"] for row in rows_of(page, "resident")]
        since, pages = page["next_since"], pages + 1
        if not page["more"]:
            break
    assert seen == ids and pages == 3 and since == 25


def test_tombstone_travels_and_update_gets_new_seq(world):
    a1, a2 = world.login("doc_a"), world.login("doc_a2")
    rid, data = resident(world.orgs["clinic_a"])
    push(world, a1, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    r = push(world, a1, "doc_a", [mutation(2, rid, {"deleted": True}, op="delete", base_seq=1,
                                           hlc=world.hlc("dev-doc_a", counter=1))]).json()
    assert r["results"][0] == {"mutation_id": 2, "status": "applied", "seq": 2, "conflicts": []}
    [row] = rows_of(pull_all(world, a2), "resident")
    assert row["deleted"] is True and row["server_seq"] == 2


def test_digest_matches_pairs_in_scope(world):
    a, b = world.login("doc_a"), world.login("doc_b")
    mine = []
    for i in range(3):
        rid, data = resident(world.orgs["clinic_a"])
        r = push(world, a, "doc_a", [mutation(i + 1, rid, data, op="insert",
                                              hlc=world.hlc("dev-doc_a", counter=i))]).json()
        mine.append((rid, r["results"][0]["seq"]))
    rid, data = resident(world.orgs["clinic_b"])
    push(world, b, "doc_b", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_b"))])
    body = world.client.get("/api/v1/sync/digest", headers=a).json()
    count, digest = digest_of(mine)
    assert body["tables"]["resident"] == {"count": count, "digest": digest}
    assert body["tables"]["household"]["count"] == 0
    assert body["max_seq"] == 3


def test_table_repair_pull_returns_one_table_from_zero(world):
    a = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"])
    hid = new_id()
    push(world, a, "doc_a", [
        mutation(1, hid, household(world.orgs["clinic_a"]),
                 op="insert", table="household", hlc=world.hlc("dev-doc_a")),
        mutation(2, rid, data, op="insert", hlc=world.hlc("dev-doc_a", counter=1))])
    page = pull_all(world, a, since=0, table="household")
    assert list(page["tables"]) == ["household"] and page["next_since"] == 1


def test_large_pull_is_gzip_compressed(world):
    a = world.login("doc_a")
    muts = []
    for i in range(40):
        rid, data = resident(world.orgs["clinic_a"], name=f"居民{i}")
        muts.append(mutation(i + 1, rid, data, op="insert", hlc=world.hlc("dev-doc_a", counter=i)))
    push(world, a, "doc_a", muts)
    r = world.client.get("/api/v1/sync/pull", headers={**a, "Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert len(rows_of(r.json(), "resident")) == 40


def test_append_only_edits_apply_by_clock_and_never_conflict(world):
    a1, a2 = world.login("doc_a"), world.login("doc_a2")
    vid = new_id()
    changes = visit(world.orgs["clinic_a"], sbp=150, dbp=95)
    push(world, a1, "doc_a", [mutation(1, vid, changes, op="insert", table="followup_visit",
                                       hlc=world.hlc("dev-doc_a"))])
    late = world.hlc("dev-doc_a2", ahead_ms=1000)
    early = world.hlc("dev-doc_a", ahead_ms=-60_000)
    r2 = push(world, a2, "doc_a2", [mutation(1, vid, {"sbp": 160}, table="followup_visit",
                                             base_seq=None, hlc=late)]).json()
    r1 = push(world, a1, "doc_a", [mutation(2, vid, {"sbp": 140}, table="followup_visit",
                                            base_seq=1, hlc=early)]).json()
    assert r2["results"][0]["status"] == "applied" and r1["results"][0]["status"] == "applied"
    assert r1["results"][0]["conflicts"] == [] and r2["results"][0]["conflicts"] == []
    [row] = rows_of(pull_all(world, a1), "followup_visit")
    assert row["sbp"] == 160  # the later clock, not the later arrival
