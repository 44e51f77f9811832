"""Sync through the app against a REAL server (uvicorn on 127.0.0.1 in a thread): sign in
from the dialog (token to the keyring), sync with F5, see the status bar, get a conflict
from a second device and resolve it in one click in the review dialog."""
from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import type_text, wait_tasks
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import conflicts, credentials, session
from familydoc_desktop.ui.screens.conflicts_dialog import ConflictsDialog
from familydoc_desktop.ui.screens.login_dialog import LoginDialog
from tests.sync.sync_live import PASSWORD, LiveServer, MemoryKeyring, light_argon2


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


def test_login_sync_and_resolve_a_conflict(window, qtbot, server, tmp_path):
    ctx = window.ctx
    login = LoginDialog(ctx, window)
    qtbot.addWidget(login)
    type_text(qtbot, login.server_edit, server.url)
    type_text(qtbot, login.user_edit, "doc_a1")
    type_text(qtbot, login.password_edit, "wrong-password")
    login.sign_in()
    wait_tasks(qtbot, ctx)
    assert login.error.text() and login.result() != login.DialogCode.Accepted
    login.password_edit.clear()
    type_text(qtbot, login.password_edit, PASSWORD)
    login.sign_in()
    wait_tasks(qtbot, ctx)
    assert login.result() == login.DialogCode.Accepted, login.error.text()
    assert credentials.load_token(server.url, "doc_a1")  # in the keyring, not a file
    window.sync.refresh_status()
    wait_tasks(qtbot, ctx)

    with ctx.session() as s:
        r = Resident(org_id=ctx.org_id, name="张三", sex="male")
        s.add(r)
    ctx.notify("resident")
    wait_tasks(qtbot, ctx)
    assert window.sync.status.pending == 1
    assert "1" in window.sync_status.text.text()

    qtbot.keyClick(window, Qt.Key.Key_F5)  # manual sync
    qtbot.waitUntil(lambda: not window.sync.running and window.sync.last_report is not None,
                    timeout=20000)
    wait_tasks(qtbot, ctx)
    assert window.sync.last_report.pushed == 1
    assert window.sync.status.pending == 0 and window.sync.status.last_sync

    # A second device edits the same name; this PC edits it too before pulling.
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Database(other_dir / "familydoc.db")
    try:
        session.login(other, server.url, "doc_a2", PASSWORD)
        session.make_engine(other).run()
        with other.session() as s:
            s.get(Resident, r.id).name = "张叁"
        session.make_engine(other).run()
    finally:
        other.close()
    with ctx.session() as s:
        s.get(Resident, r.id).name = "章三"
    window.sync.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20000)
    wait_tasks(qtbot, ctx)
    assert window.sync.last_error is None, window.sync.last_error
    assert window.sync.status.open_conflicts == 1
    assert window.sync_status.conflicts_button.isVisibleTo(window)

    dialog = ConflictsDialog(ctx, window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1
    local_value = dialog.model.index(0, 2).data()
    server_value = dialog.model.index(0, 4).data()
    assert (local_value, server_value) == ("章三", "张叁")
    assert "doc_a1" in dialog.model.index(0, 3).data()
    assert "doc_a2" in dialog.model.index(0, 5).data()
    qtbot.mouseClick(dialog.keep_local, Qt.MouseButton.LeftButton)
    wait_tasks(qtbot, ctx)
    assert dialog.model.rowCount() == 0
    assert conflicts.open_count(ctx.db) == 0


def test_sync_starts_by_itself_when_the_server_comes_back(window, qtbot, server):
    ctx = window.ctx
    window.sync.auto_sync = True  # what the app does (the fixture turns it off)
    session.login(ctx.db, server.url, "doc_a1", PASSWORD)
    with ctx.session() as s:
        s.add(Resident(org_id=ctx.org_id, name="李四", sex="female"))
    server.stop()
    window.sync.refresh_status()
    wait_tasks(qtbot, ctx)
    window.sync.probe()  # the QTimer's job, once a minute
    wait_tasks(qtbot, ctx)
    assert window.sync.online is False and window.sync.last_report is None
    server.start()
    window.sync.probe()
    qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=20000)
    wait_tasks(qtbot, ctx)
    assert window.sync.last_report.pushed == 1
    assert window.sync.status.pending == 0
