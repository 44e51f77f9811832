"""The first start after the upgrade encrypts a plain database with a notice on screen, and
the app opens it with every resident."""
from __future__ import annotations

from sqlmodel import func, select

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import engine, keystore
from familydoc_desktop.store.database import Database


def test_plain_database_is_encrypted_at_start(app, tmp_path):
    from familydoc_desktop.ui.app import open_with_notice

    made = Database(tmp_path / "made.db")
    with made.session() as s:
        for i in range(50):
            s.add(Resident(org_id="o", name=f"居民{i}", sex="male"))
    made.close()
    plain = tmp_path / "data" / "familydoc.db"
    plain.parent.mkdir()
    con = engine.connect(made.path, keystore.load_key())
    con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    con.execute("SELECT sqlcipher_export('plain')")
    con.commit()
    con.close()
    assert engine.is_plain(plain)
    db = open_with_notice(plain)
    try:
        assert not engine.is_plain(plain)
        with db.session() as s:
            assert s.exec(select(func.count()).select_from(Resident)).one() == 50
    finally:
        db.close()
