"""Privacy at rest: the database, its WAL, backups, logs and whatever else the app writes in the
data directory hold no name or ID number in the clear; a plain database of an older version is
encrypted in place with every record kept; a lost key or another PC's file is a clear Chinese
message and `familydoc recover`, never a silently new database."""
from __future__ import annotations

import json

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from sqlmodel import select

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.store import keystore
from familydoc_desktop.store.backup import backup, list_backups, restore
from familydoc_desktop.store.database import Database, open_database
from familydoc_desktop.store.errors import StoreError
from tests.fixtures.rosters import make_id, write_roster


class DictKeyring(KeyringBackend):
    """A credential store of this test alone (a PC of its own)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):  # noqa: ANN001, ANN201
        return self.store.get((service, username))

    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        self.store[(service, username)] = password

    def delete_password(self, service, username):  # noqa: ANN001, ANN201
        self.store.pop((service, username))


@pytest.fixture
def pc():
    previous = keyring.get_keyring()
    ring = DictKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def personal_strings(data_dir) -> set[bytes]:  # noqa: ANN001
    db = open_database(data_dir)
    try:
        with db.session() as s:
            rows = s.exec(select(Resident.name, Resident.id_number, Resident.phone)).all()
    finally:
        db.close()
    found: set[bytes] = set()
    for name, id_number, phone in rows:
        found.add(name.encode("utf-8"))
        # A two-character name is 4 bytes in GBK: about 50 of them against a few MB of
        # ciphertext (a new random key each run) match somewhere by chance in ~1 run in 30
        # (a CI run failed on b'\xd5\xc5\xbd\xf0', 张金, in familydoc.db). From 6 bytes on the
        # chance is ~1e-7; two-character names are still searched in UTF-8 (6 bytes).
        if len(name.encode("gbk")) >= 6:
            found.add(name.encode("gbk"))
        if id_number:
            found.add(id_number.encode("ascii"))
            found.add(id_number[-8:].encode("ascii"))  # even a masked tail
        if phone:
            found.add(phone.encode("ascii"))
    return found


def clear_hits(folder, needles: set[bytes]) -> dict[str, list[bytes]]:  # noqa: ANN001
    hits: dict[str, list[bytes]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            bad = [n for n in needles if n in data]
            if bad:
                hits[str(path.relative_to(folder))] = bad[:3]
    return hits


def test_no_name_or_id_in_the_clear_after_demo_import_backup_export(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    assert main(["--data-dir", str(data), "demo", "--residents", "300", "--json"]) == 0
    roster = write_roster(tmp_path / "roster.xlsx",
                          [["欧阳明月", "女", None, make_id("19560312", 22)],
                           ["司马长风", "男", None, make_id("19620701", 33)]])
    assert main(["--data-dir", str(data), "import", str(roster), "--json"]) == 0
    assert main(["--data-dir", str(data), "backup", "--json"]) == 0
    export = out / "residents.csv"
    assert main(["--data-dir", str(data), "export", "residents", "--output", str(export),
                 "--json"]) == 0
    capsys.readouterr()
    needles = personal_strings(data)
    assert "欧阳明月".encode() in needles and "欧阳明月".encode("gbk") in needles
    assert len(needles) > 300
    # The scanner finds them where they are meant to be in the clear: the export the user
    # chose to write outside the data directory.
    assert "欧阳明月".encode() in export.read_bytes()
    assert make_id("19560312", 22).encode() in export.read_bytes()
    # With the database open (its WAL holding the last commits) and after it is closed.
    db = open_database(data)
    with db.session() as s:
        s.add(Resident(org_id=s.exec(select(Resident.org_id)).first(), name="诸葛青云",
                       sex="male", id_number=make_id("19700101", 45)))
    needles |= {"诸葛青云".encode(), make_id("19700101", 45).encode()}
    files = sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_file())
    assert "familydoc.db-wal" in files and any(f.startswith("backups/") for f in files)
    assert any(f.startswith("logs/") for f in files)
    assert clear_hits(data, needles) == {}
    db.close()
    assert clear_hits(data, needles) == {}
    assert not dbengine.is_plain(data / "familydoc.db")


def _plain_copy(encrypted, plain, key) -> None:  # noqa: ANN001
    """What a version before encryption left on disk: the same database, unencrypted."""
    con = dbengine.connect(encrypted, key)
    con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    con.execute("SELECT sqlcipher_export('plain')")
    con.commit()
    con.execute("DETACH DATABASE plain")
    con.close()


def _everything(path) -> dict[str, list]:  # noqa: ANN001
    con = dbengine.connect(path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        con.close()


def test_plain_database_and_backups_are_encrypted_in_place_with_every_record(tmp_path, capsys):
    made, data = tmp_path / "made", tmp_path / "data"
    assert main(["--data-dir", str(made), "demo", "--residents", "200", "--json"]) == 0
    capsys.readouterr()
    key = keystore.load_key()
    want = _everything(made / "familydoc.db")
    assert sum(len(v) for v in want.values()) > 500
    (data / "backups").mkdir(parents=True)
    _plain_copy(made / "familydoc.db", data / "familydoc.db", key)
    _plain_copy(made / "familydoc.db", data / "backups" / "familydoc-20250101-000000.db", key)
    assert dbengine.is_plain(data / "familydoc.db")
    assert "王".encode() in (data / "familydoc.db").read_bytes()  # names in the clear today

    db = open_database(data)
    try:
        assert db.encryption_backup is not None and db.encryption_backup.exists()
        with db.session() as s:
            assert len(s.exec(select(Resident)).all()) == len(want["resident"])
    finally:
        db.close()
    now = _everything(data / "familydoc.db")
    # Every row of every table; only the device id changed (the file moved: database._bind_home).
    assert {t: v for t, v in now.items() if t != "sync_state"} == \
        {t: v for t, v in want.items() if t != "sync_state"}
    assert len(now["sync_state"]) == len(want["sync_state"])
    assert _everything(db.encryption_backup) == want
    assert _everything(data / "backups" / "familydoc-20250101-000000.db") == want
    for path in data.rglob("*"):
        assert not (path.is_file() and dbengine.is_plain(path)), path
    needles = {n for n in personal_strings(data) if len(n) >= 6}
    assert clear_hits(data, needles) == {}
    assert sorted(p.name for p in data.iterdir() if p.name.startswith(".")) == []
    # The old plain backup restores (now encrypted) like any other.
    restore(data / "familydoc.db", data / "backups" / "familydoc-20250101-000000.db")
    assert _everything(data / "familydoc.db")["resident"] == want["resident"]


def test_restore_of_a_backup_from_before_encryption(tmp_path, db):
    """A plain backup kept elsewhere (a USB stick) by an older version restores encrypted."""
    with db.session() as s:
        s.add(Resident(org_id=db.clinic_id, name="慕容秋", sex="female"))
    saved = backup(db, tmp_path / "stick")
    plain = tmp_path / "stick" / "old-plain.db"
    _plain_copy(saved, plain, keystore.load_key())
    db.close()
    restore(db.path, plain)
    assert not dbengine.is_plain(db.path)
    assert "慕容秋".encode() not in db.path.read_bytes()
    again = Database(db.path)
    try:
        with again.session() as s:
            assert [r.name for r in s.exec(select(Resident))] == ["慕容秋"]
    finally:
        again.close()


def test_backups_are_encrypted(db):
    with db.session() as s:
        s.add(Resident(org_id=db.clinic_id, name="上官燕", sex="female",
                       id_number=make_id("19801010", 17)))
    saved = backup(db)
    assert saved in list_backups(db.path.parent)
    raw = saved.read_bytes()
    assert not dbengine.is_plain(saved)
    assert "上官燕".encode() not in raw and make_id("19801010", 17).encode() not in raw


def test_lost_key_is_a_chinese_message_and_touches_nothing(tmp_path, pc, capsys):
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "demo", "--residents", "50", "--json"]) == 0
    before = (data / "familydoc.db").read_bytes()
    pc.store.clear()  # the credential store was wiped (a reinstalled Windows)
    with pytest.raises(keystore.KeyLost) as err:
        open_database(data)
    assert "找不到本机的数据库加密密钥" in str(err.value) and "familydoc recover" in str(err.value)
    assert (data / "familydoc.db").read_bytes() == before
    assert keystore.load_key() is None  # no new key was made over the old file
    capsys.readouterr()
    assert main(["--data-dir", str(data), "--json", "search", "王"]) == 1
    assert "找不到本机的数据库加密密钥" in capsys.readouterr().err

    # Recovery: set aside (nothing deleted), fresh database, then log in and sync.
    assert main(["--data-dir", str(data), "recover"]) == 2  # explains, does nothing
    assert (data / "familydoc.db").read_bytes() == before
    assert main(["--data-dir", str(data), "--json", "recover", "--yes"]) == 0
    moved = json.loads(capsys.readouterr().out)["moved"]
    assert any(m.endswith("familydoc.db") for m in moved)
    aside = [p for p in data.iterdir() if p.name.startswith("unreadable-")]
    assert len(aside) == 1 and (aside[0] / "familydoc.db").read_bytes() == before
    fresh = open_database(data)
    try:
        with fresh.session() as s:
            assert s.exec(select(Resident)).all() == []
    finally:
        fresh.close()


def test_another_pcs_database_is_refused_untouched(tmp_path, pc, capsys):
    data = tmp_path / "data"
    Database(tmp_path / "data.db").close()  # makes this PC's key
    other = DictKeyring()  # another PC, another key: its data folder copied here
    keyring.set_keyring(other)
    assert main(["--data-dir", str(data), "demo", "--residents", "20", "--json"]) == 0
    keyring.set_keyring(pc)
    before = (data / "familydoc.db").read_bytes()
    with pytest.raises(StoreError, match="另一台电脑的密钥"):
        open_database(data)
    assert (data / "familydoc.db").read_bytes() == before
    capsys.readouterr()
    assert main(["--data-dir", str(data), "recover", "--yes"]) == 0
    assert not (data / "familydoc.db").exists()


def test_a_database_that_opens_is_not_set_aside(cli_db, capsys):
    cli_db.close()
    assert main(["--data-dir", str(cli_db.path.parent), "recover", "--yes"]) == 1
    assert "不需要恢复" in capsys.readouterr().err


@pytest.mark.parametrize("store", [null.Keyring, fail.Keyring])
def test_no_credential_store_refuses_to_create_a_database(tmp_path, store):
    previous = keyring.get_keyring()
    keyring.set_keyring(store())  # null: accepts a key and forgets it; fail: raises
    try:
        with pytest.raises(keystore.KeyUnavailable, match="系统凭据管理器不可用"):
            Database(tmp_path / "new.db")
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "new.db").exists()


def test_a_broken_credential_store_is_not_a_lost_key(cli_db, capsys):
    """The store failing is not the key missing: no 'recover', nothing set aside."""
    cli_db.close()
    before = cli_db.path.read_bytes()
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(keystore.KeyUnavailable, match="系统凭据管理器不可用"):
            Database(cli_db.path)
        assert main(["--data-dir", str(cli_db.path.parent), "recover", "--yes"]) == 1
    finally:
        keyring.set_keyring(previous)
    assert "系统凭据管理器不可用" in capsys.readouterr().err
    assert cli_db.path.read_bytes() == before
    Database(cli_db.path).close()  # the store is back: it opens


def _cipher(path) -> tuple[str, ...]:  # noqa: ANN001
    con = dbengine.connect(path, readonly=True)
    try:
        return dbengine.cipher_of(con)
    finally:
        con.close()


def test_new_databases_authenticate_pages_with_hmac_sha256(db):
    with db.session() as s:
        s.add(Resident(org_id=db.clinic_id, name="东方白", sex="male"))
    assert _cipher(db.path) == ("PRAGMA cipher_hmac_algorithm = HMAC_SHA256",
                                "PRAGMA cipher_page_size = 4096")
    assert not dbengine.legacy_cipher(db.path)
    con = dbengine.connect(db.path)
    try:  # HMAC on every page is still on
        assert con.execute("PRAGMA cipher_use_hmac").fetchone()[0] == "1"
    finally:
        con.close()
    assert _cipher(backup(db)) == _cipher(db.path)


def test_a_database_of_the_first_encrypted_version_opens_with_every_row(
        tmp_path, capsys, monkeypatch):
    """Field PCs have databases (and backups) with SQLCipher 4's default settings
    (HMAC-SHA512): they open, keep their rows, take writes, back up and restore."""
    data = tmp_path / "data"
    with monkeypatch.context() as m:
        m.setattr(dbengine, "CIPHER", dbengine.LEGACY_CIPHER)
        assert main(["--data-dir", str(data), "demo", "--residents", "150", "--json"]) == 0
        saved = backup(data / "familydoc.db")
    capsys.readouterr()
    dbengine._FOUND.clear()  # a new process of this version
    path = data / "familydoc.db"
    assert not dbengine.is_plain(path)
    assert _cipher(path)[0] == "PRAGMA cipher_hmac_algorithm = HMAC_SHA512"
    assert dbengine.legacy_cipher(path) and dbengine.legacy_cipher(saved)
    want = _everything(path)
    assert len(want["resident"]) == 150
    db = open_database(data)
    try:
        with db.session() as s:
            assert len(s.exec(select(Resident)).all()) == 150
            s.add(Resident(org_id=s.exec(select(Resident.org_id)).first(), name="西门吹雪",
                           sex="male"))
        taken = backup(db)
    finally:
        db.close()
    assert dbengine.legacy_cipher(path)  # left as it was, not rewritten
    now = _everything(path)
    assert len(now["resident"]) == 151 and set(want["resident"]) < set(now["resident"])
    assert _cipher(taken) == _cipher(path)  # the backup API copies pages as they are
    assert _everything(taken)["resident"] == now["resident"]
    # The CLI reads it (search) with nothing on stderr (the failed try is not logged).
    assert main(["--data-dir", str(data), "search", "西门", "--json"]) == 0
    out = capsys.readouterr()
    assert "西门吹雪" in out.out and "hmac" not in out.err.lower()
    # A backup of the first encrypted version restores, rows and all.
    restore(path, saved)
    assert _everything(path)["resident"] == want["resident"]
