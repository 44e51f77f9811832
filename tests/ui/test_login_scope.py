"""Logging in with an account of another organisation than this PC's data: the app asks in
Chinese before anything is stored or pulled; Cancel leaves the PC exactly as it was."""
from __future__ import annotations

from sqlmodel import select

from tests.ui.conftest import type_text, wait_tasks
from tests.ui.test_sync_ui import server  # noqa: F401 - the live server fixture
from familydoc_desktop.domain.models import Organisation, Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.settings import get_setting
from familydoc_desktop.sync import credentials, session
from familydoc_desktop.ui.screens.login_dialog import LoginDialog
from tests.sync.sync_live import PASSWORD


def _west_resident_on_server(server, tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "west").mkdir()
    west = Database(tmp_path / "west" / "familydoc.db")
    try:
        session.login(west, server.url, "doc_b", PASSWORD)
        with west.session() as s:
            s.add(Resident(org_id=server.clinic("431001100202"), name="西村居民", sex="male"))
        assert session.run_sync(west).pushed == 1
    finally:
        west.close()


def _copied_pc(db) -> None:  # noqa: ANN001
    """This PC's database came from elsewhere (a copy, a restore): a device id the server
    does not know, so it accepts any account for it (a known device is refused another)."""
    db.renew_device_id()


def _sign_in(qtbot, ctx, server, user: str, answer: bool | None):  # noqa: ANN001, ANN202
    login = LoginDialog(ctx)
    qtbot.addWidget(login)
    login.scope_answer = answer
    login.server_edit.setText(server.url)
    login.user_edit.setText(user)
    type_text(qtbot, login.password_edit, PASSWORD)
    login.sign_in()
    wait_tasks(qtbot, ctx)
    return login


def _state(db):  # noqa: ANN001, ANN202
    with db.session(capture=False) as s:
        return (get_setting(s, "username"), get_setting(s, "home_org_id"),
                sorted(o.code for o in s.exec(select(Organisation))),
                sorted(r.name for r in s.exec(select(Resident))))


def test_a_township_account_on_a_village_pc_asks_first(window, qtbot, server, tmp_path):  # noqa: F811
    ctx = window.ctx
    _west_resident_on_server(server, tmp_path)
    first = _sign_in(qtbot, ctx, server, "doc_a1", None)  # a new PC: no question
    assert first.result() == first.DialogCode.Accepted and first.scope_question == ""
    with ctx.session() as s:
        s.add(Resident(org_id=server.clinic(), name="东村居民", sex="female"))
    session.run_sync(ctx.db)
    before = _state(ctx.db)
    _copied_pc(ctx.db)

    # The township's account: asked in Chinese; Cancel changes nothing and pulls nothing.
    refused = _sign_in(qtbot, ctx, server, "town", False)
    assert "东村卫生室" in refused.scope_question and "城关镇" in refused.scope_question
    assert "下载到本机" in refused.scope_question
    assert refused.result() != refused.DialogCode.Accepted
    assert not refused.error.isHidden() and "未登录" in refused.error.text()
    assert _state(ctx.db) == before
    assert credentials.load_token(server.url, "town") is None  # not kept
    window.sync.refresh_status()
    wait_tasks(qtbot, ctx)
    assert window.sync.status.username == "doc_a1"

    # Another clinic's account: asked too.
    other = _sign_in(qtbot, ctx, server, "doc_b", False)
    assert "西村卫生室" in other.scope_question and "无法上传" in other.scope_question
    assert _state(ctx.db) == before

    # Each refusal left the PC a new device id, so the right account can still sign in:
    # another doctor of the same clinic, and no question.
    same = _sign_in(qtbot, ctx, server, "doc_a2", None)
    assert same.result() == same.DialogCode.Accepted and same.scope_question == ""

    # "Sign in anyway": signed in as the township, which sees the west village too.
    _copied_pc(ctx.db)
    anyway = _sign_in(qtbot, ctx, server, "town", True)
    assert anyway.scope_question and anyway.result() == anyway.DialogCode.Accepted
    assert _state(ctx.db)[0] == "town" and "431001100202" in _state(ctx.db)[2]
    # From now on the township's account is this PC's: no question again.
    again = _sign_in(qtbot, ctx, server, "town", None)
    assert again.result() == again.DialogCode.Accepted and again.scope_question == ""


def test_the_question_is_a_real_box_that_defaults_to_cancel(window, qtbot, server,  # noqa: F811
                                                           no_modal_boxes):
    ctx = window.ctx
    _sign_in(qtbot, ctx, server, "doc_a1", None)
    _copied_pc(ctx.db)
    login = _sign_in(qtbot, ctx, server, "town", None)  # the box's default: Cancel
    assert [k for k, _t, text in no_modal_boxes if "城关镇" in text] == ["exec"]
    assert login.result() != login.DialogCode.Accepted
    assert _state(ctx.db)[0] == "doc_a1"
    window.grab()  # the dialog over the window
