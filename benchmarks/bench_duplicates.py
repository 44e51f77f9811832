"""Duplicate residents on a demo township: the candidate list, one merge, and what the sync
pays after every pull to re-point records of merged residents (store.merge.follow_merges).

Prints two kinds of figure, and says which is which:
- library: find_candidates, merge_residents, follow_merges over every merged resident (none,
  then N) and as the sync runs it after a pull (only the residents the pulled rows name);
- command: `familydoc --json duplicates` as a person runs it, process start included.

python benchmarks/bench_duplicates.py [--residents 60000] [--pairs 200] [--seed 3]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select  # noqa: E402

from familydoc_desktop.domain.models import Resident  # noqa: E402
from familydoc_desktop.store import bulk, merge, residents  # noqa: E402
from familydoc_desktop.store.database import Database  # noqa: E402


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=60000)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "familydoc.db"
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        db = Database(path)
        _, load = timed(lambda: bulk.load_demo(db, residents=args.residents, seed=args.seed))
        print(f"demo load: {args.residents} residents in {load:.1f} s")
        with db.session() as s:
            base = len(merge.find_candidates(s))
            originals = s.exec(select(Resident).where(
                Resident.id_number.is_not(None), Resident.village_code.is_not(None),
                Resident.deleted == False).order_by(Resident.id).limit(args.pairs)).all()  # noqa: E712
            copies = [residents.create_resident(
                s, org_id=r.org_id, name=r.name, sex=r.sex, birth_date=r.birth_date,
                village_code=r.village_code).id for r in originals]
            pairs = [(r.id, c) for r, c in zip(originals, copies)]
        print(f"candidates in the demo itself: {base}; {len(pairs)} second registrations added")
        with db.session() as s:
            found, t_find = timed(lambda: merge.find_candidates(s))
        print(f"library find_candidates: {len(found)} pairs in {t_find * 1000:.0f} ms")
        with db.session() as s:
            _, t_follow0 = timed(lambda: merge.follow_merges(s))
        with db.session() as s:
            _, t_page = timed(lambda: merge.candidate_rows(s, limit=200))
        print(f"library candidate_rows (first page of 200, with record counts): "
              f"{t_page * 1000:.0f} ms")
        db.close()
        for argv in (["--json", "duplicates"], ["--json", "search", "查无此人"]):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main",
                                  "--data-dir", tmp, *argv], capture_output=True, env=env,
                                 check=True)
            print(f"command `familydoc {' '.join(argv)}`: {time.perf_counter() - start:.2f} s"
                  f" ({len(out.stdout)} bytes of JSON)")
        db = Database(path)
        merge_times = []
        for keep, drop in pairs:
            with db.session() as s:
                _, t = timed(lambda: merge.merge_residents(s, keep, drop))
            merge_times.append(t)
        merge_times.sort()
        print(f"library merge_residents: median {merge_times[len(merge_times) // 2] * 1000:.0f} ms,"
              f" max {merge_times[-1] * 1000:.0f} ms over {len(merge_times)} merges"
              " (each its own transaction)")
        with db.session() as s:
            moved, t_follow = timed(lambda: merge.follow_merges(s))
            plain = set(s.exec(select(Resident.id).where(Resident.merged_into.is_(None))
                               .order_by(Resident.id).limit(1000)))
            some = plain | {drop for _keep, drop in pairs[:10]}
        with db.session() as s:
            _, t_plain = timed(lambda: merge.follow_merges(s, among=plain))
        with db.session() as s:
            moved_among, t_among = timed(lambda: merge.follow_merges(s, among=some))
        print(f"library follow_merges, every merged resident: {t_follow0 * 1000:.1f} ms with no "
              f"merged resident, {t_follow * 1000:.1f} ms with {len(pairs)} merged "
              f"({moved} rows moved)")
        print(f"library follow_merges as the sync runs it after a pull whose rows name 1,000 "
              f"residents: {t_plain * 1000:.1f} ms when none of them is merged, "
              f"{t_among * 1000:.1f} ms when 10 are ({moved_among} rows moved)")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
