"""GET /sync/digest?version=2 (issue 14): the digest of values, per table and per bucket, on
SQLite and PostgreSQL; the version 1 answer unchanged for older clients; pull by bucket."""
from __future__ import annotations

from sqlalchemy import text

from familydoc_desktop.sync.protocol import (
    bucket_depth, canonical_datetime, canonical_value, content_digest, digest_of,
    wire_row_hash,
)
from tests.server.server_helpers import mutation, pull_all, push, resident, rows_of, visit


def digest(world, headers, **params):  # noqa: ANN001, ANN003, ANN201
    r = world.client.get("/api/v1/sync/digest", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def expected(world, headers, table: str, columns: list[str]) -> dict[str, int]:  # noqa: ANN001
    """id -> wire_row_hash of each pulled row: what a PC holding exactly these rows hashes."""
    return {row["id"]: wire_row_hash(table, columns, row["id"], row["server_seq"], row.get)
            for row in rows_of(pull_all(world, headers, table=table, limit=20000), table)}


def load(world, a) -> list[str]:  # noqa: ANN001
    home = world.orgs["clinic_a"]
    ids, mutations = [], []
    for i in range(300):  # > 256: the resident table gets buckets
        rid, data = resident(home, name=f"欧阳{i}号", phone=None if i % 3 else f"1380000{i:04d}",
                             note="含\"引号\"\\与\t制表" if i == 7 else None,
                             created_at=["2025-01-02T03:04:05+00:00",
                                         "2025-01-02T11:04:05.123456+08:00",
                                         "2025-01-02T03:04:05"][i % 3])
        ids.append(rid)
        mutations.append(mutation(i + 1, rid, data, op="insert",
                                  hlc=world.hlc("dev-doc_a", counter=i)))
    mutations.append(mutation(301, "0190a000-0000-7000-8000-000000000001",
                              visit(home, weight=62, height=170.5, fasting_glucose=None,
                                    adverse_reaction=True),
                              op="insert", table="followup_visit",
                              hlc=world.hlc("dev-doc_a", counter=301)))
    r = push(world, a, "doc_a", mutations)
    assert r.status_code == 200, r.text
    return ids


def test_version_2_is_the_sum_of_each_records_canonical_hash(world):
    a = world.login("doc_a")
    load(world, a)
    body = digest(world, a, version=2)
    assert body["version"] == 2 and body["max_seq"] == 301
    for table in ("resident", "followup_visit"):
        hashes = expected(world, a, table, body["columns"][table])
        assert body["tables"][table] == dict(zip(("count", "digest"),
                                                 content_digest(hashes.values())))
    assert body["tables"]["household"] == {"count": 0, "digest": "0" * 16}
    # Per bucket: the last character of the id (300 residents), summing to the table's.
    one = digest(world, a, version=2, table="resident")
    assert list(one["tables"]) == ["resident"] and one["tables"]["resident"]["depth"] == 1
    hashes = expected(world, a, "resident", one["columns"]["resident"])
    buckets = one["tables"]["resident"]["buckets"]
    for suffix, value in buckets.items():
        assert value == content_digest(h for rid, h in hashes.items()
                                       if rid.endswith(suffix))[1]
    assert sum(len(k) == 1 for k in buckets) == len(buckets) > 8


def test_an_older_client_gets_the_version_1_answer_unchanged(world):
    a = world.login("doc_a")
    ids = load(world, a)
    body = digest(world, a)
    assert set(body) == {"tables", "max_seq", "server_time_ms"}
    rows = {row["id"]: row["server_seq"] for row in rows_of(pull_all(world, a, limit=20000),
                                                            "resident")}
    assert body["tables"]["resident"] == dict(zip(("count", "digest"),
                                                  digest_of(rows.items())))
    assert set(rows) == set(ids)


def test_pull_by_bucket_sends_only_those_records(world):
    a = world.login("doc_a")
    ids = load(world, a)
    page = pull_all(world, a, table="resident", bucket="3,a", limit=20000)
    got = {row["id"] for row in rows_of(page, "resident")}
    assert got == {rid for rid in ids if rid[-1] in "3a"} and got
    for bad in ({"bucket": "3"}, {"table": "resident", "bucket": "3,ab"},
                {"table": "resident", "bucket": "X"}, {"table": "resident", "bucket": ""}):
        r = world.client.get("/api/v1/sync/pull", headers=a, params={"since": 0, **bad})
        assert r.status_code == 422, (bad, r.text)
        assert "分桶" in r.json()["detail"] or "table" in r.json()["detail"]


def test_a_record_without_its_hash_is_hashed_and_kept(world):
    """Records written before migration 0011 have no content_hash: the digest computes it
    (the same answer) and keeps it for the next one."""
    a = world.login("doc_a")
    load(world, a)
    before = digest(world, a, version=2)
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE record SET content_hash = NULL WHERE table_name = 'resident'"))
    assert digest(world, a, version=2)["tables"] == before["tables"]
    with world.engine.connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM record WHERE content_hash IS NULL")).scalar() == 0
    assert digest(world, a, version=2)["tables"] == before["tables"]


def test_a_changed_value_changes_the_digest_and_its_bucket_only(world):
    a = world.login("doc_a")
    ids = load(world, a)
    before = digest(world, a, version=2, table="resident")["tables"]["resident"]["buckets"]
    r = push(world, a, "doc_a", [mutation(400, ids[5], {"phone": "13999999999"}, base_seq=6,
                                          hlc=world.hlc("dev-doc_a", counter=400))])
    assert r.status_code == 200, r.text
    after = digest(world, a, version=2, table="resident")["tables"]["resident"]["buckets"]
    assert [k for k in after if after[k] != before.get(k)] == [ids[5][-1]]


def test_canonical_values_are_what_the_pc_stores():
    assert canonical_datetime("2025-01-02T11:04:05.123456+08:00") == "2025-01-02 03:04:05.123456"
    assert canonical_datetime("2025-01-02T03:04:05") == "2025-01-02 03:04:05.000000"
    assert canonical_datetime("2025-01-02T03:04:05+00:00") == "2025-01-02 03:04:05.000000"
    assert canonical_datetime("2025-01-02T03:04:05.5Z") == "2025-01-02 03:04:05.500000"
    assert canonical_datetime("不是日期") == "不是日期"
    assert (canonical_value("bool", True), canonical_value("bool", False)) == (1, 0)
    assert canonical_value("float", 62) == 62.0 and isinstance(canonical_value("float", 62),
                                                               float)
    assert canonical_value(None, "1950-03-04") == "1950-03-04"
    assert canonical_value("datetime", None) is None
    assert [bucket_depth(n) for n in (0, 256, 257, 4096, 4097, 10 ** 6)] == [0, 0, 1, 1, 2, 2]
