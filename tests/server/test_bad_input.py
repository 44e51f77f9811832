"""Bad input gets a clear 4xx with a Chinese message, applies nothing, and never a 500."""
from __future__ import annotations

import json

import pytest

from familydoc_desktop.domain.models.base import new_id
from tests.server.server_helpers import (
    SCHEMA, mutation, pull_all, push, resident, rows_of, visit,
)


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
    changes = visit(world.orgs["clinic_a"], sbp=True)
    r = push(world, h, "doc_a", [mutation(1, vid, changes, op="insert", table="followup_visit",
                                          hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422 and "字段 sbp 应为整数" in r.json()["detail"]
    changes.update(sbp=140, weight=60)
    r = push(world, h, "doc_a", [mutation(1, vid, changes, op="insert", table="followup_visit",
                                          hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200


@pytest.mark.parametrize("field, raw, words", [
    ("sbp", b"99999999999999999999999", "字段 sbp 应为整数"),  # beyond 64 bits
    ("weight", b"1e999", "字段 weight 应为数字"),  # parses as infinity
    ("weight", b"NaN", "字段 weight 应为数字"),
])
def test_numbers_the_database_cannot_hold_are_422(doc, field, raw, words):
    world, h = doc
    changes = visit(world.orgs["clinic_a"], **{field: 0})
    body = {"device_id": "dev-doc_a", "client_time_ms": 0, "mutations": [
        mutation(1, new_id(), changes, op="insert", table="followup_visit",
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


# --- inserts must be complete (QA: {org_id, name, sex} was applied, every pull then crashed) --

def test_insert_missing_required_columns_is_422_naming_them(doc):
    world, h = doc
    rid = new_id()
    r = push(world, h, "doc_a", [mutation(1, rid, {"org_id": world.orgs["clinic_a"],
                                                   "name": "张三", "sex": "male"},
                                          op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422
    assert r.json() == {"detail": "变更 mutation_id=1：新增记录缺少必填字段 "
                                  "created_at、updated_at、needs_id_match、registered"}
    assert pull_all(world, h)["tables"] == {}
    # hlc and deleted are written by the server itself: a complete row needs neither.
    _, data = resident(world.orgs["clinic_a"], record_id=rid)
    del data["deleted"]
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200
    [row] = rows_of(pull_all(world, h), "resident")
    assert row["deleted"] is False and row["hlc"] and row["created_at"]


def test_update_that_would_create_an_incomplete_record_is_422(doc):
    world, h = doc
    r = push(world, h, "doc_a", [mutation(1, new_id(), {"org_id": world.orgs["clinic_a"],
                                                        "note": "x"},
                                          hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422
    assert r.json()["detail"].startswith("变更 mutation_id=1：服务器上没有该记录")
    assert "created_at、updated_at、name、sex" in r.json()["detail"]
    r = push(world, h, "doc_a", [mutation(1, new_id(), {"org_id": world.orgs["clinic_a"],
                                                        "deleted": True},
                                          op="delete", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422
    assert pull_all(world, h)["tables"] == {}


def test_desktop_inserts_always_carry_every_required_column():
    """What the desktop's change capture (and its set-based twin used by the importer and the
    ledger) sends for an insert: every wire column, so none is ever missing."""
    from familydoc_desktop.domain.models import SYNCED_TABLES
    from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS, LOCAL_COLUMNS
    from familydoc_desktop.store.bulk import _template
    from familydoc_desktop.store.changes import record_fields
    from sync_server.services.push import missing_required

    for table, model in SYNCED_TABLES.items():
        assert missing_required(table, record_fields(model())) == [], table
        skip = LOCAL_COLUMNS | DERIVED_COLUMNS.get(table, frozenset())
        bulk = {k for k in {**_template(table), "id": 1, "created_at": 1, "updated_at": 1,
                            "hlc": 1} if k not in skip}
        assert missing_required(table, dict.fromkeys(bulk)) == [], table


# --- integers the database cannot hold (QA: 2**63 gave a plain-text 500) ----------------------

BIG = 2 ** 63


@pytest.mark.parametrize("where, value", [
    ("mutation_id", BIG), ("mutation_id", 10 ** 20), ("base_seq", BIG),
    ("base_seq", -BIG - 1), ("client_time_ms", BIG), ("client_time_ms", -(10 ** 30)),
])
def test_push_integers_beyond_64_bits_are_422(doc, where, value):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"])
    m = mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))
    body = {"device_id": "dev-doc_a", "client_time_ms": 0, "mutations": [m]}
    if where == "client_time_ms":
        body["client_time_ms"] = value
    else:
        m[where] = value
    r = world.client.post("/api/v1/sync/push", headers=h, json=body)
    assert r.status_code == 422, r.text
    field = where if where == "client_time_ms" else f"mutations.0.{where}"
    words = "数值过大" if value > 0 else "数值过小"
    assert r.json() == {"detail": f"请求格式错误：{field}：{words}"}
    assert pull_all(world, h)["tables"] == {}


def test_largest_64_bit_integers_still_work(doc):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"])
    r = world.client.post("/api/v1/sync/push", headers=h, json={
        "device_id": "dev-doc_a", "client_time_ms": BIG - 1, "mutations": [
            mutation(BIG - 1, rid, data, op="insert", base_seq=BIG - 1,
                     hlc=world.hlc("dev-doc_a"))]})
    assert r.status_code == 200 and r.json()["last_mutation_id"] == BIG - 1
    assert pull_all(world, h, since=BIG - 1)["tables"] == {}
    assert len(rows_of(pull_all(world, h, limit=BIG - 1), "resident")) == 1  # served as 20000


@pytest.mark.parametrize("query, words", [
    (f"since={BIG}", "since：数值过大"), ("since=100000000000000000000", "since：数值过大"),
    (f"limit={BIG}", "limit：数值过大"), ("since=" + "9" * 5000, "since："),
])
def test_pull_integers_beyond_64_bits_are_422(doc, query, words):
    world, h = doc
    r = world.client.get(f"/api/v1/sync/pull?{query}", headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("请求格式错误：" + words)
    assert "Input" not in r.json()["detail"]


def test_login_client_time_beyond_64_bits_is_422(world):
    r = world.client.post("/api/v1/auth/login", headers=SCHEMA, json={
        "username": "doc_a", "password": "secret-pass-1", "device_id": "d", "client_time_ms": BIG})
    assert r.status_code == 422 and r.json() == {"detail": "请求格式错误：client_time_ms：数值过大"}


# --- Chinese for every parse failure (QA: English from Starlette and pydantic) ----------------

@pytest.mark.parametrize("content", [
    b'{"device_id": "\xff\xfe", "client_time_ms": 0, "mutations": []}',  # not UTF-8
    b"[" * 100_000 + b"]" * 100_000,  # nesting deeper than json.loads recurses
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
])
def test_unreadable_bodies_are_chinese_422(doc, content):
    world, h = doc
    for path in ("/api/v1/sync/push", "/api/v1/auth/login"):
        r = world.client.post(path, content=content,
                              headers={**h, "Content-Type": "application/json"})
        assert r.status_code == 422 and r.json() == {"detail": "请求体不是有效的 JSON"}, r.text


def test_nan_and_infinity_for_an_integer_are_chinese(doc):
    world, h = doc
    for raw in (b"NaN", b"Infinity", b"-Infinity"):
        r = _push_raw(world, h, b'{"device_id": "dev-doc_a", "client_time_ms": ' + raw
                      + b', "mutations": []}')
        assert r.status_code == 422
        assert r.json() == {"detail": "请求格式错误：client_time_ms：应为有限的数字"}


def test_unknown_pydantic_error_types_never_show_english():
    from fastapi.exceptions import RequestValidationError

    from sync_server.app import _validation_detail

    exc = RequestValidationError([{"type": "some_new_type", "loc": ("body", "x"),
                                   "msg": "Input should be something", "input": 1}])
    assert _validation_detail(exc) == "请求格式错误：x：格式错误"


# --- the server clock on every response (QA: the 413 had no X-FamilyDoc-Server-Time-Ms) -------

def test_every_response_carries_the_server_time(doc):
    world, h = doc

    def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    responses = [
        _push_raw(world, h, b"x" * (1024 * 1024 + 10)),  # 413 by Content-Length
        world.client.post("/api/v1/sync/push", content=chunks(),  # 413 while reading
                          headers={**h, "Content-Type": "application/json"}),
        world.client.post("/api/v1/sync/push", content=b"{}",
                          headers={**h, "Content-Length": "abc",
                                   "Content-Type": "application/json"}),
        _push_raw(world, h, b"\xff"),  # 422
        world.client.get("/api/v1/nowhere", headers=SCHEMA),  # 404
        world.client.get("/api/v1/orgs", headers=SCHEMA),  # 401
        world.client.get("/api/v1/orgs"),  # 426
        world.client.get("/api/v1/health"),
        world.client.get("/api/v1/sync/pull", headers={**h, "Accept-Encoding": "gzip"}),
    ]
    assert [r.status_code for r in responses][:2] == [413, 413]
    for r in responses:
        assert int(r.headers["x-familydoc-server-time-ms"]) > 0, (r.status_code, r.headers)


# --- dates and datetimes in the wire format only (QA: "2020-W01-1" was stored as is) ---------

@pytest.mark.parametrize("value", [
    "2020-W01-1", "2020-001", "20200101", "2020-1-01", "２０２０-01-01", "2020-02-30",
    "2020-01-01T00:00:00", " 2020-01-01", "2020-01-01\n",
])
def test_dates_other_than_yyyy_mm_dd_are_422(doc, value):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"], birth_date=value)
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "变更 mutation_id=1：字段 birth_date 应为 YYYY-MM-DD 格式的日期"
    assert pull_all(world, h)["tables"] == {}


@pytest.mark.parametrize("value", [
    "2025-01-02", "2025-01-02 03:04:05", "2025-01-02T03", "2025-01-02T03:04",
    "2025-W01-1T00:00:00", "20250102T030405", "2025-01-02T03:04:05+0000",
    "2025-01-02T03:04:05.1234567", "2025-01-02T03:04:05+00", "2025-01-02t03:04:05",
    "2025-13-02T03:04:05", "2025-01-02T03:04:05\n", "２０２５-01-02T03:04:05",
])
def test_datetimes_other_than_the_wire_format_are_422(doc, value):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"], created_at=value)
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422, r.text
    assert "字段 created_at 应为 ISO 8601 格式的日期时间" in r.json()["detail"]


@pytest.mark.parametrize("value", [
    "2025-01-02T03:04:05", "2025-01-02T03:04:05Z", "2025-01-02T03:04:05+00:00",
    "2025-01-02T03:04:05.123456+08:00", "2025-01-02T03:04:05.5-05:30",
    "2025-01-02T03:04:05.123456",
])
def test_wire_datetimes_are_accepted_and_stored_as_sent(doc, value):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"], created_at=value, birth_date="2020-02-29")
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200, r.text
    [row] = rows_of(pull_all(world, h), "resident")
    assert row["created_at"] == value and row["birth_date"] == "2020-02-29"


def test_a_server_bug_is_a_chinese_json_500_with_the_server_time(doc, monkeypatch):
    from fastapi.testclient import TestClient

    from sync_server.services import digest

    world, h = doc

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(digest, "digest", broken)
    with TestClient(world.client.app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/sync/digest", headers=h)
    assert r.status_code == 500
    assert r.json() == {"detail": "服务器内部错误，请稍后再试或联系管理员"}
    assert int(r.headers["x-familydoc-server-time-ms"]) > 0


@pytest.mark.parametrize("change, words", [
    # Year 0 in UTC, year 10000 in UTC: no PC can compute with them (issue 14).
    ({"created_at": "0001-01-01T00:00:00+00:01"}, "字段 created_at 年份超出"),
    ({"created_at": "9999-12-31T23:59:59-23:59"}, "字段 created_at 年份超出"),
    ({"created_at": "2201-01-01T00:00:00"}, "字段 created_at 年份超出"),
    ({"birth_date": "0001-01-01"}, "字段 birth_date 年份超出"),
    ({"birth_date": "9999-12-31"}, "字段 birth_date 年份超出"),
    ({"name": "张\x07三"}, "字段 name 含有控制字符"),
    ({"name": "张\x00三"}, "字段 name 含有空字符"),
    ({"name": "张\x85三"}, "字段 name 含有控制字符"),
])
def test_values_no_pc_could_hold_are_422_naming_the_field(doc, change, words):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"])
    data.update(change)
    r = push(world, h, "doc_a", [mutation(3, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422, r.text
    assert "mutation_id=3" in r.json()["detail"] and words in r.json()["detail"]
    assert pull_all(world, h)["tables"] == {}


def test_a_lone_surrogate_in_a_pushed_value_is_4xx_not_500(doc):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"])
    data["name"] = "NAME_PLACEHOLDER"
    body = json.dumps({"device_id": "dev-doc_a", "mutations": [
        mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))]})
    body = body.replace("NAME_PLACEHOLDER", "\\ud800")
    r = _push_raw(world, h, body.encode())
    assert 400 <= r.status_code < 500, r.text
    assert pull_all(world, h)["tables"] == {}


def test_multi_line_notes_and_ordinary_chinese_are_still_accepted(doc):
    world, h = doc
    rid, data = resident(world.orgs["clinic_a"], created_at="1800-01-01T00:00:00+08:00")
    data["address"] = "一组\t12号\r\n东头"
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 422 and "年份超出" in r.json()["detail"]  # 1799 in UTC
    data["created_at"] = "2025-01-02T03:04:05+08:00"
    r = push(world, h, "doc_a", [mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))])
    assert r.status_code == 200, r.text
