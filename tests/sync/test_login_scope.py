"""`familydoc login` with an account of another organisation than this PC's data refuses,
in Chinese, unless --force; nothing is stored and nothing pulled."""
from __future__ import annotations

import io

from sqlmodel import select

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import Organisation
from familydoc_desktop.store.database import open_database
from familydoc_desktop.store.settings import get_setting
from familydoc_desktop.sync import credentials
from tests.sync.sync_live import PASSWORD


def login(capsys, monkeypatch, data, url, user, *extra):  # noqa: ANN001, ANN002, ANN201
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["--data-dir", data, "login", "--server", url, "--username", user,
                 "--password-stdin", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def state(data):  # noqa: ANN001, ANN201
    db = open_database(data)
    try:
        with db.session(capture=False) as s:
            return get_setting(s, "username"), sorted(o.code for o in s.exec(select(Organisation)))
    finally:
        db.close()


def test_cli_refuses_another_organisation_unless_forced(tmp_path, capsys, monkeypatch,
                                                        live_server):
    data = str(tmp_path / "pc")
    code, _out, err = login(capsys, monkeypatch, data, live_server.url, "doc_a1")
    assert code == 0, err
    before = state(data)
    db = open_database(data)  # the PC's database came from elsewhere: a new device id
    db.renew_device_id()
    db.close()

    code, out, err = login(capsys, monkeypatch, data, live_server.url, "town")
    assert code != 0 and out == ""
    assert "东村卫生室" in err and "城关镇" in err and "--force" in err and "未登录" in err
    assert state(data) == before
    assert credentials.load_token(live_server.url, "town") is None

    # The refusal left the PC a new device id: the clinic's account signs in, no question.
    code, out, err = login(capsys, monkeypatch, data, live_server.url, "doc_a2")
    assert code == 0, err

    db = open_database(data)
    db.renew_device_id()
    db.close()
    code, out, err = login(capsys, monkeypatch, data, live_server.url, "town", "--force")
    assert code == 0, err
    assert state(data)[0] == "town" and len(state(data)[1]) > len(before[1])
