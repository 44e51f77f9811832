"""The sync screen's USB actions (issue 15): write this PC's changes to a file, the server
imports it and writes the answer, read it back: the changes are confirmed; a foreign file is
refused with the Chinese message on the screen."""
from __future__ import annotations

import json

import keyring
import pytest

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.sync import session
from sync_server.cli import main as server_main
from tests.sync.sync_live import PASSWORD, LiveServer, MemoryKeyring, light_argon2
from tests.ui.conftest import wait_tasks


@pytest.fixture
def server(tmp_path):
    from sync_server.core import security
    previous_ring, original_hasher = keyring.get_keyring(), security._hasher
    keyring.set_keyring(MemoryKeyring())
    light_argon2()
    live = LiveServer(tmp_path / "server.db")
    live.setup_world()
    live.start()
    yield live
    live.stop()
    security._hasher = original_hasher
    keyring.set_keyring(previous_ring)


def test_usb_round_trip_from_the_sync_screen(window, qtbot, server, tmp_path, capsys):
    ctx = window.ctx
    session.login(ctx.db, server.url, "doc_a1", PASSWORD)  # once, with a line
    ctx.reset_identity()
    with ctx.session() as s:
        s.add(Resident(org_id=server.clinic(), name="张三", sex="male"))
    screen = window.show_screen("sync")
    wait_tasks(qtbot, ctx)
    up = tmp_path / "up.fdbundle"
    screen.export_usb(str(up))
    wait_tasks(qtbot, ctx)
    assert up.is_file() and "已把 1 条修改写入" in screen.usb_label.text()

    url = ["--database-url", server.database_url]
    assert server_main([*url, "bundle", "import", str(up)]) == 0
    down = tmp_path / "down.fdbundle"
    assert server_main([*url, "bundle", "export", "--device", ctx.db.device_id,
                        "--output", str(down), "--json"]) == 0
    capsys.readouterr()
    screen.import_usb(str(down))
    wait_tasks(qtbot, ctx)
    assert "确认上传 1 条修改，仍有 0 条未同步" in screen.usb_label.text()
    assert window.sync.status.pending == 0

    foreign = tmp_path / "foreign.fdbundle"
    env = json.loads(down.read_text())
    env["device_id"] = "someone-else"
    foreign.write_text(json.dumps(env))
    screen.import_usb(str(foreign))
    wait_tasks(qtbot, ctx)
    assert "已被改动或损坏" in screen.usb_label.text()
