"""Backup (online API + integrity check, last N kept) and restore (only FamilyDoc files,
current database saved first, atomic swap, new device id, pull cursor kept)."""
import sqlite3

import pytest
from sqlmodel import select

from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.domain.models import Resident, SyncState
from familydoc_desktop.store import changes
from familydoc_desktop.store.backup import BackupError, backup, list_backups, restore
from familydoc_desktop.store.database import Database


def add_resident(db, name):
    with db.session() as s:
        s.add(Resident(org_id=db.clinic_id, name=name, sex="male"))


def test_backup_is_a_verified_copy_and_old_ones_are_pruned(db):
    add_resident(db, "甲")
    first = backup(db)
    assert first.parent == db.path.parent / "backups"
    assert first.name.startswith("familydoc-") and first.suffix == ".db"
    con = dbengine.connect(first)
    assert con.execute("SELECT name FROM resident").fetchall() == [("甲",)]
    con.close()
    for _ in range(4):
        backup(db, keep=3)
    assert len(list_backups(db.path.parent)) == 3


def test_restore_replaces_db_rotates_device_keeps_cursor(db):
    with db.session() as s:
        s.add(SyncState(key="pull_cursor", value="42"))
    add_resident(db, "甲")
    saved = backup(db)
    add_resident(db, "乙")
    old_device, path = db.device_id, db.path
    db.close()
    before = restore(path, saved)
    assert before.name.endswith("-before-restore.db")
    assert not path.with_name(path.name + "-wal").exists()
    reopened = Database(path)
    try:
        with reopened.session() as s:
            assert [r.name for r in s.exec(select(Resident))] == ["甲"]
            assert s.get(SyncState, "pull_cursor").value == "42"
            device = s.get(SyncState, changes.DEVICE_KEY).value
        assert device != old_device and reopened.device_id == device
    finally:
        reopened.close()
    con = dbengine.connect(before)  # the replaced database, both residents in it
    assert sorted(r[0] for r in con.execute("SELECT name FROM resident")) == ["乙", "甲"]
    con.close()


@pytest.mark.parametrize("kind", ["text", "other_sqlite", "unknown_revision"])
def test_restore_refuses_non_familydoc_files(db, tmp_path, kind):
    bad = tmp_path / "bad.db"
    if kind == "text":
        bad.write_text("hello")
    else:
        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE t (x)")
        if kind == "unknown_revision":
            con.execute("CREATE TABLE alembic_version (version_num TEXT)")
            con.execute("INSERT INTO alembic_version VALUES ('9999_future')")
        con.commit()
        con.close()
    add_resident(db, "甲")
    db.close()
    with pytest.raises(BackupError, match="不是"):
        restore(db.path, bad)
    con = dbengine.connect(db.path)
    assert con.execute("SELECT count(*) FROM resident").fetchone() == (1,)
    con.close()
