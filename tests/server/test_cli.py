"""familydoc-server commands: init, org add, user add, device list/revoke, demo, serve."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from familydoc_desktop import SCHEMA_VERSION
from sync_server.cli import main
from sync_server.core.db import make_engine
from sync_server.services.pull import pull
from sync_server.services.accounts import Principal


def run(capsys, url, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--database-url", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_org_and_user_setup_with_chinese_errors(server_url, capsys, monkeypatch):
    assert run(capsys, server_url, "init")[0] == 0
    assert run(capsys, server_url, "org", "add", "--code", "420000000000", "--name", "某县",
               "--level", "county")[0] == 0
    code, out, _ = run(capsys, server_url, "org", "add", "--code", "420100000000", "--name",
                       "某镇卫生院", "--level", "township", "--parent", "420000000000", "--json")
    assert code == 0 and json.loads(out)["level"] == "township"

    code, _, err = run(capsys, server_url, "org", "add", "--code", "4201", "--name", "x",
                       "--level", "clinic")
    assert code == 1 and "12位数字" in err
    code, _, err = run(capsys, server_url, "org", "add", "--code", "420101000001", "--name", "x",
                       "--level", "clinic", "--parent", "999999999999")
    assert code == 1 and "上级机构不存在" in err
    code, _, err = run(capsys, server_url, "org", "add", "--code", "420101000001", "--name", "x",
                       "--level", "county", "--parent", "420100000000")
    assert code == 1 and "低于上级机构" in err

    code, _, err = run(capsys, server_url, "user", "add", "--username", "zhang", "--org",
                       "420100000000", "--role", "township_staff", "--password-stdin",
                       stdin="short\n", monkeypatch=monkeypatch)
    assert code == 1 and "至少8个字符" in err
    code, _, err = run(capsys, server_url, "user", "add", "--username", "zhang", "--org",
                       "420100000000", "--role", "village_doctor", "--password-stdin",
                       stdin="long-enough\n", monkeypatch=monkeypatch)
    assert code == 1 and "不能属于" in err
    code, out, _ = run(capsys, server_url, "user", "add", "--username", "zhang", "--org",
                       "420100000000", "--role", "township_staff", "--password-stdin",
                       stdin="long-enough\n", monkeypatch=monkeypatch)
    assert code == 0 and "zhang" in out
    code, _, err = run(capsys, server_url, "user", "add", "--username", "zhang", "--org",
                       "420100000000", "--role", "township_staff", "--password-stdin",
                       stdin="long-enough\n", monkeypatch=monkeypatch)
    assert code == 1 and "已存在" in err


def test_usage_errors_are_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["org", "add", "--code", "420000000000", "--name", "某县", "--level", "village"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "无效的选项 'village'" in err and "用法：familydoc-server" in err
    assert "invalid choice" not in err


def test_device_list_and_revoke(world, server_url, capsys):
    headers = world.login("doc_a")
    code, out, _ = run(capsys, server_url, "device", "list", "--json")
    [device] = json.loads(out)
    assert code == 0 and device["id"] == "dev-doc_a" and device["username"] == "doc_a"
    code, out, _ = run(capsys, server_url, "device", "revoke", "dev-doc_a")
    assert code == 0 and "已停用" in out
    assert world.client.get("/api/v1/orgs", headers=headers).status_code == 401
    code, _, err = run(capsys, server_url, "device", "revoke", "no-such-device")
    assert code == 1 and "设备不存在" in err


def test_user_disable_enable_passwd_and_list(world, server_url, capsys, monkeypatch):
    from tests.server.server_helpers import PASSWORD, SCHEMA

    def login(password=PASSWORD):  # noqa: ANN001, ANN202
        return world.client.post("/api/v1/auth/login", headers=SCHEMA, json={
            "username": "doc_a", "password": password, "device_id": "dev-doc_a"})

    headers = world.login("doc_a")
    code, out, _ = run(capsys, server_url, "user", "list", "--json")
    users = {u["username"]: u for u in json.loads(out)}
    assert code == 0 and users["doc_a"]["active"] and users["doc_a"]["role"] == "village_doctor"

    code, out, _ = run(capsys, server_url, "user", "disable", "doc_a")
    assert code == 0 and "已停用" in out
    assert world.client.get("/api/v1/orgs", headers=headers).status_code == 401  # session ended
    assert login().status_code == 401  # and no new one
    code, out, _ = run(capsys, server_url, "user", "list")
    assert "doc_a" in out and "已停用" in out

    assert run(capsys, server_url, "user", "enable", "doc_a")[0] == 0
    assert login().status_code == 200

    code, _, err = run(capsys, server_url, "user", "passwd", "doc_a", "--password-stdin",
                       stdin="short\n", monkeypatch=monkeypatch)
    assert code == 1 and "至少8个字符" in err
    headers = world.login("doc_a")
    code, out, _ = run(capsys, server_url, "user", "passwd", "doc_a", "--password-stdin",
                       stdin="a-new-password\n", monkeypatch=monkeypatch)
    assert code == 0 and "新密码" in out
    assert world.client.get("/api/v1/orgs", headers=headers).status_code == 401
    assert login().status_code == 401 and login("a-new-password").status_code == 200

    code, _, err = run(capsys, server_url, "user", "disable", "nobody")
    assert code == 1 and "用户不存在" in err


def test_demo_loads_clinics_and_records_that_pull_in_scope(world, server_url, capsys):
    code, out, _ = run(capsys, server_url, "demo", "--township", "420100000000",
                       "--residents", "300", "--seed", "3", "--clinics", "3", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["clinics"] == 3 and stats["tables"]["resident"] == 300
    assert stats["records"] == sum(stats["tables"].values())
    engine = make_engine(server_url)
    town = Principal("x", "town", "township_staff", world.orgs["township"], "d", "h")
    page = pull(engine, town, since=0, limit=20000)
    assert len(page["tables"]["resident"]["rows"]) == 300 and not page["more"]
    assert sum(len(t["rows"]) for t in page["tables"].values()) == stats["records"]
    if engine.dialect.name == "postgresql":
        # Planner statistics exist straight after the bulk load (pull pages follow seq).
        with engine.connect() as conn:
            analyzed = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'record' "
                "AND schemaname = current_schema()").scalar()
        assert analyzed > 0
    engine.dispose()
    # Record ids come from the seed: loading it twice is refused in Chinese, not a crash.
    code, _, err = run(capsys, server_url, "demo", "--township", "420100000000",
                       "--residents", "300", "--seed", "3", "--clinics", "3")
    assert code == 1 and "换一个 --seed" in err
    code, _, err = run(capsys, server_url, "demo", "--township", "999999999999",
                       "--residents", "10", "--seed", "1")
    assert code == 1 and "乡镇机构不存在" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_migrates_and_answers(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "--database-url", url,
                             "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(proc.stderr.read().decode() if proc.poll() is not None else "timeout")
                time.sleep(0.2)
        assert r.json()["schema_version"] == SCHEMA_VERSION
        r = requests.post(f"http://127.0.0.1:{port}/api/v1/auth/login",
                          headers={"X-FamilyDoc-Schema": str(SCHEMA_VERSION)},
                          json={"username": "nobody", "password": "whatever1", "device_id": "d"})
        assert r.status_code == 401  # tables exist: serve migrated the new database
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_lock_outs_show_in_user_list_and_unlock_ends_them(world, server_url, capsys):
    from tests.server.server_helpers import PASSWORD, SCHEMA

    def login(password):  # noqa: ANN001, ANN202
        return world.client.post("/api/v1/auth/login", headers=SCHEMA, json={
            "username": "doc_a", "password": password, "device_id": "dev-doc_a"})

    while login("wrong-password").status_code != 429:
        pass
    assert login(PASSWORD).status_code == 429
    code, out, _ = run(capsys, server_url, "user", "list")
    assert code == 0 and "登录已锁定至" in next(l for l in out.splitlines() if "doc_a" in l)
    code, out, _ = run(capsys, server_url, "log", "--event", "login_failed", "--json")
    failed = json.loads(out)
    assert failed and {e["username"] for e in failed} == {"doc_a"}
    assert all("wrong-password" not in json.dumps(e) for e in failed)  # never a password
    code, out, _ = run(capsys, server_url, "user", "unlock", "doc_a")
    assert code == 0 and "已解除" in out
    assert login(PASSWORD).status_code == 200
    code, out, _ = run(capsys, server_url, "user", "list")
    assert "登录已锁定" not in out


def test_a_revoked_device_can_be_enabled_and_log_in_again(world, server_url, capsys):
    from tests.server.server_helpers import PASSWORD, SCHEMA

    old = world.login("doc_a")
    assert run(capsys, server_url, "device", "revoke", "dev-doc_a")[0] == 0
    body = {"username": "doc_a", "password": PASSWORD, "device_id": "dev-doc_a"}
    assert world.client.post("/api/v1/auth/login", headers=SCHEMA, json=body).status_code == 403
    code, out, _ = run(capsys, server_url, "device", "enable", "dev-doc_a")
    assert code == 0 and "需重新登录" in out
    assert world.client.get("/api/v1/orgs", headers=old).status_code == 401  # old token stays dead
    assert world.client.post("/api/v1/auth/login", headers=SCHEMA, json=body).status_code == 200
    code, out, _ = run(capsys, server_url, "log", "--limit", "3")
    assert "device_enabled" in out
    code, _, err = run(capsys, server_url, "device", "enable", "no-such-device")
    assert code == 1 and "设备不存在" in err
