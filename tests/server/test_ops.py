"""familydoc-server org list, backup/restore (SQLite backup API, PostgreSQL pg_dump), the
backup before a migration, and serve's refusal of several workers on SQLite."""
from __future__ import annotations

import json

from sqlalchemy import text

from sync_server.cli import main
from sync_server.core.db import make_engine, migrate


def run(capsys, url, *argv):
    code = main(["--database-url", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _org_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM org")).scalar_one()
    engine.dispose()
    return n


def test_org_list_backup_and_restore(world, server_url, capsys, tmp_path):
    code, out, _ = run(capsys, server_url, "org", "list", "--json")
    orgs = {o["code"]: o for o in json.loads(out)}
    assert code == 0 and len(orgs) == 6
    assert orgs["420101000001"]["parent"] == "420100000000" and orgs["420101000001"]["users"] == 2
    code, out, _ = run(capsys, server_url, "org", "list")
    assert code == 0 and "420201000001" in out
    suffix = ".db" if server_url.startswith("sqlite") else ".dump"
    dump = tmp_path / f"b{suffix}"
    assert run(capsys, server_url, "backup", "--output", str(dump))[0] == 0
    assert dump.stat().st_size > 0
    world.engine.dispose()
    assert run(capsys, server_url, "org", "add", "--code", "420300000000", "--name", "新镇",
               "--level", "township", "--parent", "420000000000")[0] == 0
    assert _org_count(server_url) == 7
    code, out, _ = run(capsys, server_url, "restore", str(dump))
    assert code == 0, out
    assert _org_count(server_url) == 6  # the org added after the backup is gone
    if not server_url.startswith("sqlite"):  # statistics and visibility map made again
        engine = make_engine(server_url)
        with engine.connect() as conn:
            vacuumed = conn.execute(text(
                "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
                " FROM pg_stat_user_tables WHERE relname = 'record'")).scalar_one()
        engine.dispose()
        assert vacuumed


def test_restore_refuses_a_file_that_is_not_a_server_backup(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert run(capsys, url, "init")[0] == 0
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    code, _, err = run(capsys, url, "restore", str(junk))
    assert code == 1 and "不是有效的服务器备份文件" in err and "Traceback" not in err


def test_serve_refuses_several_workers_on_sqlite(tmp_path, capsys):
    code, _, err = run(capsys, f"sqlite:///{tmp_path / 's.db'}", "serve", "--workers", "2")
    assert code == 1 and "SQLite 数据库只能由一个工作进程使用" in err


def test_a_migration_of_an_existing_database_is_preceded_by_a_backup(tmp_path):
    from alembic import command
    from alembic.config import Config
    from pathlib import Path

    import sync_server.core.db as db

    url = f"sqlite:///{tmp_path / 'server.db'}"
    engine = make_engine(url)
    assert migrate(engine) is None  # a new database: nothing to back up
    config = Config()
    config.set_main_option("script_location",
                           str(Path(db.__file__).resolve().parent.parent / "migrations"))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "-1")
        conn.commit()
    saved = migrate(engine)
    engine.dispose()
    assert saved is not None and saved.parent == tmp_path / "backups" and saved.stat().st_size


def test_log_file_has_requests_but_no_token_password_or_query(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time

    import pytest
    import requests

    from familydoc_desktop import SCHEMA_VERSION

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'served.db'}"
    log = tmp_path / "logs" / "server.log"
    assert main(["--database-url", url, "org", "add", "--code", "420000000000", "--name", "县",
                 "--level", "county"]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "--database-url", url,
                             "serve", "--port", str(port), "--log-file", str(log)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ})
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/health", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("server did not start")
                time.sleep(0.2)
        headers = {"X-FamilyDoc-Schema": str(SCHEMA_VERSION),
                   "Authorization": "Bearer tok-SECRET-abc123"}
        requests.post(f"{base}/auth/login", headers=headers, json={
            "username": "nobody", "password": "pw-SECRET-110101199003074514",
            "device_id": "d"}, timeout=5)
        requests.get(f"{base}/sync/pull", headers=headers,
                     params={"since": "0", "q": "13800138000"}, timeout=5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    content = log.read_text(encoding="utf-8")
    assert "/api/v1/sync/pull" in content and "/api/v1/auth/login" in content
    for secret in ("SECRET", "tok-", "110101199003074514", "13800138000", "since="):
        assert secret not in content
