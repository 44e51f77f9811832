"""The server's own Alembic history builds exactly the tables sync_server.models declares,
and running it again is harmless."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from sync_server import models
from sync_server.core.db import current_seq, make_engine, migrate


def test_migrations_match_the_models_and_are_idempotent(server_url):
    engine = make_engine(server_url)
    migrate(engine)
    migrate(engine)  # a second `init` / `serve` start changes nothing
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": models.on_dialect(conn.dialect.name)})
        diffs = compare_metadata(context, models.metadata)
        assert diffs == []
        assert current_seq(conn) == 0
        assert conn.execute(select(models.counter.c.name)).scalars().all() == ["seq"]
    engine.dispose()


def test_audit_entries_pushed_before_0005_are_copied_on_upgrade(tmp_path):
    """A field server at 0002 already holds audit_log records: the upgrade puts them in
    audit_entry, where the township's audit view reads them."""
    import json

    from alembic import command
    from alembic.config import Config
    from pathlib import Path
    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(models.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO record (table_name, id, org_id, seq, hlc, deleted, data, meta)"
            " VALUES ('audit_log', 'e-1', 'org-1', 1, 'h', 0, :data, :meta)"),
            {"data": json.dumps({"actor": "doc_a", "action": "reveal", "table_name": "resident",
                                 "record_id": "r-1", "created_at": "2026-05-01T02:00:00"}),
             "meta": json.dumps({"*": [1, "h", "dev-1"]})})
    migrate(engine, backup=False)
    with engine.connect() as conn:
        row = conn.execute(select(models.audit_entry)).one()
    assert (row.id, row.actor, row.action, row.record_id, row.device_id) == (
        "e-1", "doc_a", "reveal", "r-1", "dev-1")
    assert row.at == 1777600800000  # 2026-05-01 02:00 UTC
    engine.dispose()


def test_the_quick_up_to_date_check_agrees_with_alembic(tmp_path):
    """migrate() skips alembic when the database is at the scripts' head, read from their
    text: that head must be alembic's own, and a database behind it is still migrated."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from sync_server.core import db

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    assert db.script_head() == ScriptDirectory.from_config(cfg).get_current_head()
    engine = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    assert not db._up_to_date(engine)  # empty
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    assert not db._up_to_date(engine)
    migrate(engine, backup=False)
    assert db._up_to_date(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": models.on_dialect(conn.dialect.name)})
        assert compare_metadata(context, models.metadata) == []
    engine.dispose()


def test_records_written_before_0011_get_their_content_hash_on_upgrade(tmp_path):
    """The digest of values sums record.content_hash: the upgrade computes it for the records
    already there, as a write would (records.content_hash)."""
    import json

    from alembic import command
    from alembic.config import Config
    from pathlib import Path
    from sqlalchemy import text

    from sync_server.services import records

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(models.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
    data = [{"org_id": "org-1", "name": f"居民{i}", "sex": "male", "birth_date": "1950-01-02",
             "created_at": "2026-05-01T10:00:00+08:00", "deleted": False, "registered": True}
            for i in range(3)]
    with engine.begin() as conn:
        for i, d in enumerate(data):
            conn.execute(text(
                "INSERT INTO record (table_name, id, org_id, seq, hlc, deleted, data, meta)"
                " VALUES ('resident', :id, 'org-1', :seq, 'h', 0, :data, '{}')"),
                {"id": f"r-{i}", "seq": i + 1, "data": json.dumps(d, ensure_ascii=False)})
    migrate(engine, backup=False)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, content_hash FROM record")).all())
    assert got == {f"r-{i}": records.content_hash("resident", f"r-{i}", i + 1, d)
                   for i, d in enumerate(data)}
    engine.dispose()
