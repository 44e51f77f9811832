"""A PC whose date ran a year ahead, against a real server (uvicorn on loopback, SQLite):
N edits made while ahead (default 5,000: half new residents, half phone changes of them)
are refused by the server (`clock_ahead`) and set aside; then the date is put right and the
next sync restarts the clock and sends them all re-stamped.

Prints: the refusing sync round (seconds, refused), the round after the date is right
(seconds, of it `clock.correct` alone, requeued, pushed), and whether the other PC of the
clinic then holds every edit.
Library level only: the PC's wrong date is this process's `changes.wall_ms`; a
`familydoc sync` process would need the machine's date changed.
Run: python benchmarks/bench_clock.py [--edits N]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bench_keyring  # noqa: F401  (the database key: before keyring is used)
import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select  # noqa: E402

from familydoc_desktop.domain.models import Resident  # noqa: E402
from familydoc_desktop.store import changes  # noqa: E402
from familydoc_desktop.store.database import Database  # noqa: E402
from familydoc_desktop.sync import clock, session  # noqa: E402
from tests.sync.sync_live import PASSWORD, LiveServer, MemoryKeyring, light_argon2  # noqa: E402

YEAR_MS = 365 * 24 * 3_600_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=5000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-clock-"))
    keyring.set_keyring(MemoryKeyring())
    light_argon2()
    server = LiveServer(root / "server.db")
    server.setup_world()
    server.start()
    real = changes.wall_ms
    skew = [0]
    changes.wall_ms = lambda: real() + skew[0]
    try:
        pcs = []
        for name in ("doc_a1", "doc_a2"):
            (root / name).mkdir()
            db = Database(root / name / "familydoc.db")
            session.login(db, server.url, name, PASSWORD)
            pcs.append(db)
        ahead, other = pcs
        home = server.clinic()
        skew[0] = YEAR_MS
        half = args.edits // 2
        with ahead.session() as s:
            made = [Resident(org_id=home, name=f"超前{i}", sex="female") for i in range(half)]
            s.add_all(made)
        with ahead.session() as s:
            for r in s.exec(select(Resident)):
                r.phone = f"139{int(r.name[2:]):08d}"
        engine = session.make_engine(ahead, reconcile=False)
        t = time.perf_counter()
        refused = engine.run()
        refusing_s = time.perf_counter() - t
        print(f"clock +1 year, {args.edits} edits: sync round {refusing_s:.2f} s, "
              f"refused and set aside {refused.refused}, pushed {refused.pushed}")

        skew[0] = 0
        with ahead.session() as s:
            s.exec(select(Resident).where(Resident.name == "超前0")).one().note = "改正后"
        timing: dict[str, float] = {}
        original = clock.correct

        def timed_correct(db, offset_ms):  # noqa: ANN001, ANN202
            started = time.perf_counter()
            try:
                return original(db, offset_ms)
            finally:
                timing["correct"] = time.perf_counter() - started

        clock.correct = timed_correct
        t = time.perf_counter()
        fixed = engine.run()
        fixed_s = time.perf_counter() - t
        clock.correct = original
        print(f"date put right: sync round {fixed_s:.2f} s (clock.correct "
              f"{timing.get('correct', 0) * 1000:.0f} ms), restarted {fixed.clock_restarted}, "
              f"requeued {fixed.requeued}, pushed {fixed.pushed}, refused {fixed.refused}")
        session.make_engine(other, reconcile=False).run()
        with other.session() as s:
            rows = s.exec(select(Resident)).all()
        complete = len(rows) == half and all(r.phone for r in rows)
        print(f"the clinic's other PC holds {len(rows)} residents, every phone: {complete}")
        for db in pcs:
            db.close()
    finally:
        changes.wall_ms = real
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
