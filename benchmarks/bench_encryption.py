"""What encryption at rest costs a person at the command line, process start and all: a demo
township (default 60,000 residents) is made with `familydoc demo`, then each command below is
run 5 times as a fresh process and the median wall time printed. With --plain-copy it also
times the one-off upgrade of an unencrypted database of that size (encrypt_in_place: an
encrypted backup, then the database itself) and checks every row survived.

    python benchmarks/bench_encryption.py [--residents 60000] [--code DIR] [--plain-copy]

--code DIR runs the commands with DIR's code (e.g. a checkout from before encryption) to
compare: the same script, the same data size, old and new code.
--same-code runs each command also on a plain copy of the same database with the same code,
through Python's sqlite3 and through SQLCipher's SQLite with no key (cipher_runner.py),
alternating, and prints CPU seconds beside wall: what the cipher itself costs, and whether
the SQLite version (its query planner) does.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
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


def run(code: Path, data: Path, args: list[str], mode: str | None = None) -> float:
    return run_cpu(code, data, args, mode)[0]


def run_cpu(code: Path, data: Path, args: list[str],
            mode: str | None = None) -> tuple[float, float]:
    """(wall, CPU user+sys) of one fresh `familydoc` process; `mode` a cipher_runner mode."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(code), str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")) if p)}
    entry = ["-m", "familydoc_desktop.cli.main"]
    if mode is not None:
        env["FAMILYDOC_BENCH_DB"] = mode
        entry = [str(ROOT / "benchmarks" / "cipher_runner.py")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *entry, "--data-dir", str(data), "--json", *args],
                          env=env, cwd=code, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{args}: {proc.stderr[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def same_code(code: Path, db_file: Path, data: Path, tmp: Path) -> None:
    """The commands on the encrypted database and on a plain copy, modes alternated."""
    sys.path.insert(0, str(ROOT))
    from familydoc_desktop.store import engine, keystore

    plain = tmp / "plain"
    plain.mkdir()
    con = engine.connect(db_file, keystore.load_key())
    con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain / "familydoc.db"),))
    con.execute("SELECT sqlcipher_export('plain')")
    version = con.execute("PRAGMA user_version").fetchone()[0]
    con.execute(f"PRAGMA plain.user_version = {int(version)}")
    con.commit()
    con.execute("DETACH DATABASE plain")
    con.close()
    modes = (("plain, sqlite3 " + sqlite3.sqlite_version, "plain340", plain),
             ("plain, SQLCipher's SQLite, no key", "plain353", plain),
             ("encrypted", None, data))
    for _label, mode, where in modes:
        run(code, where, ["search", "x"], mode)
    print(f"  same code and data, median of 5, CPU s (wall s); load {os.getloadavg()[0]:.1f}")
    for _label, args in COMMANDS:
        got: dict[str, list[tuple[float, float]]] = {m[0]: [] for m in modes}
        for _ in range(5):
            for label, mode, where in modes:
                got[label].append(run_cpu(code, where, args, mode))
        base = statistics.median(c for _w, c in got[modes[0][0]])
        line = "; ".join(
            f"{label} {statistics.median(c for _w, c in v):.2f}"
            f" ({statistics.median(w for w, _c in v):.2f}) "
            f"{(statistics.median(c for _w, c in v) / base - 1) * 100:+.0f} %"
            for label, v in got.items())
        print(f"  familydoc {' '.join(args):<28} {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=60_000)
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--plain-copy", action="store_true")
    ap.add_argument("--same-code", action="store_true")
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
        if opts.same_code and not plain:
            same_code(opts.code, db_file, data, tmp)
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
