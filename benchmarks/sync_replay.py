"""Library-level sync figures for `bench_encryption.py --sync`, each in a fresh process whose
database is opened as FAMILYDOC_BENCH_DB says (cipher_runner.py: `plain353` a plain file
through SQLCipher's own SQLite with no key, `plain340` through Python's sqlite3, unset as the
app does: encrypted). The same code either way; only the file's encryption differs.

    python benchmarks/sync_replay.py record SERVER_URL PAGES_FILE
        a first pull from the server into a fresh PC (SyncEngine.pull), every answer the
        client got saved, in order
    python benchmarks/sync_replay.py replay PAGES_FILE DB_FILE [--incremental SERVER_URL]
        [--offset N] [--rounds N]
        a fresh PC database at DB_FILE (its making timed apart: schema and migrations), then
        the saved first pull applied through SyncEngine.pull with no server and no network
        (the answers handed back decompressed: what is left is parsing the pages and writing
        them, CPU of this process, prefetch thread included); with --incremental, then
        rounds of 1,000 edits each way between this PC and a copy of it (a second PC)
        through the server, as bench_sync.py times them

Prints one JSON line. Benchmarks only: the plain mode is cipher_runner's, never the app's.
"""
from __future__ import annotations

import argparse
import json
import pickle
import shutil
import statistics
import sys
import time
from collections import defaultdict, deque
from pathlib import Path

import bench_keyring  # noqa: F401  (before keyring is used)
import cipher_runner  # noqa: F401  (opens the database as FAMILYDOC_BENCH_DB says)
import keyring

from bench_sync import PASSWORD, MemoryKeyring, edit_notes
from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from familydoc_desktop.sync.engine import SyncEngine
from familydoc_desktop.sync.http import Client


def _key(method: str, path: str, params: dict | None) -> tuple:
    return method, path, tuple(sorted((params or {}).items()))


class Recorder(Client):
    """A real client that keeps every answer (decompressed) and its bytes on the wire."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.saved: list[tuple[tuple, bytes, int]] = []

    def _request_once(self, method: str, path: str, *, params: dict | None = None,
                      data: bytes | None = None) -> bytes:
        before = self.bytes_received
        body = super()._request_once(method, path, params=params, data=data)
        self.saved.append((_key(method, path, params), body, self.bytes_received - before))
        return body


class Replayer(Client):
    """Hands back the saved answers, in the order they came for each request; no server."""

    def __init__(self, saved: list[tuple[tuple, bytes, int]]) -> None:
        super().__init__("http://replay.invalid")
        self.answers: dict[tuple, deque] = defaultdict(deque)
        for key, body, wire in saved:
            self.answers[key].append((body, wire))

    def _request_once(self, method: str, path: str, *, params: dict | None = None,
                      data: bytes | None = None) -> bytes:
        found = self.answers.get(_key(method, path, params))
        if not found:
            raise SystemExit(f"replay: no saved answer for {method} {path} {params}")
        body, wire = found.popleft()
        self.bytes_received += wire
        return body


def record(server: str, pages: Path, where: Path) -> None:
    keyring.set_keyring(MemoryKeyring())
    db = Database(where)
    session.login(db, server, "town", PASSWORD)
    token = session.current(db).token
    client = Recorder(server, token=token)
    eng = SyncEngine(db, server, username="town", token=token, client=client, reconcile=False)
    rows, _ = eng.pull(lambda *_: None)
    db.close()
    with open(pages, "wb") as fh:
        pickle.dump(client.saved, fh)
    print(json.dumps({"rows": rows, "answers": len(client.saved),
                      "wire_bytes": client.bytes_received}))


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def replay(pages: Path, where: Path, server: str | None, offset: int, rounds: int) -> None:
    keyring.set_keyring(MemoryKeyring())
    with open(pages, "rb") as fh:
        saved = pickle.load(fh)
    out: dict = {"mode": cipher_runner.MODE or "encrypted"}
    start = _clock()
    db = Database(where)
    out["open_wall"], out["open_cpu"] = _since(start)
    eng = SyncEngine(db, "http://replay.invalid", username="town", token="replay",
                     client=Replayer(saved), reconcile=False)
    start = _clock()
    out["rows"], _ = eng.pull(lambda *_: None)
    out["pull_wall"], out["pull_cpu"] = _since(start)
    out["plain_file"] = dbengine.is_plain(where)
    if server:
        out.update(incremental(db, where, server, offset, rounds))
    else:
        db.close()
    print(json.dumps(out))


def incremental(a: Database, where: Path, server: str, offset: int, rounds: int) -> dict:
    """bench_sync's round: B edits 1,000 and syncs; A edits 1,000 other rows and syncs
    (pushes its 1,000, pulls B's; timed); then B syncs (pulls A's; timed)."""
    session.login(a, server, "town", PASSWORD)
    session.make_engine(a, reconcile=False).run()  # what earlier rounds pushed meanwhile
    a.close()
    other = where.with_name("second-pc.db")
    for side in ("", "-wal"):  # (closed: the WAL is normally gone already)
        if Path(f"{where}{side}").exists():
            shutil.copyfile(f"{where}{side}", f"{other}{side}")
    a = Database(where)
    b = Database(other)  # a copy opened elsewhere: a new device id (store.database)
    session.login(a, server, "town", PASSWORD)
    eng = session.make_engine(a, reconcile=False)
    session.login(b, server, "town", PASSWORD)
    eng_b = session.make_engine(b, reconcile=False)
    times: dict[str, list[float]] = {"inc_a_wall": [], "inc_a_cpu": [], "inc_b_wall": [],
                                     "inc_b_cpu": []}
    for k in range(rounds):
        at = offset + 2000 * k
        edit_notes(b, 1000, at, f"乙机修改{cipher_runner.MODE}{offset}-{k}")
        eng_b.run()
        edit_notes(a, 1000, at + 1000, f"甲机修改{cipher_runner.MODE}{offset}-{k}")
        start = _clock()
        report = eng.run()
        wall, cpu = _since(start)
        times["inc_a_wall"].append(wall)
        times["inc_a_cpu"].append(cpu)
        start = _clock()
        report_b = eng_b.run()
        wall, cpu = _since(start)
        times["inc_b_wall"].append(wall)
        times["inc_b_cpu"].append(cpu)
        if report.pushed != 1000 or report_b.pulled < 1000:
            raise SystemExit(f"incremental round: A pushed {report.pushed}, B pulled "
                             f"{report_b.pulled}")
    a.close()
    b.close()
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("record")
    r.add_argument("server")
    r.add_argument("pages", type=Path)
    r.add_argument("--db", type=Path, required=True)
    p = sub.add_parser("replay")
    p.add_argument("pages", type=Path)
    p.add_argument("db", type=Path)
    p.add_argument("--incremental", metavar="SERVER_URL")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--rounds", type=int, default=3)
    opts = ap.parse_args()
    if opts.what == "record":
        record(opts.server, opts.pages, opts.db)
    else:
        replay(opts.pages, opts.db, opts.incremental, opts.offset, opts.rounds)


if __name__ == "__main__":
    sys.exit(main())
