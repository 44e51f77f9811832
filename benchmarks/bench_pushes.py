"""Health-information pushes on a demo township (default 60,000 residents) whose signed
residents have had 0-14 pushes each this year (about 7 on average, ~300,000 rows).

Prints (median of ROUNDS runs unless said otherwise):
  * the pushes tab's first load: count + first page of signed residents short of 12
    (all villages; one village; every signed resident), as ui/screens/pushes.py asks;
  * a deep page (offset 20,000) as the view's fetchMore asks when scrolled far;
  * a push to everyone one village lists (push_due_ids + add_pushes with the outbox), once,
    and to everyone a township PC lists (push_to_group, as the form runs it on the worker);
  * the township report's total (every indicator, health_push_12_rate among them);
  * end to end: `familydoc push add ID --topic T --channel wechat` as a process.
Targets: first load <= 300 ms, a village push (about 2,000 residents) <= 2 s (it runs on
the GUI thread below PushDialog.BACKGROUND_FROM residents).
Run: python benchmarks/bench_pushes.py [--residents N] [--rounds N]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import bench_keyring  # noqa: F401  (the database key: before keyring is used)
from sqlalchemy import text

from familydoc_desktop.domain.models.base import new_id, utcnow
from familydoc_desktop.store import bulk, services
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.report import township_report


def timed(fn, rounds: int) -> tuple[float, object]:  # noqa: ANN001
    times, out = [], None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    today = date.today()
    rnd = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "familydoc.db"
        db = Database(path)
        t = time.perf_counter()
        bulk.load_demo(db, residents=args.residents, seed=1, today=today)
        with db.session(capture=False) as s:
            signed = s.execute(text(
                "SELECT r.id, r.org_id FROM resident r JOIN contract c ON c.resident_id = r.id"
                " AND c.deleted = 0 AND c.status != 'terminated' AND c.start_date <= :on"
                " AND c.end_date >= :on WHERE r.deleted = 0"), {"on": today.isoformat()}).all()
            now, rows = utcnow(), []
            days = max(1, (today - date(today.year, 1, 1)).days)
            for rid, org in signed:
                for _ in range(rnd.randint(0, 14)):
                    rows.append({"id": new_id(), "org_id": org, "created_at": now,
                                 "updated_at": now, "deleted": False, "hlc": "",
                                 "resident_id": rid, "channel": "wechat", "topic": "演示",
                                 "on_date": date(today.year, 1, 1)
                                 + timedelta(days=rnd.randrange(days))})
            bulk.bulk_insert(s, "health_push", rows)
            village = s.execute(text(
                "SELECT village_code, count(*) FROM resident WHERE deleted = 0"
                " GROUP BY village_code ORDER BY 2 DESC LIMIT 1")).first()[0]
            s.execute(text("ANALYZE"))
        print(f"demo township {args.residents} residents, {len(signed)} signed, "
              f"{len(rows)} pushes this year: built in {time.perf_counter() - t:.1f} s")

        def first_load(**kw):  # noqa: ANN003, ANN202
            with db.session() as s:
                return (services.push_due_count(s, **kw),
                        len(services.push_due_list(s, limit=200, **kw)))
        for label, kw in (("all villages, short of 12", {}),
                          ("one village, short of 12", {"village_code": village}),
                          ("every signed resident", {"short_only": False}),
                          ("aged 65+, short of 12", {"population": "aged_65"})):
            ms, (total, page) = timed(lambda: first_load(**kw), args.rounds)
            print(f"pushes tab first load ({label}): {ms:.0f} ms  [{total} residents, "
                  f"page {page}]")

        def deep():  # noqa: ANN202
            with db.session() as s:
                return services.push_due_list(s, offset=20000, limit=200, short_only=False)
        ms, _ = timed(deep, args.rounds)
        print(f"page at offset 20,000 (fetchMore): {ms:.0f} ms")

        t = time.perf_counter()
        with db.session() as s:
            ids = services.push_due_ids(s, village_code=village)
            from familydoc_desktop.store import orgs
            orgs.set_home_clinic(s, s.execute(text(
                "SELECT org_id FROM resident WHERE village_code = :v LIMIT 1"),
                {"v": village}).scalar_one())
        with db.session() as s:
            pushed = services.add_pushes(s, resident_ids=ids, topic="冬季防跌倒",
                                         channel="wechat")
        print(f"push to everyone one village lists: {len(pushed)} residents in "
              f"{(time.perf_counter() - t) * 1000:.0f} ms (with their outbox entries)")
        with db.session() as s:  # a township account's PC: every clinic's residents
            from familydoc_desktop.domain.models import Organisation
            from familydoc_desktop.store.settings import set_setting
            town = s.execute(text("SELECT id FROM organisation WHERE level = 'township'"
                                  " LIMIT 1")).scalar_one()
            set_setting(s, "login_org_id", town)
            assert s.get(Organisation, town) is not None
        t = time.perf_counter()
        with db.session() as s:
            everyone = services.push_due_ids(s)
            written = services.push_to_group(s, resident_ids=everyone, topic="流感疫苗接种",
                                             channel="sms")
        print(f"push to everyone the township lists (on the worker): {written} residents in "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")

        def report():  # noqa: ANN202
            with db.session() as s:
                return township_report(s, on=today).total.values
        ms, values = timed(report, max(1, args.rounds // 2))
        print(f"township report (every indicator): {ms:.0f} ms  [health_push_12_rate "
              f"{values['health_push_12_rate']} %]")
        from familydoc_desktop.domain.report_tally import window
        from familydoc_desktop.store.report import QUERIES

        def push_rows():  # noqa: ANN202
            with db.session() as s:
                return len(s.execute(text(QUERIES["health_push"]),
                                     window(today, date(today.year, 1, 1), today)).all())
        ms, n = timed(push_rows, args.rounds)
        print(f"  of which reading the year's push rows: {ms:.0f} ms  [{n} rows]")
        db.close()

        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        times = []
        for _ in range(3):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main",
                                   "--data-dir", tmp, "--json", "push", "add", ids[0],
                                   "--topic", "控盐", "--channel", "sms"],
                                  capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - t)
            assert done.returncode == 0, done.stderr
        print(f"familydoc push add (process, 1 resident): median {statistics.median(times):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
