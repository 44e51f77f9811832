"""The township's sync report (issue 10): 50 clinics with 100 devices, each device having sent
its sync-health report, in a county of 3 such townships (300 devices) with open conflicts.

Prints:
  * library-level: sync_health.report for the township staff account (median and max of
    ROUNDS runs, one read transaction each) — goal <= 200 ms;
  * the HTTP route GET /api/v1/reports/sync (in-process test client, median);
  * end to end: `familydoc-server --database-url URL report sync --org CODE --json` as a
    process (median wall time: Python start, imports, migration check, report, output).
  * with --pc-residents N: building one PC's own report (familydoc_desktop.sync.health) on a
    demo township of N residents, the cost each sync round adds before its POST.
Run: python benchmarks/bench_sync_report.py [--database-url URL] [--rounds N] [--pc-residents N]
     (default a fresh SQLite file; a PostgreSQL URL must name an empty database)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from sqlalchemy import insert

from familydoc_desktop.domain.models.base import new_id
from familydoc_desktop.sync.protocol import SyncHealthReport
from sync_server import models
from sync_server.core.db import make_engine, migrate, now_ms, write_tx
from sync_server.services import accounts, sync_health
from sync_server.services.accounts import Principal

COUNTY = "220182000000"
TOWNSHIPS = 3
CLINICS = 50
DEVICES_PER_CLINIC = 2
CONFLICTS_PER_CLINIC = 20


def township_code(t: int) -> str:
    return f"2201821{t:02d}000"


def clinic_code(t: int, c: int) -> str:
    return f"2201821{t:02d}{c:03d}"


def load(engine) -> dict:  # noqa: ANN001
    now = now_ms()
    principals = {}
    with write_tx(engine) as conn:
        accounts.add_org(conn, COUNTY, "某县", "county")
        seq = 0
        for t in range(1, TOWNSHIPS + 1):
            town = accounts.add_org(conn, township_code(t), f"第{t}镇卫生院", "township", COUNTY)
            town_account = new_id()
            conn.execute(insert(models.account).values(
                id=town_account, username=f"town{t}", password_hash="x", role="township_staff",
                org_id=town.id, active=True, created_at=now))
            principals[t] = Principal(town_account, f"town{t}", "township_staff", town.id,
                                      f"dev-town{t}", "")
            devices, accounts_, conflicts = [], [], []
            for c in range(1, CLINICS + 1):
                clinic = accounts.add_org(conn, clinic_code(t, c), f"第{t}镇{c}村卫生室",
                                          "clinic", township_code(t))
                for d in range(DEVICES_PER_CLINIC):
                    acc = new_id()
                    accounts_.append(dict(id=acc, username=f"doc{t}-{c}-{d}", password_hash="x",
                                          role="village_doctor", org_id=clinic.id, active=True,
                                          created_at=now))
                    devices.append(dict(id=f"dev-{t}-{c}-{d}", account_id=acc, org_id=clinic.id,
                                        name=f"{c}村电脑{d}", last_mutation_id=0,
                                        last_seen=now - (c % 12) * 86_400_000, revoked=False,
                                        created_at=now))
                for _ in range(CONFLICTS_PER_CLINIC):
                    seq += 1
                    conflicts.append(dict(id=new_id(), org_id=clinic.id, table_name="resident",
                                          record_id=new_id(), field="name", status=(
                                              "open" if seq % 4 == 0 else "auto"),
                                          seq=seq, created_at=now))
            conn.execute(insert(models.account), accounts_)
            conn.execute(insert(models.device), devices)
            conn.execute(insert(models.conflict), conflicts)
    # Every device reports through the service, as POST /sync/report does.
    for t in range(1, TOWNSHIPS + 1):
        for c in range(1, CLINICS + 1):
            for d in range(DEVICES_PER_CLINIC):
                dev = f"dev-{t}-{c}-{d}"
                who = Principal("-", f"doc{t}-{c}-{d}", "village_doctor", "-", dev, "")
                sync_health.record(engine, who, SyncHealthReport(
                    device_id=dev, app_version="0.1.0" if c % 7 else "0.0.9",
                    schema_version=2, pending=c % 5, refused=1 if c % 9 == 0 else 0,
                    refused_reasons=([{"reason": "无权访问该机构的数据", "count": 1}]
                                     if c % 9 == 0 else []),
                    open_conflicts=c % 3, clock_offset_ms=(c % 11) * 60_000,
                    digest_checked_at=now, digest_ok=c % 13 != 0,
                    records={"resident": 1200 + c, "household": 400 + c, "followup_visit": 900},
                    sync_ok=c % 17 != 0))
    return principals


def timed(fn, rounds: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--pc-residents", type=int, default=0)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'server.db'}"
    engine = make_engine(url)
    migrate(engine, backup=False)
    started = time.perf_counter()
    principals = load(engine)
    print(f"数据：{TOWNSHIPS} 个乡镇 × {CLINICS} 个村卫生室 × {DEVICES_PER_CLINIC} 台电脑，"
          f"已上报（{engine.dialect.name}，准备 {time.perf_counter() - started:.1f} 秒）")

    town = principals[1]
    rep = sync_health.report(engine, town)
    devices = sum(len(c.devices) for c in rep.clinics)
    assert len(rep.clinics) == CLINICS and devices == CLINICS * DEVICES_PER_CLINIC
    lib = timed(lambda: sync_health.report(engine, town), args.rounds)
    print(f"library sync_health.report, {len(rep.clinics)} clinics / {devices} devices: "
          f"median {statistics.median(lib):.1f} ms, max {max(lib):.1f} ms (goal <= 200 ms)")

    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

    from sync_server.app import create_app
    from sync_server.core import security
    from sync_server.core.config import Settings

    app = create_app(Settings(database_url=url), run_migrations=False)
    token = security.new_token()
    with write_tx(engine) as conn:
        conn.execute(insert(models.device).values(
            id="dev-town1", account_id=town.account_id, org_id=town.org_id, name="乡镇电脑",
            last_mutation_id=0, last_seen=now_ms(), revoked=False, created_at=now_ms()))
        conn.execute(insert(models.token).values(
            token_hash=security.token_hash(token), device_id="dev-town1",
            account_id=town.account_id, created_at=now_ms(), expires_at=now_ms() + 86_400_000,
            revoked=False))
    from familydoc_desktop import SCHEMA_VERSION

    headers = {"Authorization": f"Bearer {token}", "X-FamilyDoc-Schema": str(SCHEMA_VERSION)}
    with TestClient(app) as client:
        assert client.get("/api/v1/reports/sync", headers=headers).status_code == 200
        http = timed(lambda: client.get("/api/v1/reports/sync", headers=headers), args.rounds)
    print(f"GET /api/v1/reports/sync (in-process): median {statistics.median(http):.1f} ms, "
          f"max {max(http):.1f} ms")

    exe = Path(sys.executable).with_name("familydoc-server")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else
           ["-m", "sync_server.cli"]), "--database-url", url, "report", "sync", "--org",
           township_code(1), "--json"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    wall = []
    for _ in range(max(3, args.rounds // 4)):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=env)
        wall.append((time.perf_counter() - start) * 1000)
        assert done.returncode == 0, done.stderr.decode()
    print(f"end to end `familydoc-server report sync --org {township_code(1)} --json`: "
          f"median {statistics.median(wall):.0f} ms, max {max(wall):.0f} ms "
          f"({len(done.stdout) // 1024} KB of JSON)")
    # What any familydoc-server command costs before it does anything: the interpreter and
    # the imports of the CLI (SQLAlchemy, pydantic).
    base = []
    for _ in range(max(3, args.rounds // 4)):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sync_server.cli, sync_server.services."
                        "sync_health"], check=True, env=env)
        base.append((time.perf_counter() - start) * 1000)
    print(f"  of which Python start and imports alone: median {statistics.median(base):.0f} ms")
    engine.dispose()
    if args.pc_residents:
        pc_report(Path(tmp.name) / "pc", args.pc_residents, args.rounds)
    tmp.cleanup()
    return 0


def pc_report(where: Path, residents: int, rounds: int) -> None:
    import bench_keyring  # noqa: F401  (the database key: before keyring is used)

    from familydoc_desktop.store.bulk import load_demo
    from familydoc_desktop.store.database import open_database
    from familydoc_desktop.sync import health

    db = open_database(where)
    try:
        load_demo(db, residents=residents, seed=1)
        body = health.build(db, sync_ok=True, clock_offset_ms=0)
        took = timed(lambda: health.build(db, sync_ok=True, clock_offset_ms=0), rounds)
    finally:
        db.close()
    print(f"PC report (health.build) on {residents} residents / {sum(body.records.values())} "
          f"records: median {statistics.median(took):.1f} ms, max {max(took):.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
