"""Bad input gets a clear 4xx with a Chinese message, applies nothing, and never a 500."""
from __future__ import annotations

import json

import pytest

from familydoc_desktop.domain.models.base import new_id
from tests.server.server_helpers import SCHEMA, mutation, pull_all, push, resident


@pytest.fixture
def doc(world):
    return world, world.login("doc_a")


def _push_raw(world, headers, content: bytes):
    return world.client.post("/api/v1/sync/push", content=content,
                             headers={**headers, "Content-Type": "application/json"})


def test_truncated_json_is_422(doc):
    world, h = doc
    r = _push_raw(world, h, b'{"device_id": "dev-doc_a", "mutations": [')
    assert r.status_code == 422 and r.json() == {"detail": "请求体不是有效的 JSON"}


def test_wrong_types_are_422_naming_the_field(doc):
    world, h = doc
    r = world.client.post("/api/v1/sync/push", headers=h, json={
        "device_id": "dev-doc_a", "client_time_ms": "soon", "mutations": {}})
    assert r.status_code == 422
    assert "client_time_ms：应为整数" in r.json()["detail"] and "mutations：应为数组" in r.json()["detail"]


def _one(world, h, **overrides):
    rid, data = resident(world.orgs["clinic_a"])
    m = mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))
    m.update(overrides)
    return push(world, h, "doc_a", [m])


@pytest.mark.parametrize("overrides, words", [
    ({"table": "no_such_table"}, "未知的数据表 no_such_table"),
    ({"table": "organisation"}, "未知的数据表 organisation"),
    ({"record_id": "not-a-uuid"}, "record_id 不是有效的 UUID"),
    ({"hlc": "yesterday"}, "hlc 不是有效的混合逻辑时钟"),
    ({"op": "upsert"}, "op：取值无效"),
])
def test_bad_mutation_fields_are_422(doc, overrides, words):
    world, h = doc
    r = _one(world, h, **overrides)
    assert r.status_code == 422 and words in r.json()["detail"], r.text


@pytest.mark.parametrize("change, words", [
    ({"not_a_column": 1}, "字段 not_a_column 不存在或不可同步"),
    ({"server_seq": 5}, "字段 server_seq 不存在或不可同步"),
    ({"initials": "zs"}, "字段 initials 不存在或不可同步"),
    ({"birth_date": "1950/03/04"}, "字段 birth_date 应为 YYYY-MM-DD"),
    ({"birth_date": 19500304}, "字段 birth_date 应为 YYYY-MM-DD"),
    ({"registered": "yes"}, "字段 registered 应为布尔值"),
    ({"name": None}, "字段 name 不能为空"),
    ({"name": 42}, "字段 name 应为文本"),
    ({"phone": "1" * 21}, "字段 phone 超过最大长度20"),
    ({"created_at": "not a time"}, "字段 created_at 应为 ISO 8601"),
    ({"id": "01900000-0000-7000-8000-000000000000"}, "字段 id 与 record_id 不一致"),
])
def test_bad_values_are_422_naming_mutation_and_field(doc, change, words):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"])
    data.update(change)
    r = push(world, h, "doc_a", [mutation(7, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422, r.text
    assert "mutation_id=7" in r.json()["detail"] and words in r.json()["detail"]


def test_int_column_rejects_bool_and_float_column_takes_int(doc):
    world, h = doc
    vid = new_id()
    visit = {"org_id": world.orgs["clinic_a"], "resident_id": new_id(), "kind": "hypertension",
             "visit_date": "2025-03-01", "method": "clinic", "sbp": True}
    r = push(world, h, "doc_a", [mutation(1, vid, visit, op="insert", table="followup_visit",
                                          hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422 and "字段 sbp 应为整数" in r.json()["detail"]
    visit.update(sbp=140, weight=60)
    r = push(world, h, "doc_a", [mutation(1, vid, visit, op="insert", table="followup_visit",
                                          hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200


@pytest.mark.parametrize("field, raw, words", [
    ("sbp", b"99999999999999999999999", "字段 sbp 应为整数"),  # beyond 64 bits
    ("weight", b"1e999", "字段 weight 应为数字"),  # parses as infinity
    ("weight", b"NaN", "字段 weight 应为数字"),
])
def test_numbers_the_database_cannot_hold_are_422(doc, field, raw, words):
    world, h = doc
    visit = {"org_id": world.orgs["clinic_a"], "resident_id": new_id(), "kind": "hypertension",
             "visit_date": "2025-03-01", "method": "clinic", field: 0}
    body = {"device_id": "dev-doc_a", "client_time_ms": 0, "mutations": [
        mutation(1, new_id(), visit, op="insert", table="followup_visit",
                 hlc=world.hlc("dev-doc_a"))]}
    content = json.dumps(body).replace(f'"{field}": 0', f'"{field}": {raw.decode()}').encode()
    assert raw in content
    r = _push_raw(world, h, content)
    assert r.status_code == 422 and words in r.json()["detail"], r.text


def test_insert_without_org_and_delete_without_flag_are_422(doc):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"])
    del data["org_id"]
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422 and "org_id" in r.json()["detail"]
    r = push(world, h, "doc_a", [mutation(1, rid, {"note": "x"}, op="delete",
                                          hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422 and "deleted" in r.json()["detail"]


def test_unsorted_mutation_ids_are_422_and_nothing_is_applied(doc):
    world, h = doc
    first, d1 = resident(world.orgs["clinic_a"])
    second, d2 = resident(world.orgs["clinic_a"])
    r = push(world, h, "doc_a", [
        mutation(2, first, d1, op="insert", hlc=world.hlc("dev-doc_a")),
        mutation(1, second, d2, op="insert", hlc=world.hlc("dev-doc_a", counter=1))])
    assert r.status_code == 422 and "mutation_id=1" in r.json()["detail"]
    assert pull_all(world, h)["tables"] == {}


def test_one_bad_mutation_rejects_the_whole_batch(doc):
    world, h = doc
    good, data = resident(world.orgs["clinic_a"])
    r = push(world, h, "doc_a", [
        mutation(1, good, data, op="insert", hlc=world.hlc("dev-doc_a")),
        mutation(2, good, {"sex": 1}, hlc=world.hlc("dev-doc_a", counter=1))])
    assert r.status_code == 422 and "mutation_id=2" in r.json()["detail"]
    assert pull_all(world, h)["tables"] == {}


def test_huge_body_is_413_before_parsing(doc):
    world, h = doc  # the test app's limit is 1 MiB
    body = b'{"device_id": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = _push_raw(world, h, body)
    assert r.status_code == 413 and "请求数据过大" in r.json()["detail"]

    def chunks():  # no Content-Length: counted while reading
        for _ in range(20):
            yield b"x" * 100_000

    r = world.client.post("/api/v1/sync/push", content=chunks(),
                          headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 413


def test_pull_parameters_are_checked(doc):
    world, h = doc
    assert world.client.get("/api/v1/sync/pull?since=-1", headers=h).status_code == 422
    assert world.client.get("/api/v1/sync/pull?since=abc", headers=h).status_code == 422
    assert world.client.get("/api/v1/sync/pull?limit=0", headers=h).status_code == 422
    r = world.client.get("/api/v1/sync/pull?table=nope", headers=h)
    assert r.status_code == 422 and "未知的数据表" in r.json()["detail"]
    r = world.client.get("/api/v1/sync/conflicts?status=maybe", headers=h)
    assert r.status_code == 422


def test_garbage_never_gives_500(doc):
    world, h = doc
    bodies = [b"", b"null", b"[]", b"123", b'"text"', b"{}", b'{"mutations": null}',
              json.dumps({"device_id": "dev-doc_a", "client_time_ms": 1,
                          "mutations": [{"mutation_id": 1}]}).encode(),
              json.dumps({"device_id": "dev-doc_a", "client_time_ms": 1, "mutations": [
                  {"mutation_id": 1, "table": "resident", "record_id": new_id(), "op": "update",
                   "changes": [], "hlc": "x"}]}).encode(),
              b"\xff\xfe\x00garbage"]
    for body in bodies:
        r = _push_raw(world, h, body)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
        assert isinstance(r.json()["detail"], str)
    for path in ("/api/v1/auth/login", "/api/v1/sync/conflicts/x/resolve"):
        r = world.client.post(path, content=b"{", headers={**h, "Content-Type": "application/json"})
        assert r.status_code == 422
    assert world.client.get("/api/v1/nowhere", headers=SCHEMA).json() == {"detail": "接口不存在"}
