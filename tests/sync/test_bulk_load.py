"""A first sync into empty tables fills them without their non-unique indexes and builds them
once at the end (store/indexes.py). Whatever happens, the database ends with exactly the
indexes its migrations define: after a whole first sync, after one cut by the line, and
after one whose process was killed (the next open builds them)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import func, select

from familydoc_desktop.domain.models import FollowupVisit, Resident
from familydoc_desktop.store import indexes
from familydoc_desktop.store.database import Database, open_database
from familydoc_desktop.sync import apply, session
from familydoc_desktop.sync.engine import SyncEngine
from familydoc_desktop.sync.http import NETWORK_DOWN, NetworkDown
from tests.sync.sync_live import PASSWORD

PAGE = 10
RESIDENTS = 35


def index_set(db: Database) -> set[tuple[str, str, str | None]]:
    with db.session(capture=False) as s:
        return set(s.connection().exec_driver_sql(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index'").fetchall())


@pytest.fixture
def migrated(tmp_path) -> set:
    (tmp_path / "blank").mkdir()
    db = Database(tmp_path / "blank" / "familydoc.db")
    found = index_set(db)
    db.close()
    assert ("resident", "ix_resident_live_name",
            "CREATE INDEX ix_resident_live_name ON resident (name, id) WHERE deleted = 0") in found
    return found


def fill_server(tmp_path: Path, live_server) -> Database:
    """A clinic PC that registered residents (with visits) and synced them up."""
    home = live_server.clinic()
    (tmp_path / "src").mkdir()
    src = Database(tmp_path / "src" / "familydoc.db")
    session.login(src, live_server.url, "doc_a2", PASSWORD)
    with src.session() as s:
        for i in range(RESIDENTS):
            r = Resident(org_id=home, name=f"居民{i}", sex="male", phone=f"1380000{i:04d}",
                         id_number=f"11010519491231{i:04d}")
            s.add(r)
            s.flush()
            s.add(FollowupVisit(org_id=home, resident_id=r.id, kind="hypertension",
                                visit_date=date(2026, 11, 1 + i % 9), method="clinic"))
    session.make_engine(src, reconcile=False).run()
    return src


class Watched(SyncEngine):
    """Notes the indexes the database holds while the pages come in; `edit` runs once,
    after the first page arrived (another PC changing a record of that page meanwhile);
    `cut_at`: that page arrives, then the line drops."""

    def __init__(self, *args, edit=None, cut_at: int | None = None, **kwargs) -> None:  # noqa: ANN001
        super().__init__(*args, **kwargs)
        self.edit, self.cut_at, self.calls, self.during = edit, cut_at, 0, []

    def _get_page(self, since, limit, table=None, skip_own=False, buckets=None):  # noqa: ANN001, ANN201
        page = super()._get_page(since, limit, table, skip_own, buckets)
        self.calls += 1
        if table is None:
            self.during.append({name for _, name, _ in index_set(self.db)})
        if self.calls == 1 and self.edit is not None:
            self.edit(page.tables["resident"].as_rows().rows[0][0])
        if self.calls == self.cut_at:
            raise NetworkDown(NETWORK_DOWN)
        return page


def pc(tmp_path: Path, live_server, name: str = "pc") -> tuple[Database, str]:
    (tmp_path / name).mkdir()
    db = Database(tmp_path / name / "familydoc.db")
    session.login(db, live_server.url, "doc_a1", PASSWORD)
    return db, session.make_engine(db).client.token


def test_first_sync_builds_exactly_the_migrations_indexes(tmp_path, live_server, migrated):
    src = fill_server(tmp_path, live_server)
    edited = []

    def edit_on_server(rid: str) -> None:  # a record of the first page changes on the server
        with src.session() as s:
            s.get(Resident, rid).note = "改过"
        session.make_engine(src, reconcile=False).run()
        edited.append(rid)

    db, token = pc(tmp_path, live_server)
    engine = Watched(db, live_server.url, username="doc_a1", token=token, page_limit=PAGE,
                     first_page_limit=PAGE, reconcile=True, edit=edit_on_server)
    report = engine.run()
    # While the pages came in the non-unique indexes were away, the unique ones never.
    assert "ix_resident_live_name" not in engine.during[1]
    assert "ix_visit_resident_kind_date" not in engine.during[1]
    assert "uq_resident_id_number" in engine.during[1]
    assert index_set(db) == migrated
    assert apply.get_state(db, indexes.PARKED_KEY) is None
    assert report.verified and report.reconciled_tables == []
    assert 0 < report.pull_seconds < report.seconds  # the pull, of the whole round
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == RESIDENTS
        assert s.exec(select(func.count()).select_from(FollowupVisit)).one() == RESIDENTS
        # The record pulled twice (edited meanwhile) holds the newer version.
        assert s.get(Resident, edited[0]).note == "改过"
    db.close()
    src.close()


class CutAtDigest(SyncEngine):
    """The line drops when the digest check begins: the parked indexes are then being built
    on their own thread (pull(overlap_indexes=True))."""

    def reconcile(self, note, attempts=3):  # noqa: ANN001, ANN201
        self.building = self._index_build is not None
        raise NetworkDown(NETWORK_DOWN)


def test_round_that_fails_after_the_pull_waits_for_its_indexes(tmp_path, live_server,
                                                               migrated):
    fill_server(tmp_path, live_server).close()
    db, token = pc(tmp_path, live_server)
    engine = CutAtDigest(db, live_server.url, username="doc_a1", token=token,
                         page_limit=PAGE, first_page_limit=PAGE, reconcile=True)
    with pytest.raises(NetworkDown):
        engine.run()
    assert engine.building  # the digest check began while the indexes were being built
    assert index_set(db) == migrated  # and run did not return before they were
    assert apply.get_state(db, indexes.PARKED_KEY) is None
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == RESIDENTS
    db.close()


def test_a_failed_index_build_after_a_failed_round_does_not_hide_the_rounds_error(
        tmp_path, live_server, migrated, monkeypatch):
    fill_server(tmp_path, live_server).close()
    db, token = pc(tmp_path, live_server)
    engine = CutAtDigest(db, live_server.url, username="doc_a1", token=token,
                         page_limit=PAGE, first_page_limit=PAGE, reconcile=True)

    def broken(conn):  # noqa: ANN001, ANN202  (a disk full while the indexes are built)
        raise OSError("disk full")

    monkeypatch.setattr(indexes, "restore", broken)
    with pytest.raises(NetworkDown):  # the round's own error, not the index build's
        engine.run()
    monkeypatch.undo()
    assert apply.get_state(db, indexes.PARKED_KEY) is not None  # still parked
    db.close()
    reopened = Database(db.path)  # and built on the next open
    assert index_set(reopened) == migrated
    assert apply.get_state(reopened, indexes.PARKED_KEY) is None
    reopened.close()


def test_cut_first_sync_keeps_its_indexes_and_resumes(tmp_path, live_server, migrated):
    fill_server(tmp_path, live_server).close()
    db, token = pc(tmp_path, live_server)
    cut = Watched(db, live_server.url, username="doc_a1", token=token, page_limit=PAGE,
                  first_page_limit=PAGE, reconcile=False, cut_at=3)
    with pytest.raises(NetworkDown):
        cut.run()
    assert index_set(db) == migrated  # back before the sync gave up
    with db.session() as s:
        held = s.exec(select(func.count()).select_from(Resident)).one()
    assert 0 < held < RESIDENTS
    report = Watched(db, live_server.url, username="doc_a1", token=token, page_limit=PAGE,
                     first_page_limit=PAGE, reconcile=True).run()
    assert report.verified and report.reconciled_tables == []
    assert index_set(db) == migrated
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == RESIDENTS
    db.close()


@pytest.mark.parametrize("crash", ["mid_page:1", "after_page_applied:1"])
def test_killed_first_sync_opens_with_its_indexes(tmp_path, live_server, migrated, crash):
    fill_server(tmp_path, live_server).close()
    data = tmp_path / "data"
    env = {**os.environ, "FAMILYDOC_TEST_TOKEN_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "keyring-home")}
    cli = [sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir", str(data)]
    done = subprocess.run([*cli, "login", "--server", live_server.url, "--username", "doc_a1",
                           "--password-stdin"], input=PASSWORD + "\n", capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*cli, "sync"], capture_output=True, text=True, timeout=120,
                          env={**env, "FAMILYDOC_SYNC_CRASH_AT": crash})
    assert done.returncode == -signal.SIGKILL, done.stderr
    # Killed with the indexes parked: the file itself lacks them ...
    from familydoc_desktop.store import engine as dbengine

    raw = dbengine.connect(data / "familydoc.db", dbengine.key_for(data / "familydoc.db"))
    try:
        names = {n for (n,) in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        parked = raw.execute("SELECT value FROM sync_state WHERE key = ?",
                             (indexes.PARKED_KEY,)).fetchone()
    finally:
        raw.close()
    assert "ix_resident_live_name" not in names and parked is not None
    # ... and whoever opens it next (the app, the CLI) gets them back before anything else.
    db = open_database(data)
    assert index_set(db) == migrated
    assert apply.get_state(db, indexes.PARKED_KEY) is None
    db.close()
    done = subprocess.run([*cli, "sync", "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verified"] and report["reconciled_tables"] == []
    db = open_database(data)
    assert index_set(db) == migrated
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == RESIDENTS
    db.close()


def test_tables_that_hold_rows_keep_their_indexes(tmp_path, live_server):
    """A PC with residents of its own before its first sync: resident is not bulk-loaded."""
    fill_server(tmp_path, live_server).close()
    db, token = pc(tmp_path, live_server)
    with db.session() as s:
        s.add(Resident(org_id=live_server.clinic(), name="本机居民", sex="female"))
    engine = Watched(db, live_server.url, username="doc_a1", token=token, page_limit=PAGE,
                     first_page_limit=PAGE, reconcile=False)
    engine.run()
    assert all("ix_resident_live_name" in seen for seen in engine.during)
    assert "ix_visit_resident_kind_date" not in engine.during[1]  # visits were empty
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == RESIDENTS + 1
    db.close()


def record_pulls(engine: SyncEngine) -> list[dict]:
    """The parameters of every pull request `engine` makes from now on."""
    asked, get = [], engine.client.get

    def recording_get(path, params=None):  # noqa: ANN001, ANN202
        if path == "/sync/pull":
            asked.append(dict(params))
        return get(path, params)

    engine.client.get = recording_get
    return asked


def test_a_slow_line_asks_for_small_pages_after_the_opening_one(tmp_path, live_server):
    fill_server(tmp_path, live_server).close()
    db, token = pc(tmp_path, live_server)
    engine = SyncEngine(db, live_server.url, username="doc_a1", token=token, page_limit=PAGE,
                        first_page_limit=PAGE, reconcile=True)
    asked = record_pulls(engine)
    # Every answer measured as if it came at 50 kB/s (a village line; the test's answers are
    # too small to be measured for real).
    engine.client._note_rate = lambda size, seconds: setattr(engine.client, "line_rate", 50_000)
    report = engine.run()
    assert report.verified and report.reconciled_tables == []
    # (measured already on the answers before the first page: the round's first calls)
    assert all(p.get("pack") == "small" for p in asked) and len(asked) > 2
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == RESIDENTS
    db.close()


def test_a_first_sync_opens_with_a_small_page_packed_small(tmp_path, live_server):
    fill_server(tmp_path, live_server).close()
    db, token = pc(tmp_path, live_server)
    engine = SyncEngine(db, live_server.url, username="doc_a1", token=token, reconcile=False)
    asked = record_pulls(engine)
    assert engine.run().pulled == 2 * RESIDENTS
    first = asked[0]
    assert (first["since"], first["limit"], first["next_limit"], first["pack"]) == \
        (0, 2000, 10000, "small")
    engine.run()  # the next round: an ordinary page, the line measured or not
    assert asked[-1]["limit"] == 5000 and "next_limit" not in asked[-1]
    db.close()
