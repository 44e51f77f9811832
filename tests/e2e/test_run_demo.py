"""`scripts/run-demo.sh` makes a sync server and a PC that belong together (issue 13): the PC
is a new one that logged in to the demo server and pulled its township, so logging in again
asks nothing and the PC holds exactly the server's residents. Runs the script's data part
(FAMILYDOC_DEMO_NO_APP=1) with the project's own executables, without setup or the window."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from familydoc_desktop.store.database import open_database
from tests.sync.sync_live import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_demo_server_and_pc_belong_together(tmp_path):
    data = tmp_path / "demo-data"
    env = {**os.environ, "FAMILYDOC_DEMO_DIR": str(data), "FAMILYDOC_DEMO_RESIDENTS": "150",
           "FAMILYDOC_DEMO_PORT": str(free_port()), "FAMILYDOC_DEMO_NO_APP": "1",
           "FAMILYDOC_SKIP_SETUP": "1", "FAMILYDOC_BIN": str(BIN),
           "FAMILYDOC_TEST_TOKEN_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "keyring-home")}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "run-demo.sh")], env=env,
                          capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "本机的数据属于" not in done.stdout + done.stderr  # the scope question never came

    engine = create_engine(f"sqlite:///{data / 'server.db'}")
    with engine.connect() as conn:
        on_server = conn.execute(text(
            "SELECT count(*) FROM record WHERE table_name = 'resident' AND NOT deleted")).scalar_one()
    engine.dispose()
    db = open_database(data)
    with db.session() as s:
        on_pc = s.execute(text("SELECT count(*) FROM resident WHERE deleted = 0")).scalar_one()
    db.close()
    assert on_server == 150 and on_pc == on_server

    # Started again on the same folder, the PC is kept; logging in again asks nothing.
    server = subprocess.Popen([str(BIN / "familydoc-server"), "--database-url",
                               f"sqlite:///{data / 'server.db'}", "serve", "--host", "127.0.0.1",
                               "--port", env["FAMILYDOC_DEMO_PORT"]], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{env['FAMILYDOC_DEMO_PORT']}"
        login = None
        for _ in range(60):
            login = subprocess.run(
                [str(BIN / "familydoc"), "--data-dir", str(data), "login", "--server", url,
                 "--username", "demo", "--password-stdin"], input="demo12345\n", env=env,
                capture_output=True, text=True, timeout=60)
            if "连接" not in login.stderr:  # the server is up (not a refused connection)
                break
            time.sleep(0.5)
        assert login.returncode == 0, login.stdout + login.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
    status = subprocess.run([str(BIN / "familydoc"), "--data-dir", str(data), "sync-status"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert "已登录 demo" in status.stdout, status.stdout + status.stderr
