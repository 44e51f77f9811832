"""A real `familydoc sync` process with ~5,000 pending changes is SIGKILLed at named points
(after a push was sent, mid-page, after a page was applied) and after varied delays, then
restarted until it finishes: nothing lost, nothing duplicated, local == server."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select


from tests.sync.sync_live import PASSWORD, LiveServer, light_argon2  # noqa: E402

from familydoc_desktop.domain.models import Resident  # noqa: E402
from familydoc_desktop.store.database import open_database  # noqa: E402
from familydoc_desktop.sync import outbox  # noqa: E402
from familydoc_desktop.sync.engine import local_digests  # noqa: E402
from sync_server.core import security  # noqa: E402

pytestmark = pytest.mark.slow
N = 5000


@pytest.fixture
def server(tmp_path):
    original = security._hasher
    light_argon2()
    srv = LiveServer(tmp_path / "server.db")
    srv.setup_world()
    srv.start()
    yield srv
    srv.stop()
    security._hasher = original


def cli(env: dict, data_dir: Path, *args: str, stdin: str | None = None,
        crash: str | None = None) -> subprocess.CompletedProcess:
    run_env = dict(env)
    if crash:
        run_env["FAMILYDOC_SYNC_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
                           str(data_dir), *args], input=stdin, capture_output=True, text=True,
                          env=run_env, timeout=240)


def server_count(srv: LiveServer) -> int:
    engine = create_engine(srv.database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM record WHERE table_name = 'resident'")
                         ).scalar_one()
    engine.dispose()
    return n


def test_killed_sync_resumes_without_loss_or_duplicates(tmp_path, server):
    data = tmp_path / "data"
    # The token lives in a (test-only) file keyring OUTSIDE the data directory.
    env = {**os.environ, "FAMILYDOC_TEST_TOKEN_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "keyring-home"), "PYTHONUNBUFFERED": "1"}
    done = cli(env, data, "login", "--server", server.url, "--username", "doc_a1",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr

    db = open_database(data)
    with db.session() as s:
        for i in range(N):
            s.add(Resident(org_id=server.clinic(), name=f"居民{i}", sex="male",
                           phone=f"138{i:08d}"))
    db.close()

    kills = 0
    for crash in ("after_push_sent:2", "after_push_sent:1", "mid_page:1",
                  "after_page_applied:1"):
        done = cli(env, data, "sync", crash=crash)
        assert done.returncode == -signal.SIGKILL, (crash, done.returncode, done.stderr)
        kills += 1
    # More edits, then kills after varied delays wherever the process happens to be.
    db = open_database(data)
    with db.session() as s:
        for r in list(s.exec(select(Resident).order_by(Resident.id).limit(500))):
            r.note = "复诊"
    db.close()
    for delay in (0.4, 0.9, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "familydoc_desktop.cli.main",
                                 "--data-dir", str(data), "sync"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    done = cli(env, data, "sync", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["pending"] == 0 and report["conflicts"] == 0

    assert server_count(server) == N  # nothing duplicated, nothing lost
    db = open_database(data)
    with db.session() as s:
        assert outbox.pending_count(s) == 0
        conn = s.connection()
        assert conn.exec_driver_sql("SELECT count(*) FROM resident").scalar_one() == N
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM resident WHERE server_seq IS NULL").scalar_one() == 0
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM resident WHERE note = '复诊'").scalar_one() == 500
    local = local_digests(db)["resident"]
    db.close()
    status = json.loads(cli(env, data, "sync-status", "--json").stdout)
    assert status["pending"] == 0 and status["last_sync_at"]
    assert local[0] == N
    token_dir = tmp_path / "keyring-home"
    assert any(p.is_file() for p in token_dir.rglob("*"))  # the token went to the keyring
    assert kills == 4
