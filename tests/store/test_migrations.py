"""A field database at the first revision, holding data, upgrades to head in place intact."""

from sqlmodel import select

from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database, head_revision

ROWS = [
    ("01900000-0000-7000-8000-000000000001", "王秀英", "female", "1949-12-31",
     "11010519491231002X", "13812345678"),
    ("01900000-0000-7000-8000-000000000002", "曾长乐", "male", "1980-01-01", None, None),
]


def _seed_first_revision(path):
    Database(path, migrate_to="0001").close()
    con = dbengine.connect(path)
    for rid, name, sex, birth, idn, phone in ROWS:
        con.execute(
            "INSERT INTO resident (id, org_id, created_at, updated_at, hlc, deleted, name, sex,"
            " birth_date, id_number, needs_id_match, phone, registered)"
            " VALUES (?, 'org', '2025-01-01 00:00:00', '2025-01-01 00:00:00', '', 0, ?, ?, ?,"
            " ?, ?, ?, 1)", (rid, name, sex, birth, idn, idn is None, phone))
    con.commit()
    con.close()


def test_first_revision_upgrades_to_head_with_data_intact(tmp_path):
    path = tmp_path / "field.db"
    _seed_first_revision(path)
    db = Database(path)
    con = dbengine.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with db.session() as s:
        got = {r.id: r for r in s.exec(select(Resident)).all()}
    assert len(got) == len(ROWS)
    wang = got[ROWS[0][0]]
    assert (wang.name, wang.id_number, str(wang.birth_date)) == ("王秀英", "11010519491231002X",
                                                                "1949-12-31")
    # The upgrade filled the new search keys for rows that were already there.
    assert wang.initials == "wxy" and wang.id_rev == "X20013219491501011"
    assert wang.phone_rev == "87654321831"
    assert got[ROWS[1][0]].initials == "zcl" and got[ROWS[1][0]].id_rev is None


def test_every_revision_downgrades_and_upgrades_cleanly(tmp_path):
    from alembic import command

    from familydoc_desktop.store.database import alembic_config

    path = tmp_path / "t.db"
    db = Database(path)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    con = dbengine.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()


def test_models_and_migrations_agree(tmp_path):
    """A column added to a model without a migration would fail here, not in a clinic."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from familydoc_desktop.domain.models import metadata

    db = Database(tmp_path / "t.db")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}),
                                metadata)
    assert diff == []


def test_scanned_head_agrees_with_alembic():
    from familydoc_desktop.store.database import head_revision, scanned_head
    assert scanned_head() == head_revision()


def test_up_to_date_database_opens_without_alembic(tmp_path):
    import subprocess
    import sys

    from familydoc_desktop.store.database import Database
    Database(tmp_path / "f.db").close()  # made and migrated to head
    probe = ("import sys; from familydoc_desktop.store.database import Database;"
             f"Database(r'{tmp_path / 'f.db'}').close();"
             "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_0004_recomputes_initials_in_place(tmp_path):
    from sqlalchemy import text as sql

    from familydoc_desktop.store import orgs, residents
    from familydoc_desktop.store.database import Database
    path = tmp_path / "field.db"
    db = Database(path, migrate_to="0003")
    # Without the change capture: today's outbox row has columns (base_hlc, 0016) a 0003
    # database does not; the app itself never writes before migrating to head.
    with db.session(capture=False) as s:
        org = orgs.home_clinic(s).id
        for name in ("丁长林", "王秀英"):
            residents.create_resident(s, org_id=org, name=name, sex="男",
                                      birth_date="1960-01-01")
    with db.engine.begin() as conn:  # initials as an earlier version stored them
        conn.execute(sql("UPDATE resident SET initials = 'dzl' WHERE name = '丁长林'"))
    db.close()
    db = Database(path)
    with db.engine.connect() as conn:
        got = dict(conn.execute(sql("SELECT name, initials FROM resident")).all())
    db.close()
    assert got == {"丁长林": "dcl", "王秀英": "wxy"}
