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
--sync times sync the same way, same code, plain (SQLCipher's SQLite with no key, through
cipher_runner.py) and encrypted (as the app: HMAC-SHA256 for a new PC), modes alternated over
--rounds, medians, CPU seconds beside wall, load average. Against the default `familydoc-server
serve` with the demo township (--server-db: a copy of a server database an earlier run of this
or bench_sync.py kept, else the demo is loaded first, which is slow):
  * USER-VISIBLE: a fresh PC's `familydoc login` then `familydoc sync` (first sync, digest
    check and all), each a new process; the CPU of the `familydoc sync` process and its wall;
  * LIBRARY-LEVEL: that first pull's answers recorded once, then applied into a fresh PC
    database through SyncEngine.pull with no server (sync_replay.py), CPU of the process;
  * an incremental round, 1,000 edits each way between two PCs through the server (as
    bench_sync.py), CPU and wall of the PC that pushes 1,000 and pulls 1,000.
    python benchmarks/bench_encryption.py --sync [--server-db FILE] [--rounds 5]
The plain mode is the benchmarks' (cipher_runner.py, FAMILYDOC_BENCH_DB): no user can reach it.
"""
from __future__ import annotations

import argparse
import json
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
    ap.add_argument("--sync", action="store_true", help="the sync figures (see above)")
    ap.add_argument("--server-db", type=Path,
                    help="with --sync: a copy of this demo server database, not a new demo")
    ap.add_argument("--rounds", type=int, default=5, help="with --sync: rounds per mode")
    ap.add_argument("--with-sqlite3", action="store_true",
                    help="with --sync: also plain through Python's own sqlite3")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="familydoc-bench-enc-"))
    if opts.sync:
        try:
            sync_figures(opts, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
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


SYNC_MODES = (("plain", "plain353"), ("encrypted", None))


def _env(code: Path, mode: str | None, **extra: str) -> dict[str, str]:
    env = {**os.environ, **extra, "PYTHONPATH": os.pathsep.join(
        p for p in (str(code), str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")) if p)}
    env.pop("FAMILYDOC_BENCH_DB", None)
    if mode is not None:
        env["FAMILYDOC_BENCH_DB"] = mode
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_first_sync(code: Path, pc: Path, base: str, mode: str | None,
                   server_pid: int) -> dict:
    """A fresh PC: `familydoc login`, then `familydoc sync` timed (a new process each), run
    as a person runs them (encrypted), or through cipher_runner.py (plain)."""
    import bench_sync

    home = pc / "home"
    home.mkdir(parents=True)
    data = pc / "data"
    # A file keyring under a throw-away HOME (the PC's credential store: key and token).
    env = _env(code, mode, HOME=str(home), XDG_DATA_HOME=str(home / "share"),
               PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")
    entry = ["-m", "familydoc_desktop.cli.main"] if mode is None \
        else [str(ROOT / "benchmarks" / "cipher_runner.py")]
    cli = [sys.executable, *entry, "--data-dir", str(data)]
    subprocess.run([*cli, "login", "--server", base, "--username", "town",
                    "--password-stdin"], input=bench_sync.PASSWORD + "\n", text=True,
                   check=True, capture_output=True, env=env, cwd=code)
    t, cpu, server = time.perf_counter(), _children_cpu(), bench_sync.cpu_of(server_pid)
    done = subprocess.run([*cli, "sync", "--json", "--no-progress"], text=True,
                          capture_output=True, env=env, cwd=code)
    wall = time.perf_counter() - t
    cpu, server = _children_cpu() - cpu, bench_sync.cpu_of(server_pid) - server
    if done.returncode:
        raise SystemExit(f"familydoc sync ({mode or 'encrypted'}) failed: "
                         f"{(done.stderr or done.stdout)[-800:]}")
    report = json.loads(done.stdout)
    _check_kind(data / "familydoc.db", mode)
    return {"wall": wall, "cpu": cpu, "server_cpu": server, "rows": report["pulled"],
            "verified": report["verified"], "engine_s": report["seconds"]}


def _check_kind(db_file: Path, mode: str | None) -> None:
    with open(db_file, "rb") as fh:
        plain = fh.read(16) == b"SQLite format 3\x00"
    if plain != (mode is not None):
        raise SystemExit(f"{db_file}: expected {'plain' if mode else 'encrypted'}, found "
                         f"{'plain' if plain else 'encrypted'}")


def replay(code: Path, pages: Path, pc: Path, mode: str | None, base: str,
           offset: int) -> dict:
    pc.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "sync_replay.py"), "replay", str(pages),
         str(pc / "familydoc.db"), "--incremental", base, "--offset", str(offset)],
        env=_env(code, mode), cwd=code, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"sync_replay ({mode or 'encrypted'}): {done.stderr[-800:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if out["plain_file"] != (mode is not None):
        raise SystemExit(f"sync_replay ({mode or 'encrypted'}): wrong kind of file")
    return out


def sync_figures(opts, tmp: Path) -> None:  # noqa: ANN001
    import bench_sync

    code = opts.code
    server_db = tmp / "server.db"
    url = f"sqlite:///{server_db}"
    if opts.server_db:
        shutil.copyfile(opts.server_db, server_db)
        print(f"server database: a copy of {opts.server_db}")
    else:
        t = time.perf_counter()
        bench_sync.server_cli(url, "init")
        bench_sync.server_cli(url, "org", "add", "--code", "220182000000", "--name", "演示县",
                              "--level", "county")
        bench_sync.server_cli(url, "org", "add", "--code", bench_sync.TOWNSHIP, "--name",
                              "演示镇卫生院", "--level", "township", "--parent", "220182000000")
        bench_sync.server_cli(url, "user", "add", "--username", "town", "--org",
                              bench_sync.TOWNSHIP, "--role", "township_staff",
                              "--password-stdin", stdin=bench_sync.PASSWORD + "\n")
        bench_sync.server_cli(url, "demo", "--township", bench_sync.TOWNSHIP, "--residents",
                              str(opts.residents))
        print(f"demo township: {opts.residents:,} residents loaded in "
              f"{time.perf_counter() - t:.1f} s")
    modes = SYNC_MODES if not opts.with_sqlite3 else (
        SYNC_MODES[0], ("plain, sqlite3 " + sqlite3.sqlite_version, "plain340"), SYNC_MODES[1])
    proc, base = bench_sync.start_server(url, None)  # the default serve: one worker
    loads = [os.getloadavg()[0]]
    try:
        pages = tmp / "pages.pickle"
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "sync_replay.py"), "record", base,
             str(pages), "--db", str(tmp / "recorded.db")],
            env=_env(code, None), cwd=code, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"sync_replay record: {done.stderr[-800:]}")
        rec = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"code: {code}; first pull recorded: {rec['rows']:,} records in "
              f"{rec['answers']} answers, {rec['wire_bytes'] / 1e6:.1f} MB on the wire")
        cli_first_sync(code, tmp / "warm", base, None, proc.pid)  # server and OS caches
        got: dict[str, list[dict]] = {label: [] for label, _ in modes}
        for r in range(opts.rounds):
            order = modes if r % 2 == 0 else modes[::-1]
            for label, mode in order:
                n = len(got[label])
                first = cli_first_sync(code, tmp / f"pc-{label}-{n}", base, mode, proc.pid)
                lib = replay(code, pages, tmp / f"lib-{label}-{n}", mode, base,
                             offset=10_000 * (r % 5))
                got[label].append({**first, **{f"lib_{k}": v for k, v in lib.items()}})
                loads.append(os.getloadavg()[0])
                print(f"  round {r + 1} {label}: sync {first['cpu']:.2f} s CPU "
                      f"({first['wall']:.2f} s); pull replay {lib['pull_cpu']:.2f} s CPU; "
                      f"incremental {lib['inc_a_cpu']:.3f} s CPU; load {loads[-1]:.1f}",
                      flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    base_label = modes[0][0]

    def line(title: str, cpu_key: str, wall_key: str, fmt: str = ".2f") -> None:
        ref = statistics.median(x[cpu_key] for x in got[base_label])
        parts = []
        for label, _ in modes:
            cpu = statistics.median(x[cpu_key] for x in got[label])
            wall = statistics.median(x[wall_key] for x in got[label])
            parts.append(f"{label} {cpu:{fmt}} ({wall:{fmt}})"
                         + ("" if label == base_label else f" {(cpu / ref - 1) * 100:+.0f} %"))
        print(f"  {title}: " + "; ".join(parts))

    rows = got[modes[-1][0]][0]["rows"]
    print(f"same code, plain vs encrypted (HMAC-SHA256, new PC), median of {opts.rounds} "
          f"rounds alternated, CPU s (wall s); load average {min(loads):.1f}-{max(loads):.1f} "
          f"on {os.cpu_count()} cores")
    line(f"USER-VISIBLE `familydoc sync` on a fresh PC ({rows:,} records, digest checked: "
         f"{got[modes[-1][0]][0]['verified']}), client process", "cpu", "wall")
    line("  server process CPU during it (wall: the engine's own clock)", "server_cpu",
         "engine_s")
    line("LIBRARY-LEVEL first pull replayed into a fresh PC (SyncEngine.pull, no server)",
         "lib_pull_cpu", "lib_pull_wall")
    line("  making the fresh PC database (schema) before it", "lib_open_cpu", "lib_open_wall",
         ".3f")
    line("incremental round, 1,000 edits each way: the PC that pushes 1,000 and pulls 1,000",
         "lib_inc_a_cpu", "lib_inc_a_wall", ".3f")
    line("  then the other PC pulling those 1,000", "lib_inc_b_cpu", "lib_inc_b_wall", ".3f")


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
