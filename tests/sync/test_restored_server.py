"""A sync server restored from an older backup (issue 11), against a real server on SQLite
and on PostgreSQL: back up, sync more from two PCs, restore, sync again. Both PCs and the
server end with every change, nobody's pending work is lost and nothing doubles."""
from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, faults, outbox, resync, session
from familydoc_desktop.sync.engine import local_digests
from sync_server.cli import main as server_cli
from sync_server.core import security
from sync_server.core.db import make_engine
from tests.sync.sync_live import PASSWORD, LiveServer, light_argon2

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class UrlServer(LiveServer):
    url_override: str | None = None

    @property
    def database_url(self) -> str:
        return self.url_override or super().database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path, memory_keyring):
    original = security._hasher
    light_argon2()
    srv = UrlServer(tmp_path / "server.db")
    admin = name = None
    if request.param == "postgresql":
        name = f"familydoc_restore_{secrets.token_hex(4)}"
        try:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception:  # noqa: BLE001
            pytest.skip("PostgreSQL not reachable")
        srv.url_override = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    srv.setup_world()
    srv.start()
    yield srv
    srv.stop()
    security._hasher = original
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pcs(tmp_path, server):
    dbs = []
    for name in ("doc_a1", "doc_a2"):
        (tmp_path / name).mkdir()
        db = Database(tmp_path / name / "familydoc.db")
        session.login(db, server.url, name, PASSWORD)
        dbs.append(db)
    yield dbs
    for db in dbs:
        db.close()


def sync(db: Database):  # noqa: ANN201
    return session.make_engine(db, reconcile=True).run()


def cli(server: LiveServer, *argv: str) -> None:
    assert server_cli(["--database-url", server.database_url, *argv]) == 0


def add(db: Database, org: str, name: str, **fields) -> str:  # noqa: ANN003
    with db.session() as s:
        r = Resident(org_id=org, name=name, sex="female", **fields)
        s.add(r)
        s.flush()
        return r.id


def edit(db: Database, rid: str, **fields) -> None:  # noqa: ANN003
    with db.session() as s:
        r = s.get(Resident, rid)
        for k, v in fields.items():
            setattr(r, k, v)


FIELDS = ("name", "phone", "address", "deleted")


def residents(db: Database) -> dict[str, tuple]:
    with db.session(capture=False) as s:
        return {r.id: tuple(getattr(r, f) for f in FIELDS) for r in s.exec(select(Resident))}


def on_server(server: LiveServer) -> dict[str, tuple]:
    engine = make_engine(server.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, data FROM record WHERE table_name = 'resident'"))
        out = {rid: tuple(json.loads(data).get(f) for f in FIELDS) for rid, data in rows}
    engine.dispose()
    return {k: v[:3] + (bool(v[3]),) for k, v in out.items()}


def restore(server: LiveServer, backup) -> None:  # noqa: ANN001
    server.stop()
    cli(server, "restore", str(backup))
    server.start()


def test_restored_server_resyncs_both_pcs_without_losing_a_change(server, pcs, tmp_path):
    a, b = pcs
    home = server.clinic()
    r1 = add(a, home, "赵一", phone="13800000001")
    r2 = add(b, home, "钱二", phone="13800000002")
    for db in (a, b, a):
        sync(db)
    backup = tmp_path / ("before" + (".db" if "sqlite" in server.database_url else ".dump"))
    cli(server, "backup", "--output", str(backup))

    # After the backup, both PCs go on: new records, edits, an edit of the other's new record.
    r3 = add(a, home, "孙三", phone="13800000003")
    edit(a, r1, phone="13900000001")
    r4 = add(b, home, "李四")
    edit(b, r2, address="东村2组")
    sync(a), sync(b)
    edit(b, r3, address="东村3组")  # b saw a's new record, then edited it
    sync(b), sync(a)
    assert outbox.pending_count(a.session(capture=False).__enter__()) == 0
    cursor_before = int(apply.get_state(a, apply.CURSOR_KEY))
    # Work not yet uploaded when IT restores.
    r5 = add(a, home, "周五")
    edit(b, r1, address="东村1组")

    restore(server, backup)
    assert set(on_server(server)) == {r1, r2}  # the restored server lost r3, r4 and edits
    engine = make_engine(server.database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() < cursor_before
        reasons = [r for (r,) in conn.execute(text("SELECT reason FROM server_epoch ORDER BY id"))]
    engine.dispose()
    assert reasons == ["created", "restore"]

    first_a = sync(a)
    assert first_a.resynced and first_a.reuploaded == 2 and first_a.pushed == 3
    assert any("已从备份恢复" in w for w in first_a.warnings)
    first_b = sync(b)
    assert first_b.resynced
    for db in (a, b, a, b):
        report = sync(db)
        assert not report.resynced and report.pending == 0
    assert report.reconciled_tables == []

    want = {
        r1: ("赵一", "13900000001", "东村1组", False),
        r2: ("钱二", "13800000002", "东村2组", False),
        r3: ("孙三", "13800000003", "东村3组", False),
        r4: ("李四", None, None, False),
        r5: ("周五", None, None, False),
    }
    assert on_server(server) == want
    assert residents(a) == want and residents(b) == want
    for db in (a, b):
        assert resync.marker(db) is None
        assert local_digests(db)["resident"][0] == 5
        with db.session(capture=False) as s:
            assert s.connection().execute(text(
                "SELECT count(*) FROM sync_conflict WHERE status = 'open'")).scalar_one() == 0


def test_resync_interrupted_mid_pull_resumes(server, pcs, tmp_path, monkeypatch):
    """Killed in the middle of the full pull: the next round goes on (marker kept), nothing
    goes up twice. Also: entries no longer kept (RETAIN_MAX 0) go up as whole rows."""
    a, b = pcs
    home = server.clinic()
    r1 = add(a, home, "吴六")
    sync(a)
    backup = tmp_path / ("b" + (".db" if "sqlite" in server.database_url else ".dump"))
    cli(server, "backup", "--output", str(backup))
    monkeypatch.setattr(outbox, "RETAIN_MAX", 0)  # nothing kept: rows are the fallback
    r2 = add(a, home, "郑七")
    edit(a, r1, phone="13700000007")
    for i in range(30):
        add(b, home, f"王{i}")
    sync(a), sync(b), sync(a)
    restore(server, backup)

    class Killed(Exception):
        pass

    calls = {"n": 0}

    def point(name: str) -> None:
        if name == "after_page_applied":
            calls["n"] += 1
            if calls["n"] == 1:
                raise Killed

    monkeypatch.setattr(faults, "point", point)
    engine = session.make_engine(a, reconcile=True, page_limit=5, first_page_limit=5)
    with pytest.raises(Killed):
        engine.run()
    assert resync.marker(a) is not None
    monkeypatch.setattr(faults, "point", lambda name: None)
    again = sync(a)
    assert again.resynced and resync.marker(a) is None
    sync(b), sync(a), sync(b)
    server_rows = on_server(server)
    assert server_rows[r1][1] == "13700000007" and r2 in server_rows
    assert len(server_rows) == 32
    assert residents(a) == residents(b) == server_rows


def test_login_made_after_the_backup_logs_in_again_and_loses_nothing(server, tmp_path):
    """A doctor whose PC first logged in after the backup: the restored server knows neither
    the token nor the device. Sync says in Chinese to log in again (nothing is lost meanwhile:
    an edit made then stays queued); after the login the PC resyncs and uploads again every
    record the server lost, under the same ids, nothing doubled."""
    from familydoc_desktop.sync.http import AuthExpired

    backup = tmp_path / ("b" + (".db" if "sqlite" in server.database_url else ".dump"))
    cli(server, "backup", "--output", str(backup))
    (tmp_path / "late").mkdir()
    late = Database(tmp_path / "late" / "familydoc.db")
    try:
        session.login(late, server.url, "doc_a3", PASSWORD)
        home = server.clinic()
        r1, r2 = add(late, home, "冯八"), add(late, home, "陈九")
        sync(late)
        assert set(on_server(server)) == {r1, r2}
        restore(server, backup)
        assert on_server(server) == {}

        r3 = add(late, home, "褚十")  # work goes on while the PC cannot sync
        with pytest.raises(AuthExpired) as expired:
            sync(late)
        assert "登录" in str(expired.value)
        with late.session(capture=False) as s:
            assert outbox.pending_count(s) == 1

        session.login(late, server.url, "doc_a3", PASSWORD)
        report = sync(late)
        assert report.resynced
        assert set(on_server(server)) == {r1, r2, r3}
        assert residents(late) == on_server(server)
        assert not sync(late).resynced  # in step again
    finally:
        late.close()
