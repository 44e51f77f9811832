"""The benchmarks' plain/encrypted switch (benchmarks/cipher_runner.py, FAMILYDOC_BENCH_DB, used
by bench_encryption.py --same-code and --sync): the same code must really write a plain SQLite
file in the plain modes and the app's encrypted file without it, or the figures compare
nothing."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.store.database import Database

ROOT = Path(__file__).resolve().parents[2]
WRITER = r"""
import sys
import cipher_runner  # noqa: F401  (patches the store as FAMILYDOC_BENCH_DB says)
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database

db = Database(sys.argv[1])
with db.session() as s:
    s.add(Resident(org_id="x", name="基准测试", sex="female"))
db.close()
"""


def _write(path: Path, mode: str | None) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT / "benchmarks"), str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    env.pop("FAMILYDOC_BENCH_DB", None)
    if mode is not None:
        env["FAMILYDOC_BENCH_DB"] = mode
    subprocess.run([sys.executable, "-c", WRITER, str(path)], env=env, check=True, cwd=ROOT,
                   capture_output=True, timeout=120)


@pytest.mark.parametrize("mode", ["plain353", "plain340"])
def test_plain_modes_write_a_plain_sqlite_file(tmp_path, mode):
    path = tmp_path / "familydoc.db"
    _write(path, mode)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    con = sqlite3.connect(path)  # no key, no SQLCipher
    try:
        assert con.execute("SELECT name FROM resident").fetchall() == [("基准测试",)]
    finally:
        con.close()


def test_without_the_switch_the_file_is_the_apps_encrypted_one(tmp_path):
    path = tmp_path / "familydoc.db"
    _write(path, None)
    data = path.read_bytes()
    assert data[:16] != b"SQLite format 3\x00"
    assert "基准测试".encode() not in data
    assert not dbengine.legacy_cipher(path)  # this version's settings (HMAC-SHA256)
    db = Database(path)  # this PC's key opens it
    try:
        with db.session(capture=False) as s:
            got = s.connection().exec_driver_sql("SELECT name FROM resident").fetchall()
        assert got == [("基准测试",)]
    finally:
        db.close()
