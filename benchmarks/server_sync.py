"""Sync server figures on a demo township (default 60,000 residents, about 240,000 records).

Prints: demo load time (target: well under a minute on SQLite), the full first pull of the
township in 5,000-row pages (rows/s and gzip bytes per record on the wire), the digest time,
and push throughput for 1,000-mutation batches.
Run: python benchmarks/server_sync.py [RESIDENTS] [DATABASE_URL]
"""
from __future__ import annotations

import gzip
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

from familydoc_desktop import SCHEMA_VERSION  # noqa: E402
from familydoc_desktop.domain.models.base import new_id  # noqa: E402
from sync_server.app import create_app  # noqa: E402
from sync_server.core.config import Settings  # noqa: E402
from sync_server.core.db import write_tx  # noqa: E402
from sync_server.services import accounts, demo  # noqa: E402


def main() -> None:
    residents = int(sys.argv[1]) if len(sys.argv) > 1 else 60_000
    tmp = tempfile.mkdtemp(prefix="familydoc-bench-")
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tmp) / 'server.db'}"
    app = create_app(Settings(database_url=url))
    engine = app.state.engine
    with write_tx(engine) as conn:
        accounts.add_org(conn, "220182000000", "演示县", "county")
        accounts.add_org(conn, "220182105000", "演示镇卫生院", "township", "220182000000")
        accounts.add_user(conn, "town", "220182105000", "township_staff", "bench-pass-1")

    t = time.perf_counter()
    stats = demo.load(engine, township_code="220182105000", residents=residents, seed=1)
    load_s = time.perf_counter() - t
    print(f"demo load: {stats['records']:,} records ({residents:,} residents, "
          f"{stats['clinics']} clinics) in {load_s:.1f} s "
          f"= {stats['records'] / load_s:,.0f} records/s")

    client = TestClient(app)
    schema = {"X-FamilyDoc-Schema": str(SCHEMA_VERSION)}
    token = client.post("/api/v1/auth/login", headers=schema, json={
        "username": "town", "password": "bench-pass-1", "device_id": "bench"}).json()["token"]
    headers = {**schema, "Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}

    since, rows, wire, pages = 0, 0, 0, 0
    t = time.perf_counter()
    while True:
        r = client.get("/api/v1/sync/pull", headers=headers,
                       params={"since": since, "limit": 5000})
        body = r.json()
        # TestClient hands back the decoded body; measure what gzip makes of it.
        wire += len(gzip.compress(r.content, 6))
        rows += sum(len(p["rows"]) for p in body["tables"].values())
        since, pages = body["next_since"], pages + 1
        if not body["more"]:
            break
    pull_s = time.perf_counter() - t
    print(f"first pull: {rows:,} rows in {pages} pages, {pull_s:.1f} s = "
          f"{rows / pull_s:,.0f} rows/s, {wire / 1e6:.1f} MB gzip = {wire / rows:.0f} B/record")

    t = time.perf_counter()
    digest = client.get("/api/v1/sync/digest", headers=headers).json()
    print(f"digest: {sum(d['count'] for d in digest['tables'].values()):,} pairs "
          f"in {time.perf_counter() - t:.2f} s")

    org_id = next(o["id"] for o in client.get("/api/v1/orgs", headers=headers).json()
                  if o["level"] == "clinic")
    t = time.perf_counter()
    for batch in range(5):
        muts = []
        for i in range(1000):
            rid = new_id()
            muts.append({"mutation_id": batch * 1000 + i + 1, "table": "resident",
                         "record_id": rid, "op": "insert", "hlc": f"{int(time.time() * 1000):013d}-0000-bench",
                         "changes": {"org_id": org_id, "name": "压测", "sex": "male",
                                     "birth_date": "1960-01-01"}})
        r = client.post("/api/v1/sync/push", headers=headers, json={
            "device_id": "bench", "client_time_ms": 0, "mutations": muts})
        assert r.status_code == 200, r.text
    push_s = time.perf_counter() - t
    print(f"push: 5,000 inserts in 5 requests, {push_s:.1f} s = {5000 / push_s:,.0f} mutations/s")
    client.close()
    engine.dispose()


if __name__ == "__main__":
    main()
