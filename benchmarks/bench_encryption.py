"""What encryption at rest costs a person at the command line, process start and all: a demo
township (default 60,000 residents) is made with `familydoc demo`, then each command below is
run 5 times as a fresh process and the median wall time printed. With --plain-copy it also
times the one-off upgrade of an unencrypted database of that size (encrypt_in_place: an
encrypted backup, then the database itself) and checks every row survived.

    python benchmarks/bench_encryption.py [--residents 60000] [--code DIR] [--plain-copy]

--code DIR runs the commands with DIR's code (e.g. a checkout from before encryption) to
compare: the same script, the same data size, old and new code.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_keyring  # noqa: F401  (the database key: before keyring is used)

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ("search name prefix", ["search", "王", "--limit", "50"]),
    ("search id tail", ["search", "1234", "--limit", "50"]),
    ("due list", ["due"]),
    ("ledger (red)", ["ledger", "--colour", "red"]),
)


def run(code: Path, data: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(code), os.environ.get("PYTHONPATH")) if p)}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
                           str(data), "--json", *args], env=env, cwd=code,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{args}: {proc.stderr[-500:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=60_000)
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--plain-copy", action="store_true")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="familydoc-bench-enc-"))
    data = tmp / "data"
    try:
        t = run(opts.code, data, ["demo", "--residents", str(opts.residents)])
        db_file = data / "familydoc.db"
        size = db_file.stat().st_size / 1e6
        with open(db_file, "rb") as fh:
            plain = fh.read(16) == b"SQLite format 3\x00"
        print(f"code: {opts.code}  database: {'plain SQLite' if plain else 'SQLCipher'} "
              f"{size:.0f} MB, {opts.residents:,} residents (demo {t:.1f} s)")
        run(opts.code, data, ["search", "x"])  # warm the OS file cache
        for label, args in COMMANDS:
            times = [run(opts.code, data, args) for _ in range(5)]
            print(f"  familydoc {' '.join(args):<28} median {statistics.median(times):.3f} s"
                  f"  ({label}; min {min(times):.3f} s)")
        if opts.plain_copy and not plain:
            upgrade(db_file, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def upgrade(db_file: Path, tmp: Path) -> None:
    """Decrypt a copy to plain SQLite (what an older version left), then time the upgrade."""
    sys.path.insert(0, str(ROOT))
    from familydoc_desktop.store import engine, keystore

    key = keystore.load_key()
    old = tmp / "old"
    old.mkdir()
    con = engine.connect(db_file, key)
    con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(old / "familydoc.db"),))
    con.execute("SELECT sqlcipher_export('plain')")
    con.commit()
    con.execute("DETACH DATABASE plain")
    con.close()
    t = time.perf_counter()
    engine.encrypt_in_place(old / "familydoc.db", key)
    print(f"  upgrade of the plain copy (encrypted backup + encrypt in place, checked): "
          f"{time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
