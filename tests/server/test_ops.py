"""familydoc-server org list, backup/restore (SQLite backup API, PostgreSQL pg_dump), the
backup before a migration, and serve's refusal of several workers on SQLite."""
from __future__ import annotations

import json

from sqlalchemy import text

from sync_server.cli import main
from sync_server.core.db import make_engine, migrate


def run(capsys, url, *argv):
    code = main(["--database-url", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _org_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM org")).scalar_one()
    engine.dispose()
    return n


def test_org_list_backup_and_restore(world, server_url, capsys, tmp_path):
    code, out, _ = run(capsys, server_url, "org", "list", "--json")
    orgs = {o["code"]: o for o in json.loads(out)}
    assert code == 0 and len(orgs) == 6
    assert orgs["420101000001"]["parent"] == "420100000000" and orgs["420101000001"]["users"] == 2
    code, out, _ = run(capsys, server_url, "org", "list")
    assert code == 0 and "420201000001" in out
    suffix = ".db" if server_url.startswith("sqlite") else ".dump"
    dump = tmp_path / f"b{suffix}"
    assert run(capsys, server_url, "backup", "--output", str(dump))[0] == 0
    assert dump.stat().st_size > 0
    world.engine.dispose()
    assert run(capsys, server_url, "org", "add", "--code", "420300000000", "--name", "新镇",
               "--level", "township", "--parent", "420000000000")[0] == 0
    assert _org_count(server_url) == 7
    code, out, _ = run(capsys, server_url, "restore", str(dump))
    assert code == 0, out
    assert _org_count(server_url) == 6  # the org added after the backup is gone


def test_restore_refuses_a_file_that_is_not_a_server_backup(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert run(capsys, url, "init")[0] == 0
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    code, _, err = run(capsys, url, "restore", str(junk))
    assert code == 1 and "不是有效的服务器备份文件" in err and "Traceback" not in err


def test_serve_refuses_several_workers_on_sqlite(tmp_path, capsys):
    code, _, err = run(capsys, f"sqlite:///{tmp_path / 's.db'}", "serve", "--workers", "2")
    assert code == 1 and "SQLite 数据库只能由一个工作进程使用" in err


def test_a_migration_of_an_existing_database_is_preceded_by_a_backup(tmp_path):
    from alembic import command
    from alembic.config import Config
    from pathlib import Path

    import sync_server.core.db as db

    url = f"sqlite:///{tmp_path / 'server.db'}"
    engine = make_engine(url)
    assert migrate(engine) is None  # a new database: nothing to back up
    config = Config()
    config.set_main_option("script_location",
                           str(Path(db.__file__).resolve().parent.parent / "migrations"))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "-1")
        conn.commit()
    saved = migrate(engine)
    engine.dispose()
    assert saved is not None and saved.parent == tmp_path / "backups" and saved.stat().st_size
