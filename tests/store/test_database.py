"""Opening the device database: pragmas, migration on open with a backup, refusing a newer
schema, change capture in the same transaction as the edit."""
import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.domain.models import OutboxEntry, Resident
from familydoc_desktop.store import changes
from familydoc_desktop.store.database import (
    Database, NewerDatabaseError, head_revision, open_database,
)


def test_pragmas_on_every_connection(tmp_path):
    db = Database(tmp_path / "t.db")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA temp_store")).scalar() == 2  # MEMORY: no temp files
        assert conn.execute(text("PRAGMA cipher_version")).scalar()  # SQLCipher, keyed


def test_data_dir_from_env_and_override(tmp_path, monkeypatch):
    monkeypatch.setenv("FAMILYDOC_DATA_DIR", str(tmp_path / "env"))
    assert open_database().path == tmp_path / "env" / "familydoc.db"
    assert open_database(tmp_path / "flag").path == tmp_path / "flag" / "familydoc.db"


def test_newer_database_refused_untouched(tmp_path):
    path = tmp_path / "t.db"
    Database(path).close()
    con = dbengine.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError, match="更新版本"):
        Database(path)
    assert path.read_bytes() == before


def test_upgrade_takes_a_backup_first(tmp_path):
    path = tmp_path / "t.db"
    Database(path, migrate_to="0001").close()
    db = Database(path)
    assert db.backup_taken is not None and db.backup_taken.exists()
    con = dbengine.connect(db.backup_taken)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    con.close()
    assert Database(path).backup_taken is None  # nothing to upgrade: no backup
    assert head_revision() != "0001"


def test_edit_and_outbox_entry_share_a_transaction(tmp_path):
    db = Database(tmp_path / "t.db")
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.add(Resident(org_id="o", name="王秀英", sex="female"))
            s.flush()
            assert s.exec(select(OutboxEntry)).first() is not None
            raise RuntimeError("power cut before commit")
    with db.session() as s:
        assert s.exec(select(Resident)).all() == []
        assert s.exec(select(OutboxEntry)).all() == []


def test_capture_records_only_changed_fields_and_base_seq(tmp_path):
    db = Database(tmp_path / "t.db")
    with db.session() as s:
        r = Resident(org_id="o", name="李四", sex="male", phone="13800000001")
        s.add(r)
    with db.session(capture=False) as s:  # as if the server had acknowledged it
        s.get(Resident, r.id).server_seq = 41
    with db.session() as s:
        got = s.get(Resident, r.id)
        got.phone = "13800000002"
        got.name = "李四"  # unchanged value: not a change
    with db.session() as s:
        entries = s.exec(select(OutboxEntry).order_by(OutboxEntry.mutation_id)).all()
    assert [e.op for e in entries] == ["insert", "update"]
    assert json.loads(entries[1].changes) == {"phone": "13800000002"}
    assert entries[1].base_seq == 41
    assert entries[0].hlc < entries[1].hlc


def test_hard_delete_of_synced_row_refused_soft_delete_travels(tmp_path):
    db = Database(tmp_path / "t.db")
    with db.session() as s:
        r = Resident(org_id="o", name="张三", sex="male")
        s.add(r)
    with pytest.raises(changes.DeleteNotAllowed):
        with db.session() as s:
            s.delete(s.get(Resident, r.id))
    with db.session() as s:
        changes.soft_delete(s, s.get(Resident, r.id))
    with db.session() as s:
        last = s.exec(select(OutboxEntry).order_by(OutboxEntry.mutation_id.desc())).first()
    assert last.op == "delete" and json.loads(last.changes) == {"deleted": True}


def test_clock_survives_restart_even_if_pc_clock_goes_back(tmp_path, monkeypatch):
    db = Database(tmp_path / "t.db")
    with db.session() as s:
        r = Resident(org_id="o", name="张三", sex="male")
        s.add(r)
    first = r.hlc
    db.close()
    monkeypatch.setattr(changes, "wall_ms", lambda: 1_000)  # clock reset to 1970
    db = Database(tmp_path / "t.db")
    with db.session() as s:
        s.get(Resident, r.id).phone = "13900000000"
    with db.session() as s:
        assert s.get(Resident, r.id).hlc > first


def test_clock_state_followed_past_2200_by_an_older_version_is_held_not_lost(tmp_path):
    # Before stamps were parsed strictly a clock followed any remote stamp; such a state
    # must neither stop the app opening nor let the clock run back.
    from familydoc_desktop.domain.hlc import MAX_MILLIS

    db = Database(tmp_path / "t.db")
    with db.session(capture=False) as s:
        s.connection().execute(text(
            "INSERT INTO sync_state (key, value) VALUES (:k, :v) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
            {"k": changes.HLC_KEY, "v": "9999999999991-0004-abcdef"})
    db.close()
    db = Database(tmp_path / "t.db")
    assert db.capture.clock.last.millis == MAX_MILLIS
    with db.session() as s:
        s.add(Resident(org_id="o", name="张三", sex="male"))
    with db.session() as s:
        (r,) = s.exec(select(Resident)).all()
        assert r.hlc.startswith(f"{MAX_MILLIS:013d}-")
    db.close()
