"""Client sync figures against a real server process on loopback, with the demo township.

Prints:
  * the user-visible first sync: `familydoc login` then `familydoc sync` run as processes on a
    fresh PC data directory against the default `familydoc-server serve` (process start,
    login check, pull, the first sync's digest check and all) — target <= 9 s;
  * library-level: first full pull of the township (records/s, seconds, compressed bytes per record on the
    wire) — targets >= 25,000 records/s and <= 100 bytes/record;
  * an incremental round of 1,000 edits each way (seconds) — target <= 0.3 s;
  * the server's push apply rate (mutations/s);
  * 50 concurrent clients syncing (p50/p99 latency, errors) — target zero errors.
Run: python benchmarks/bench_sync.py [RESIDENTS] [--workers N] [--only-cli] [--clients N]
The same first sync and incremental round with the PC's database plain vs encrypted (what the
cipher costs, same code, alternated): benchmarks/bench_encryption.py --sync.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench_keyring  # noqa: F401,E402  (the database key: before keyring is used)
import keyring
import requests
from keyring.backend import KeyringBackend
from sqlmodel import select

from familydoc_desktop.domain.models import Resident, SyncState, new_id
from familydoc_desktop.store.database import Database, sqlite_backup
from familydoc_desktop.sync import apply, session
from familydoc_desktop.sync.engine import SyncEngine

TOWNSHIP = "220182105000"
PASSWORD = "bench-pass-1"
ROUNDS = 5


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict = {}

    def get_password(self, service, username):  # noqa: ANN001, ANN201
        return self.store.get((service, username))

    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        self.store[(service, username)] = password

    def delete_password(self, service, username):  # noqa: ANN001, ANN201
        self.store.pop((service, username), None)


def server_cli(url: str, *args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "sync_server.cli", "--database-url", url, *args],
                   input=stdin, text=True, check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, workers: int | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    extra = ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "--database-url", url,
                             "serve", "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/api/v1/health", timeout=1).ok:
                return proc, base
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def clone_device(src: Database, path: Path) -> Database:
    """A second, already caught-up PC: a copy of the database under a new device id."""
    sqlite_backup(src.path, path)
    db = Database(path)
    with db.session(capture=False) as s:
        s.get(SyncState, "device_id").value = new_id()
    db.close()
    return Database(path)


def edit_notes(db: Database, n: int, offset: int, text: str) -> None:
    with db.session() as s:
        rows = s.exec(select(Resident).order_by(Resident.id).offset(offset).limit(n)).all()
        for r in rows:
            r.note = text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("residents", nargs="?", type=int, default=60_000)
    # SQLite serves with one worker (the server refuses more): --workers N with PostgreSQL.
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--server-db", type=Path,
                    help="a copy of this server database (made by an earlier run) instead of "
                         "loading the demo township again")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--only-cli", action="store_true",
                    help="only the user-visible first sync (the quick check, ~1 min)")
    opts = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    tmp = Path(tempfile.mkdtemp(prefix="familydoc-bench-sync-"))
    url = f"sqlite:///{tmp / 'server.db'}"
    if opts.server_db:
        shutil.copyfile(opts.server_db, tmp / "server.db")
        print(f"server database: a copy of {opts.server_db}")
    else:
        t = time.perf_counter()
        server_cli(url, "init")
        server_cli(url, "org", "add", "--code", "220182000000", "--name", "演示县", "--level",
                   "county")
        server_cli(url, "org", "add", "--code", TOWNSHIP, "--name", "演示镇卫生院", "--level",
                   "township", "--parent", "220182000000")
        server_cli(url, "user", "add", "--username", "town", "--org", TOWNSHIP, "--role",
                   "township_staff", "--password-stdin", stdin=PASSWORD + "\n")
        server_cli(url, "demo", "--township", TOWNSHIP, "--residents", str(opts.residents))
        print(f"demo township: {opts.residents:,} residents loaded in "
              f"{time.perf_counter() - t:.1f} s (a copy is kept at {tmp / 'server-demo.db'}"
              f": pass it as --server-db to skip this next time)")
        shutil.copyfile(tmp / "server.db", tmp / "server-demo.db")
    # The user-visible figure runs against the default `serve` (one worker on SQLite).
    proc, base = start_server(url, None)
    try:
        cli_first_sync(tmp, base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    if opts.only_cli:
        return
    proc, base = start_server(url, opts.workers)
    try:
        run(tmp, base, opts)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def cpu_of(pid: int) -> float:
    """User + system CPU seconds a running process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_first_sync(tmp: Path, base: str, server_pid: int) -> None:
    """What a township user waits for on a fresh PC: two commands, each a new process."""
    home = tmp / "cli-home"
    home.mkdir()
    data = tmp / "cli-pc"
    # A file keyring under a throw-away HOME: headless Linux has no credential store.
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "share"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    cli = [sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir", str(data)]
    t = time.perf_counter()
    subprocess.run([*cli, "login", "--server", base, "--username", "town", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True, env=env)
    login_s = time.perf_counter() - t
    t, cpu, server_cpu = time.perf_counter(), children_cpu(), cpu_of(server_pid)
    done = subprocess.run([*cli, "sync", "--json", "--no-progress"], text=True,
                          capture_output=True, env=env)
    sync_s = time.perf_counter() - t
    cpu, server_cpu = children_cpu() - cpu, cpu_of(server_pid) - server_cpu
    if done.returncode:
        raise SystemExit(f"familydoc sync failed: {done.stderr or done.stdout}")
    report = json.loads(done.stdout)
    rows = report["pulled"]
    print(f"USER-VISIBLE first sync (`familydoc sync` process on a fresh PC, default serve): "
          f"{sync_s:.2f} s for {rows:,} records = {rows / sync_s:,.0f} records/s, "
          f"{report['bytes_received'] / max(rows, 1):.1f} bytes/record on the wire, digest "
          f"checked: {report['verified']} (engine's own clock {report['seconds']:.2f} s, of "
          f"it pulling {report.get('pull_seconds', 0):.2f} s; CPU: "
          f"client process {cpu:.2f} s, server {server_cpu:.2f} s; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores) [target <= 9 s, <= 40 "
          f"bytes/record]; `familydoc login` before it: {login_s:.2f} s")
    # The reconciliation a user asks for on the caught-up PC: nothing to pull, every table's
    # digest compared (issue 14: of the values, not only of (id, seq)).
    t, cpu, server_cpu = time.perf_counter(), children_cpu(), cpu_of(server_pid)
    done = subprocess.run([*cli, "sync", "--verify", "--json", "--no-progress"], text=True,
                          capture_output=True, env=env)
    verify_s = time.perf_counter() - t
    cpu, server_cpu = children_cpu() - cpu, cpu_of(server_pid) - server_cpu
    if done.returncode:
        raise SystemExit(f"familydoc sync --verify failed: {done.stderr or done.stdout}")
    report = json.loads(done.stdout)
    print(f"USER-VISIBLE `familydoc sync --verify` on that caught-up PC ({rows:,} records): "
          f"{verify_s:.2f} s (engine's own clock {report['seconds']:.2f} s; CPU: client "
          f"process {cpu:.2f} s, server {server_cpu:.2f} s), verified: {report['verified']}, mismatched tables: "
          f"{report['reconciled_tables'] or 'none'}")


def run(tmp: Path, base: str, opts) -> None:  # noqa: ANN001
    a = Database(tmp / "a.db")
    session.login(a, base, "town", PASSWORD)
    eng = session.make_engine(a, reconcile=False)

    t = time.perf_counter()
    rows, _ = eng.pull(lambda *_: None)
    pull_s = time.perf_counter() - t
    wire = eng.client.bytes_received
    print(f"LIBRARY-LEVEL first full pull (in-process SyncEngine.pull, no process start, no "
          f"login, no digest): {rows:,} records in {pull_s:.2f} s = {rows / pull_s:,.0f} "
          f"records/s, {wire / rows:.1f} bytes/record on the wire (gzip) "
          f"[targets >= 25,000 records/s, <= 100 bytes/record]")
    t = time.perf_counter()
    drift = eng.reconcile(lambda *_: None)
    print(f"reconciliation (digest of every table's values): {time.perf_counter() - t:.2f} s, "
          f"drifted tables: {drift or 'none'}")
    with a.session(capture=False) as s:  # behind the app's back (issue 14)
        s.connection().exec_driver_sql(
            "UPDATE resident SET phone = '13000000000' WHERE id = "
            "(SELECT id FROM resident ORDER BY id LIMIT 1 OFFSET 777)")
    t = time.perf_counter()
    drift = eng.reconcile(lambda *_: None)
    print(f"  the same after one phone was changed with SQL: {time.perf_counter() - t:.2f} s, "
          f"drifted tables: {drift}, records re-written: "
          f"{sum(r.rows for r in eng.repairs)}")

    b = clone_device(a, tmp / "b.db")
    session.login(b, base, "town", PASSWORD)
    eng_b = session.make_engine(b, reconcile=False)
    # Five rounds on fresh rows: one round is a single sample on a shared 2-core machine.
    rounds, backs = [], []
    for k in range(ROUNDS):
        edit_notes(b, 1000, 2000 * k, f"乙机修改{k}")
        eng_b.run()
        edit_notes(a, 1000, 2000 * k + 1000, f"甲机修改{k}")
        t = time.perf_counter()
        report = eng.run()
        rounds.append(time.perf_counter() - t)
        t = time.perf_counter()
        report_b = eng_b.run()
        backs.append(time.perf_counter() - t)
    print(f"incremental round, 1,000 edits each way (A pushes {report.pushed} and pulls "
          f"{report.pulled}, its own edits coming back with their server_seq), {ROUNDS} "
          f"rounds: median {statistics.median(rounds):.3f} s, max {max(rounds):.3f} s; then "
          f"B pulls {report_b.pulled}: median {statistics.median(backs):.3f} s "
          f"[target <= 0.3 s]")
    verify = SyncEngine(a, base, username="town", token=eng.client.token, reconcile=True)
    edit_notes(b, 1000, 20000, "乙机再改")
    eng_b.run()
    edit_notes(a, 1000, 25000, "甲机再改")
    t = time.perf_counter()
    verify.run()
    print(f"  the same round with the periodic digest check (every 6 h): "
          f"{time.perf_counter() - t:.3f} s")

    clinic = next(iter(_clinics(a)))
    with a.session() as s:
        for i in range(5000):
            s.add(Resident(org_id=clinic, name=f"新居民{i}", sex="female"))
    t = time.perf_counter()
    pushed, _ = eng.push(lambda *_: None)
    push_s = time.perf_counter() - t
    print(f"push apply: {pushed:,} mutations in {push_s:.2f} s = {pushed / push_s:,.0f} "
          f"mutations/s (batches of 1,000, server and client on loopback)")
    eng.pull(lambda *_: None)
    concurrent(tmp, base, clinic, int(apply.get_state(a, apply.CURSOR_KEY)), opts.clients)


def _clinics(db: Database) -> list[str]:
    from familydoc_desktop.domain.models import Organisation

    with db.session() as s:
        return [o.id for o in s.exec(select(Organisation).where(Organisation.level == "clinic"))]


def concurrent(tmp: Path, base: str, clinic: str, cursor: int, n: int) -> None:
    """n PCs that synced before (cursor at the server's head) each add 20 records and sync
    at the same moment (digest check off: these copies hold only the cursor, not the data)."""
    engines = []
    for i in range(n):
        db = Database(tmp / f"c{i}.db")
        session.login(db, base, "town", PASSWORD)
        # One account, n PCs: the keyring holds one token per (server, user), so each
        # engine takes its token right after its own login.
        engines.append(session.make_engine(db, reconcile=False))
        apply.set_state(db, apply.CURSOR_KEY, str(cursor))
        with db.session() as s:
            for j in range(20):
                s.add(Resident(org_id=clinic, name=f"并发{i}-{j}", sex="male"))
    barrier = threading.Barrier(n)
    latencies, errors = [], []

    def one(eng: SyncEngine) -> None:
        barrier.wait()
        t = time.perf_counter()
        try:
            rep = eng.run()
            assert rep.pending == 0
            latencies.append(time.perf_counter() - t)
        except Exception as exc:  # noqa: BLE001 — counted and shown
            errors.append(repr(exc))

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(one, engines))
    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    print(f"{n} concurrent clients (20 new records each, push + pull): "
          f"p50 {statistics.median(lat) if lat else float('nan'):.3f} s, p99 {p99:.3f} s, "
          f"errors {len(errors)} [target 0]" + (f" first: {errors[0]}" if errors else ""))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
