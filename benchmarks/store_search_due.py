"""Resident search, due list and ledger on a synthetic township (default 60,000 residents).

Prints p50/p95 search latency per query form, the due-list and ledger timings, the home
screen refresh (due_list + elderly_visit_progress + ledger_counts, as ui/screens/home.py
calls them), the indicator report, and the query plan of each search form (every one must be an index SEARCH).
Targets: search p95 <= 30 ms, home refresh < 1 s.
Run: python benchmarks/store_search_due.py [N]
 or: python benchmarks/store_search_due.py path/to/familydoc.db  (e.g. a `familydoc demo
     --residents 60000` database: home refresh, ledger pages, indicator report and
     reevaluate_all only)
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, text

import bench_keyring  # noqa: F401,E402  (the database key: before keyring is used)
from familydoc_desktop.domain.idcard import check_digit
from familydoc_desktop.domain.models import (
    Contract, Diagnosis, FollowupVisit, Resident, new_id,
)
from familydoc_desktop.store import due, ledger, orgs, search
from familydoc_desktop.store.report import township_report
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.search_keys import resident_keys

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀英桂兰玉凤建国志强丽娟春梅国华明德淑珍小红海燕金山永福文华翠花桂芝德胜"
ON = date(2026, 6, 1)


def build(db: Database, n: int, rnd: random.Random) -> None:
    with db.session(capture=False) as s:
        org = orgs.ensure_local_clinic(s).id
        villages = [f"22010200{i:04d}" for i in range(1, 21)]
        residents, contracts, dx, visits = [], [], [], []
        for i in range(n):
            born = date(1930, 1, 1) + timedelta(days=rnd.randrange(95 * 365))
            first17 = f"{220100 + i // 1000:06d}{born:%Y%m%d}{i % 1000:03d}"
            idn = first17 + check_digit(first17)
            name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
            phone = f"13{rnd.randrange(10**9):09d}"
            rid = new_id()
            residents.append(dict(id=rid, org_id=org, name=name, sex="male" if i % 2 else "female",
                                  birth_date=born, id_number=idn, phone=phone,
                                  village_code=rnd.choice(villages), needs_id_match=False,
                                  registered=True, deleted=False, hlc="",
                                  **resident_keys(name, idn, phone)))
            if rnd.random() < 0.7:
                start = ON - timedelta(days=rnd.randrange(700))
                contracts.append(dict(id=new_id(), org_id=org, resident_id=rid, start_date=start,
                                      end_date=start + timedelta(days=729), term_years=2,
                                      status="active", consent_by="resident", deleted=False,
                                      hlc="", fee_public_health_fen=3000, fee_insurance_fen=2000,
                                      fee_personal_fen=0))
                if rnd.random() < 0.3:
                    cond = rnd.choice(("hypertension", "diabetes"))
                    dx.append(dict(id=new_id(), org_id=org, resident_id=rid, condition=cond,
                                   start_date=date(2015, 1, 1), deleted=False, hlc=""))
                    for k in range(rnd.randrange(4)):
                        visits.append(dict(
                            id=new_id(), org_id=org, resident_id=rid, kind=cond,
                            visit_date=ON - timedelta(days=30 * k + rnd.randrange(30)),
                            method="clinic", sbp=rnd.randrange(110, 190), dbp=rnd.randrange(60, 105),
                            fasting_glucose=round(rnd.uniform(4, 12), 1),
                            visit_class=rnd.choice(("satisfactory", "unsatisfactory")),
                            deleted=False, hlc="", adverse_reaction=False, new_complication=False,
                            referral=False))
        for model, rows in ((Resident, residents), (Contract, contracts), (Diagnosis, dx),
                            (FollowupVisit, visits)):
            for i in range(0, len(rows), 5000):
                s.execute(insert(model), rows[i:i + 5000])
    print(f"built {n} residents, {len(contracts)} contracts, {len(dx)} chronic patients, "
          f"{len(visits)} visits")


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return result, times


def home_refresh(s, on: date, repeat: int = 3) -> None:
    """The home screen's three calls (ui/screens/home.py reload), median of `repeat` runs."""
    parts: dict[str, list[float]] = {"due_list": [], "progress": [], "ledger_counts": [],
                                     "total": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = due.due_list(s, on, horizon_days=7)
        t1 = time.perf_counter()
        progress = due.elderly_visit_progress(s, on.year, on)
        t2 = time.perf_counter()
        counts = ledger.ledger_counts(s, on)
        t3 = time.perf_counter()
        for key, ms in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            parts[key].append(ms * 1000)
    print(f"home refresh: due_list {statistics.median(parts['due_list']):.0f} ms ({len(rows)} rows)"
          f" | progress {statistics.median(parts['progress']):.0f} ms {progress}"
          f" | ledger_counts {statistics.median(parts['ledger_counts']):.0f} ms {counts}"
          f" | total {statistics.median(parts['total']):.0f} ms")
    # Each due kind alone (one or two set-based queries each): which part of due_list costs.
    by_kind = []
    for kind in due.KINDS:
        t0 = time.perf_counter()
        n = len(due.due_list(s, on, kinds=[kind], horizon_days=7))
        by_kind.append(f"{kind} {1000 * (time.perf_counter() - t0):.0f} ms ({n})")
    print("  due_list by kind: " + " | ".join(by_kind))


def existing(path: Path) -> None:
    """Figures on a database already built (the 60k demo): home refresh, ledger pages,
    reevaluate_all (rolled back, so the file is left as it was apart from migrations)."""
    db = Database(path)
    on = date.today()
    with db.session() as s:
        print(f"{path}: {s.execute(text('SELECT count(*) FROM resident')).scalar()} residents")
        home_refresh(s, on)
        village = s.execute(text("SELECT village_code FROM resident LIMIT 1")).scalar()
        for label, kw in (("page 1", {}), ("page at 20,000", {"offset": 20_000}),
                          ("red page", {"colour": "red"}), ("village page", {"village_code": village}),
                          ("village+yellow page", {"village_code": village, "colour": "yellow"})):
            _r, ms = timed(lambda: ledger.ledger_rows(s, on=on, limit=50, **kw), 3)
            print(f"ledger_rows {label:<20} {statistics.median(ms):6.0f} ms")
        _r, ms = timed(lambda: ledger.ledger_rows(s, on=on))
        print(f"ledger_rows everything ({len(_r)} rows) {ms[0]:.0f} ms")
        for by in (None, "village", "doctor"):
            rep, ms = timed(lambda: township_report(s, on=on, by=by), 3)
            print(f"township_report by {by or 'total':<8} {statistics.median(ms):6.0f} ms"
                  f" ({len(rep.rows)} rows)")
    try:
        with db.session() as s:
            written, ms = timed(lambda: ledger.reevaluate_all(s, on + timedelta(days=30)))
            print(f"ledger.reevaluate_all (+30 days): {written} assessments in {ms[0]:.0f} ms")
            raise _RollBack
    except _RollBack:
        pass


class _RollBack(Exception):
    """Leaves the benchmarked database as it was (Database.session rolls back on error)."""


def main() -> None:
    if len(sys.argv) > 1 and not sys.argv[1].isdigit():
        existing(Path(sys.argv[1]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60_000
    rnd = random.Random(7)
    db = Database(Path(tempfile.mkdtemp()) / "bench.db")
    t = time.perf_counter()
    build(db, n, rnd)
    print(f"build: {time.perf_counter() - t:.1f} s")
    with db.session() as s:
        written, ms = timed(lambda: ledger.reevaluate_all(s, ON))
        print(f"ledger.reevaluate_all: {written} assessments written in {ms[0]:.0f} ms")
    with db.session() as s:
        sample = s.execute(text("SELECT name, id_number, phone FROM resident LIMIT 200")).all()
        forms = {
            "name prefix": [r[0][:1] for r in sample],
            "full name": [r[0] for r in sample],
            "initials": [resident_keys(r[0], None, None)["initials"][:2] for r in sample],
            "id tail 4": [r[1][-4:] for r in sample],
            "id tail 6": [r[1][-6:] for r in sample],
            "phone tail 4": [r[2][-4:] for r in sample],
            "full id": [r[1] for r in sample],
            "contains": [r[0][1:] for r in sample],
            "empty": [""] * 50,
        }
        print(f"{'search form':<16}{'p50 ms':>8}{'p95 ms':>8}")
        for label, queries in forms.items():
            times = []
            for q in queries:
                _rows, ms = timed(lambda: search.search_residents(s, q, on=ON))
                times += ms
            p95 = statistics.quantiles(times, n=20)[18]
            print(f"{label:<16}{statistics.median(times):>8.1f}{p95:>8.1f}")
        for label, f in (("filter aged_80", search.ResidentFilter(population="aged_80")),
                         ("filter hypertension", search.ResidentFilter(population="hypertension")),
                         ("filter red", search.ResidentFilter(colour="red")),
                         ("filter unsigned", search.ResidentFilter(contract_status="unsigned")),
                         ("village+yellow", search.ResidentFilter(village_code="220102000003",
                                                                  colour="yellow"))):
            (_r, ms) = timed(lambda: search.search_residents(s, "", filters=f, on=ON), 5)
            (cnt, cms) = timed(lambda: search.count_residents(s, "", filters=f, on=ON), 3)
            print(f"{label:<22} page {statistics.median(ms):6.1f} ms   count {cnt:>6} "
                  f"in {statistics.median(cms):6.1f} ms")
        rows, ms = timed(lambda: due.due_list(s, ON), 3)
        print(f"due_list: {len(rows)} rows, median {statistics.median(ms):.0f} ms")
        rows, ms = timed(lambda: ledger.ledger_rows(s, on=ON, limit=50), 3)
        print(f"ledger_rows page: median {statistics.median(ms):.0f} ms; counts "
              f"{ledger.ledger_counts(s, on=ON)}")
        _r, ms = timed(lambda: due.elderly_visit_progress(s, 2026, ON), 3)
        print(f"elderly_visit_progress: {_r} in {statistics.median(ms):.0f} ms")
        home_refresh(s, ON)
        print("\nquery plans (text search):")
        for label, q in (("initials", "wxy"), ("tail", "1234"), ("name", "王秀"), ("id", sample[0][1])):
            _kind, passes = search._text_clause(q)
            for where, params in passes:
                plan = s.execute(text(f"EXPLAIN QUERY PLAN SELECT r.id FROM resident r WHERE "
                                      f"r.deleted = 0 AND {where} ORDER BY r.name LIMIT 50"),
                                 params).all()
                print(f"  {label}: " + " | ".join(p[-1] for p in plan))


if __name__ == "__main__":
    main()
