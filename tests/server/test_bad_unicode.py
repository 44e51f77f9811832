"""NUL bytes and lone surrogates anywhere a client can put text (login username, device id and
name, the HLC of a mutation, a conflict id in the path) are a Chinese 4xx on SQLite and
PostgreSQL, never a 500, and nothing personal reaches the server log (issue 14)."""
from __future__ import annotations

import json
import logging

import pytest

from tests.server.server_helpers import SCHEMA, PASSWORD, mutation, resident

BAD = ["\x00", "\ud800"]
NAME, ID_NUMBER, PHONE = "隐私姓名甲", "110105194912310021", "13912345678"


def _raw(world, path: str, body: dict, headers: dict | None = None,
         placeholder: str = "@@BAD@@", bad: str = "\x00"):
    """POST `body` with `placeholder` replaced by the JSON escape of `bad` (a lone surrogate
    cannot be encoded by an ordinary JSON client)."""
    text = json.dumps(body, ensure_ascii=False).replace(placeholder, json.dumps(bad)[1:-1])
    return world.client.post(path, content=text.encode("utf-8"),
                             headers={**(headers or SCHEMA), "Content-Type": "application/json"})


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _clean_log(logs) -> None:
    text = "\n".join(r.getMessage() + (str(r.exc_info) if r.exc_info else "")
                     for r in logs.records)
    text += logs.text
    for secret in (NAME, ID_NUMBER, PHONE, PASSWORD):
        assert secret not in text
    assert not any(r.levelno >= logging.ERROR for r in logs.records), text


def _is_4xx(r) -> None:
    assert 400 <= r.status_code < 500, r.text
    assert any("\u4e00" <= c <= "\u9fff" for c in r.json()["detail"]), r.text


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("where", ["username", "password", "device_id", "device_name"])
def test_login_fields(world, logs, where, bad):
    body = {"username": "doc_a", "password": PASSWORD, "device_id": "dev-x",
            "device_name": "电脑"}
    body[where] = f"a@@BAD@@b"
    r = _raw(world, "/api/v1/auth/login", body, bad=bad)
    _is_4xx(r)
    _clean_log(logs)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("where", ["device_id", "hlc", "record_id", "table"])
def test_push_fields(world, logs, where, bad):
    h = world.login("doc_a")
    rid, data = resident(world.orgs["clinic_a"], name=NAME, id_number=ID_NUMBER, phone=PHONE)
    m = mutation(1, rid, data, op="insert", hlc=world.hlc("dev-doc_a"))
    body = {"device_id": "dev-doc_a", "client_time_ms": 1, "mutations": [m]}
    if where == "device_id":
        body["device_id"] = "dev-doc_a@@BAD@@"
    else:
        m[where] = m[where] + "@@BAD@@"
    r = _raw(world, "/api/v1/sync/push", body, h, bad=bad)
    _is_4xx(r)
    _clean_log(logs)


@pytest.mark.parametrize("bad", ["%00", "%ED%A0%80", "%1B"])
def test_conflict_and_device_ids_in_the_path(world, logs, bad):
    h = world.login("doc_a")
    r = world.client.post(f"/api/v1/sync/conflicts/x{bad}y/resolve", headers=h,
                          json={"keep": "server"})
    _is_4xx(r)
    r = world.client.post(f"/api/v1/admin/devices/x{bad}y/revoke", headers=world.login("it"))
    _is_4xx(r)
    _clean_log(logs)


@pytest.mark.parametrize("bad", ["%00", "%ED%A0%80"])
def test_pull_table_and_conflict_status(world, logs, bad):
    h = world.login("doc_a")
    r = world.client.get(f"/api/v1/sync/pull?since=0&table=resident{bad}", headers=h)
    _is_4xx(r)
    r = world.client.get(f"/api/v1/sync/conflicts?status=open{bad}", headers=h)
    _is_4xx(r)
    _clean_log(logs)
