"""A data folder written by an older release (tests/fixtures/upgrade) opens in this build: it is
backed up first, migrated in place to head, keeps every record and value it had, and the backup
taken before the migration restores the old database."""
from __future__ import annotations

import gzip
from pathlib import Path

from familydoc_desktop.store import backup as backups
from familydoc_desktop.store.engine import connect, is_plain
from familydoc_desktop.store.database import Database, current_revision, head_revision

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade" / "familydoc-0002.db.gz"


def _rows(path: Path) -> dict[str, set[tuple]]:
    """Every row of every table of ours, as tuples of its columns (sorted by name)."""
    con = connect(path, plain=is_plain(path))  # the old release's file is plain SQLite
    try:
        tables = [t for (t,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'alembic_version'")]
        out = {}
        for table in tables:
            cols = sorted(r[1] for r in con.execute(f'PRAGMA table_info("{table}")'))
            out[table] = (cols, {tuple(r) for r in con.execute(
                f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}"')})
        return out
    finally:
        con.close()


def _old_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "familydoc.db").write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    return folder / "familydoc.db"


def test_old_release_upgrades_in_place_keeping_every_record(tmp_path):
    db_path = _old_folder(tmp_path)
    before = _rows(db_path)
    assert sum(len(rows) for _cols, rows in before.values()) > 500
    assert len(before["resident"][1]) == 120

    db = Database(db_path)
    try:
        assert db.backup_taken is not None and db.backup_taken.is_file()
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()

    after = _rows(db_path)
    for table, (cols, rows) in before.items():
        assert table in after, table
        new_cols, new_rows = after[table]
        kept = [new_cols.index(c) for c in cols]
        assert set(cols) <= set(new_cols), table
        projected = {tuple(r[i] for i in kept) for r in new_rows}
        if table == "sync_state":  # the open adds the device's home; nothing is lost
            assert rows <= projected
        elif table == "resident":
            # migration 0004 recomputed the pinyin initials; every other value is as it was
            skip = {cols.index(c) for c in cols if "initial" in c or "pinyin" in c}
            strip = lambda rs: {tuple(v for i, v in enumerate(r) if i not in skip) for r in rs}  # noqa: E731
            assert strip(projected) == strip(rows)
        else:
            assert projected == rows, table

    # The backup taken before the migration is the old database, and it restores.
    assert _rows(db.backup_taken) == before
    assert backups.check_backup_file(db.backup_taken) == "0002"
    backups.restore(db_path, db.backup_taken)
    assert not is_plain(db_path)  # upgraded means encrypted too (and so is the backup)
    assert not is_plain(db.backup_taken)
    con = connect(db_path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)
        assert con.execute("SELECT count(*) FROM resident").fetchone() == (120,)
    finally:
        con.close()
    reopened = Database(db_path)  # and the restored one upgrades again
    try:
        assert current_revision(reopened.engine) == head_revision()
    finally:
        reopened.close()
