"""The indicators of the 60,000-resident demo township computed by the sync server (issue 10),
on SQLite and PostgreSQL. Goal <= 1 s each.

Prints, per database:
  * library level: services.indicators.indicators for the township computed (its report
    cache emptied first; median and max of ROUNDS runs; wall and CPU seconds of this process:
    on PostgreSQL the server's own work is in the wall time, and its backends' CPU seconds
    are printed when it runs on this machine), total and by clinic; then
    the same request repeated before any write (answered from the report cache);
  * where the time goes: the record read per table (SQL + extraction), all of them as
    indicators reads them (PostgreSQL: over two connections in one snapshot), and the tally
    (domain/report_tally.tally), one run;
  * end to end: `familydoc-server --database-url URL report indicators --org CODE --json` as a
    process (median wall time: Python start, imports, migration check, report, JSON out;
    a new process, so always computed).
Run: python benchmarks/bench_server_indicators.py [--database-url URL ...] [--rounds N]
     (default: a fresh SQLite file in a temporary folder). A database that already holds the
     demo township (220182100000, loaded by an earlier run) is reused as it is; otherwise an
     EMPTY database is set up and loaded (`familydoc-server demo`, about a minute).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from familydoc_desktop.domain.report_tally import gc_paused, tally
from sync_server.core.db import make_engine, migrate, read_tx
from sync_server.services import accounts, indicators

COUNTY, TOWNSHIP = "220182000000", "220182100000"
RESIDENTS = 60_000
GOAL_S = 1.0


def server_cli(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "--database-url", url, *args],
                          capture_output=True, text=True, check=True)
    return done.stdout


def ensure_demo(url: str, residents: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    with read_tx(engine) as conn:
        present = accounts.org_by_code(conn, TOWNSHIP) is not None
    engine.dispose()
    if present:
        print(f"  demo township {TOWNSHIP}: already loaded, reused")
        return
    t = time.perf_counter()
    server_cli(url, "org", "add", "--code", COUNTY, "--name", "演示县", "--level", "county")
    server_cli(url, "org", "add", "--code", TOWNSHIP, "--name", "演示镇卫生院", "--level",
               "township", "--parent", COUNTY)
    server_cli(url, "demo", "--township", TOWNSHIP, "--residents", str(residents))
    print(f"  demo township: {residents:,} residents loaded in {time.perf_counter() - t:.0f} s")


def server_cpu(engine) -> float | None:  # noqa: ANN001
    """CPU seconds so far of the PostgreSQL backends serving this database, when they run on
    this machine (/proc); None otherwise (SQLite works inside this process)."""
    if engine.dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity"
                                 " WHERE datname = current_database()")).scalars().all()
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks += int(stat[11]) + int(stat[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def timed(fn, rounds: int, engine=None) -> tuple[list[float], list[float], list[float]]:  # noqa: ANN001
    """Wall and CPU seconds of this process per run, and the PostgreSQL server's CPU seconds
    (empty when not measurable)."""
    walls, cpus, servers = [], [], []
    for _ in range(rounds):
        before = server_cpu(engine) if engine is not None else None
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        after = server_cpu(engine) if before is not None else None
        if after is not None:
            servers.append(after - before)
    return walls, cpus, servers


def verdict(seconds: float) -> str:
    return "ok" if seconds <= GOAL_S else f"MISSED (goal <= {GOAL_S:.0f} s)"


def breakdown(engine) -> None:  # noqa: ANN001
    """One run, piece by piece: each table's read, then the tally."""
    with read_tx(engine) as conn, gc_paused():  # as indicators.indicators reads
        org_ids, clinics = indicators._scope(conn, None, TOWNSHIP)
        orgs = sorted(org_ids)
        total_rows, total_s = 0, 0.0
        for table in indicators._SOURCES:
            w = time.perf_counter()
            n = len(indicators.read_table(conn, table, orgs))
            s = time.perf_counter() - w
            total_rows, total_s = total_rows + n, total_s + s
            if n > 1000:
                print(f"    read {table:<22} {n:7,} rows {1000 * s:6.0f} ms")
        print(f"    read, all {len(indicators._SOURCES)} tables    {total_rows:7,} rows"
              f" {1000 * total_s:6.0f} ms (one after the other)")
        w = time.perf_counter()
        indicators.read_tables(conn, orgs, engine)
        helpers = indicators._PG_HELPERS if engine.dialect.name == "postgresql" else 0
        print(f"    read, as indicators reads them           {1000 * (time.perf_counter() - w):6.0f} ms"
              f" ({1 + helpers} connection{'s' if helpers else ''}, one snapshot)")
        rows = indicators.read_rows(conn, orgs, by=None, clinic_names=clinics)
    on = date.today()
    w, c = time.perf_counter(), time.process_time()
    tally(rows, on=on, start=date(on.year, 1, 1), end=on, by=None)
    print(f"    tally (domain/report_tally.tally)       {1000 * (time.perf_counter() - w):6.0f} ms"
          f" ({1000 * (time.process_time() - c):.0f} ms CPU)")


def bench(url: str, rounds: int, residents: int) -> None:
    engine = make_engine(url)
    print(f"\n{engine.dialect.name}: {engine.url.render_as_string(hide_password=True)}")
    engine.dispose()
    ensure_demo(url, residents)
    engine = make_engine(url)
    try:
        indicators.indicators(engine, None, org=TOWNSHIP)  # warm the database's caches once

        def cold(by):  # noqa: ANN001, ANN202 - computed: the server's report cache emptied
            indicators._CACHE.clear()
            return indicators.indicators(engine, None, org=TOWNSHIP, by=by)

        for by in (None, "clinic"):
            walls, cpus, servers = timed(lambda: cold(by), rounds, engine)
            med = statistics.median(walls)
            pg = (f", PostgreSQL server CPU {statistics.median(servers):.2f} s (CPU here +"
                  f" server {statistics.median(map(sum, zip(cpus, servers))):.2f} s)"
                  if servers else "")
            print(f"  library  indicators(org={TOWNSHIP}, by={by or 'total'}), computed:"
                  f" median {med:.2f} s, max {max(walls):.2f} s, CPU here"
                  f" {statistics.median(cpus):.2f} s{pg}  [{verdict(med)}]")
        walls, cpus, _ = timed(lambda: indicators.indicators(engine, None, org=TOWNSHIP),
                               rounds)
        print(f"  library  the same request again before any write (report cache):"
              f" median {1000 * statistics.median(walls):.0f} ms, CPU here"
              f" {1000 * statistics.median(cpus):.0f} ms")
        breakdown(engine)
    finally:
        engine.dispose()
    walls = []
    for _ in range(max(1, rounds // 2)):
        w = time.perf_counter()
        out = server_cli(url, "report", "indicators", "--org", TOWNSHIP, "--json")
        walls.append(time.perf_counter() - w)
    med = statistics.median(walls)
    print(f"  command  familydoc-server report indicators --org {TOWNSHIP} --json:"
          f" median {med:.2f} s ({len(out):,} bytes)  [{verdict(med)}]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", action="append", default=[],
                    help="server database(s); default a fresh SQLite file")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--residents", type=int, default=RESIDENTS)
    opts = ap.parse_args()
    urls = opts.database_url or [f"sqlite:///{Path(tempfile.mkdtemp()) / 'server.db'}"]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"server indicators, {opts.residents:,}-resident demo township; load average {load}"
          f" on {os.cpu_count()} cores (the figures scale with it)")
    for url in urls:
        bench(url, opts.rounds, opts.residents)


if __name__ == "__main__":
    main()
