"""`familydoc login` with an account of another organisation than this PC's data refuses,
in Chinese, unless --force; nothing is stored and nothing pulled."""
from __future__ import annotations

import io

from sqlalchemy import text
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


def test_wider_login_pulls_the_older_records_of_newly_visible_clinics(tmp_path, live_server):
    """A village PC that had pulled its own clinic, logged in again (forced) with the
    township's account, gets the other clinic's residents made BEFORE that login on its next
    sync, without a digest check; its own pending edit still goes up."""
    from familydoc_desktop.domain.models import Resident
    from familydoc_desktop.store.database import Database
    from familydoc_desktop.sync import session

    def pc(name: str, user: str) -> Database:
        (tmp_path / name).mkdir()
        db = Database(tmp_path / name / "familydoc.db")
        session.login(db, live_server.url, user, PASSWORD)
        return db

    def add(db: Database, org: str, name: str) -> str:
        with db.session() as s:
            r = Resident(org_id=org, name=name, sex="female")
            s.add(r)
            s.flush()
            return r.id

    def names(db: Database) -> set[str]:
        with db.session(capture=False) as s:
            return {r.name for r in s.exec(select(Resident))}

    def sync(db: Database) -> None:
        session.make_engine(db, reconcile=False).run()

    west, east = pc("west", "doc_b"), pc("east", "doc_a1")
    try:
        add(west, live_server.clinic("431001100202"), "西村老住户")
        sync(west)
        add(east, live_server.clinic(), "东村居民")
        sync(east)  # the cursor is now past the west clinic's resident, which it cannot see
        assert names(east) == {"东村居民"}

        mine = add(east, live_server.clinic(), "东村新登记")  # pending across the re-login
        east.renew_device_id()
        session.login(east, live_server.url, "town", PASSWORD, force=True)
        sync(east)
        assert names(east) == {"东村居民", "东村新登记", "西村老住户"}
        from sqlalchemy import create_engine
        engine = create_engine(live_server.database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM record WHERE table_name = "
                                     "'resident' AND id = :i"), {"i": mine}).scalar_one() == 1
        engine.dispose()
        # The township account's own pulls are incremental again: nothing is pulled twice.
        with east.session(capture=False) as s:
            assert s.execute(text("SELECT count(*) FROM resident")).scalar_one() == 3
    finally:
        west.close()
        east.close()
