"""A login flood against a real server process with the production argon2id parameters
(64 MiB, 3 passes): N parallel logins with made-up usernames, each from its own address
(X-Forwarded-For from loopback, which uvicorn trusts), while a logged-in doctor asks for the
digest. Prints the server's resident memory (before, peak), the answers (401 checked, 503
turned away at once, 429 locked), and the doctor's digest latency during the flood.

Run: python benchmarks/bench_login_flood.py [--logins 60] [--concurrency N]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from familydoc_desktop import SCHEMA_VERSION  # noqa: E402

SCHEMA = {"X-FamilyDoc-Schema": str(SCHEMA_VERSION)}
PASSWORD = "secret-pass-1"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=None,
                        help="FAMILYDOC_LOGIN_CONCURRENCY (default: the server's, CPU count)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="flood-"))
    url = f"sqlite:///{tmp / 'server.db'}"
    env = {**os.environ, "FAMILYDOC_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    if args.concurrency:
        env["FAMILYDOC_LOGIN_CONCURRENCY"] = str(args.concurrency)
    py = sys.executable
    setup = ("from sync_server.core.db import make_engine, migrate, write_tx\n"
             "from sync_server.services import accounts\n"
             f"e = make_engine({url!r}); migrate(e)\n"
             "with write_tx(e) as c:\n"
             "    accounts.add_org(c, '420000000000', '县', 'county')\n"
             "    accounts.add_org(c, '420100000000', '镇', 'township', '420000000000')\n"
             "    accounts.add_org(c, '420101000001', '村', 'clinic', '420100000000')\n"
             f"    accounts.add_user(c, 'doc_a', '420101000001', 'village_doctor', {PASSWORD!r})\n")
    subprocess.run([py, "-c", setup], env=env, check=True)
    port = _port()
    server = subprocess.Popen(
        [py, "-m", "uvicorn", "sync_server.app:app_from_env", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--proxy-headers"],
        env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(200):
            try:
                requests.get(f"{base}/health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        token = requests.post(f"{base}/auth/login", headers=SCHEMA, json={
            "username": "doc_a", "password": PASSWORD, "device_id": "pc-1"}).json()["token"]
        doctor = {**SCHEMA, "Authorization": f"Bearer {token}"}
        quiet = []
        for _ in range(5):
            t0 = time.perf_counter()
            requests.get(f"{base}/sync/digest", headers=doctor).raise_for_status()
            quiet.append(time.perf_counter() - t0)
        before = _rss_kib(server.pid)
        peak = [before]
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _rss_kib(server.pid))
                time.sleep(0.01)

        digests: list[float] = []

        def doctor_works() -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                requests.get(f"{base}/sync/digest", headers=doctor).raise_for_status()
                digests.append(time.perf_counter() - t0)

        def login(i: int) -> tuple[int, float]:
            t0 = time.perf_counter()
            r = requests.post(f"{base}/auth/login", headers={
                **SCHEMA, "X-Forwarded-For": f"10.9.{i // 250}.{i % 250 + 1}"}, json={
                "username": f"stranger{i}", "password": "guess-guess", "device_id": f"x{i}"})
            return r.status_code, time.perf_counter() - t0

        watcher = threading.Thread(target=watch)
        worker = threading.Thread(target=doctor_works)
        watcher.start()
        worker.start()
        barrier_start = time.perf_counter()
        with ThreadPoolExecutor(args.logins) as pool:
            results = list(pool.map(login, range(args.logins)))
        flood_s = time.perf_counter() - barrier_start
        stop.set()
        watcher.join()
        worker.join()
        counts = Counter(code for code, _ in results)
        busy = [t for code, t in results if code == 503]
        print(f"logins in parallel: {args.logins} (made-up usernames, one address each), "
              f"flood {flood_s:.2f} s")
        print(f"answers: {dict(sorted(counts.items()))}")
        if busy:
            print(f"503 answered in: median {statistics.median(busy) * 1000:.0f} ms, "
                  f"max {max(busy) * 1000:.0f} ms")
        print(f"server RSS: before {before / 1024:.0f} MiB, peak during flood "
              f"{peak[0] / 1024:.0f} MiB")
        print(f"digest (doctor logged in): quiet median {statistics.median(quiet) * 1000:.0f} ms;"
              f" during flood median {statistics.median(digests) * 1000:.0f} ms, max "
              f"{max(digests) * 1000:.0f} ms ({len(digests)} calls)")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
