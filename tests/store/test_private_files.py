"""A clinic PC's files are the owner's alone, and an emptied database is never taken for a new
one (issue 14)."""
from __future__ import annotations

import os
import stat

import pytest

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import backup as backups
from familydoc_desktop.store import paths
from familydoc_desktop.store.database import Database, open_database
from familydoc_desktop.store.errors import StoreError

posix_only = pytest.mark.skipif(os.name != "posix", reason="Windows keeps the profile's ACL")


def _mode(p) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.stat(p).st_mode)


@posix_only
def test_data_dir_database_wal_and_backups_are_owner_only(tmp_path):
    data = tmp_path / "data"
    db = open_database(data)
    try:
        with db.session() as s:
            s.add(Resident(org_id="x", name="王小明", sex="1"))
        taken = backups.backup(db.path)
        wal = db.path.with_name(db.path.name + "-wal")
        assert _mode(data) == 0o700
        assert _mode(db.path) == 0o600
        assert wal.exists() and _mode(wal) == 0o600
        assert _mode(taken.parent) == 0o700 and _mode(taken) == 0o600
    finally:
        db.close()


@posix_only
def test_an_old_world_readable_database_is_made_private_when_opened(tmp_path):
    Database(tmp_path / paths.DB_NAME).close()
    os.chmod(tmp_path, 0o755)
    os.chmod(tmp_path / paths.DB_NAME, 0o644)
    open_database(tmp_path).close()
    assert _mode(tmp_path) == 0o700 and _mode(tmp_path / paths.DB_NAME) == 0o600


def test_an_empty_database_with_backups_beside_it_is_refused_and_left_alone(tmp_path):
    db = Database(tmp_path / paths.DB_NAME)
    taken = backups.backup(db.path)
    db.close()
    (tmp_path / paths.DB_NAME).write_bytes(b"")
    for extra in ("-wal", "-shm"):
        (tmp_path / (paths.DB_NAME + extra)).unlink(missing_ok=True)
    with pytest.raises(StoreError) as err:
        open_database(tmp_path)
    assert "0 字节" in str(err.value) and "familydoc restore" in str(err.value)
    assert (tmp_path / paths.DB_NAME).stat().st_size == 0  # untouched
    assert taken.exists()


def test_an_empty_file_without_backups_is_a_new_database(tmp_path):
    (tmp_path / paths.DB_NAME).write_bytes(b"")
    open_database(tmp_path).close()
    assert (tmp_path / paths.DB_NAME).stat().st_size > 0
