"""Sync over a 2 Mbit/s village line: server and PC in a network namespace whose loopback is
shaped with tbf (needs root: `ip netns`, `tc`).

Prints, for the `familydoc sync` command run as a process (process start and all):
  * a village PC's first sync (one clinic) and a township PC's first sync: seconds,
    records/s (goal >= 5,000 records/s for the first pull), bytes on the line;
  * an incremental day: 100 edits each way between the village PC and the township PC;
  * the line cut mid-pull of a township's first sync, then the sync run again: what came
    over the line twice (bytes and records), against a clean run.
The line: `ip link set lo mtu 1500`, `tc qdisc add dev lo root tbf rate 2mbit burst 32kbit
latency 400ms` (toolbox.md). Bytes are the qdisc's own count. The line is "cut" by killing
the server mid-pull (the PC sees the connection reset, as on a dropped line; this machine
has no iptables to drop packets with), then the server is started again.

Run (root): python benchmarks/bench_line.py [--server-db FILE] [--residents N]
  --server-db: a server database with the demo township and a `town` account (the copy
  `benchmarks/bench_sync.py` keeps as server-demo.db); without it the demo is loaded first.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NS = "familydoc-line"
TOWNSHIP = "220182105000"
PASSWORD = "bench-pass-1"
RATE = "2mbit"
ROOT = Path(__file__).resolve().parents[1]


def sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def make_namespace() -> None:
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    sh("ip", "netns", "add", NS)
    sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "mtu", "1500")
    sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
    sh("ip", "netns", "exec", NS, "tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate",
       RATE, "burst", "32kbit", "latency", "400ms")


def line_bytes() -> int:
    """Bytes the shaped loopback has carried (both directions; the server's answers are
    nearly all of it)."""
    out = subprocess.run(["tc", "-s", "qdisc", "show", "dev", "lo"], capture_output=True,
                         text=True, check=True).stdout
    return int(out.split("Sent ", 1)[1].split(" ", 1)[0])


class World:
    def __init__(self, tmp: Path, server_db: Path) -> None:
        self.tmp = tmp
        self.url = f"sqlite:///{server_db}"
        self.home = tmp / "home"
        self.home.mkdir(exist_ok=True)
        self.env = {**os.environ, "HOME": str(self.home),
                    "XDG_DATA_HOME": str(self.home / "share"), "PYTHONPATH": str(ROOT),
                    "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.start()

    def start(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "--database-url", self.url, "serve",
             "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=self.env)
        wait_for(self.port)

    def cli(self, data: Path, *args: str, stdin: str | None = None) -> tuple[float, dict]:
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main",
                               "--data-dir", str(data), *args, "--json"], input=stdin,
                              text=True, capture_output=True, env=self.env)
        seconds = time.perf_counter() - t
        try:
            out = json.loads(done.stdout) if done.stdout.strip() else {}
        except ValueError:
            out = {}
        if done.returncode:
            out["error"] = (done.stderr or done.stdout).strip()[-300:]
        return seconds, out

    def login(self, data: Path, user: str) -> float:
        seconds, out = self.cli(data, "login", "--server", self.base, "--username", user,
                                "--password-stdin", stdin=PASSWORD + "\n")
        if "error" in out:
            raise SystemExit(f"login {user}: {out['error']}")
        return seconds

    def sync(self, data: Path) -> tuple[float, dict, int]:
        before = line_bytes()
        seconds, out = self.cli(data, "sync", "--no-progress")
        return seconds, out, line_bytes() - before

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def first_sync_line(label: str, seconds: float, out: dict, down: int) -> str:
    rows, pull = out.get("pulled", 0), out.get("pull_seconds", 0.0)
    return (f"{label}: {seconds:.1f} s for {rows:,} records = {rows / seconds:,.0f} records/s "
            f"(goal >= 5,000), {down / 1e6:.2f} MB on the line = "
            f"{down / max(rows, 1):.1f} bytes/record incl. HTTP; digest checked "
            f"{out.get('verified')}; of it the pull itself (the engine's own clock, pages "
            f"and their writes: no process start, no digest check) {pull:.1f} s = "
            f"{rows / max(pull, 1e-9):,.0f} records/s"
            + (f"; ERROR {out['error']}" if "error" in out else ""))


def edit_notes(data: Path, env: dict, n: int, text: str, org: str | None = None) -> None:
    """n local edits (captured like the app's own), in a process of its own."""
    code = ("import sys\nfrom sqlmodel import select\n"
            "from familydoc_desktop.domain.models import Resident\n"
            "from familydoc_desktop.store.database import Database\n"
            "db = Database(sys.argv[1])\n"
            "with db.session() as s:\n"
            "    q = select(Resident).order_by(Resident.id).limit(int(sys.argv[2]))\n"
            "    if sys.argv[4]: q = q.where(Resident.org_id == sys.argv[4])\n"
            "    for r in s.exec(q.offset(int(sys.argv[5]))).all(): r.note = sys.argv[3]\n")
    subprocess.run([sys.executable, "-c", code, str(data / "familydoc.db"), str(n), text,
                    org or "", str(0 if org is None else 200)], check=True, env=env)


def village_account(server_db: Path) -> tuple[str, str]:
    """A village doctor account for the largest clinic of the township (made once)."""
    con = sqlite3.connect(server_db)
    try:
        clinic_id, code = con.execute(
            "SELECT o.id, o.code FROM org o JOIN record r ON r.org_id = o.id "
            "WHERE o.level = 'clinic' GROUP BY o.id ORDER BY count(*) DESC LIMIT 1").fetchone()
        known = con.execute("SELECT 1 FROM account WHERE username = 'village'").fetchone()
    finally:
        con.close()
    if not known:
        subprocess.run([sys.executable, "-m", "sync_server.cli", "--database-url",
                        f"sqlite:///{server_db}", "user", "add", "--username", "village",
                        "--org", code, "--role", "village_doctor", "--password-stdin"],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    return clinic_id, code


def inside(opts: argparse.Namespace) -> None:
    tmp = Path(opts.tmp)
    server_db = tmp / "server.db"
    clinic_id, code = village_account(server_db)
    world = World(tmp, server_db)
    try:
        print(f"line: {RATE} tbf on the namespace's loopback (MTU 1500); village = clinic "
              f"{code}", flush=True)
        village, town = tmp / "village", tmp / "town"
        login_v = world.login(village, "village")
        s, out, down = world.sync(village)
        print(first_sync_line("village PC first sync (`familydoc sync`)", s, out, down)
              + f"; login before it {login_v:.1f} s", flush=True)
        login_t = world.login(town, "town")
        s, out, down = world.sync(town)
        clean_down, total = down, out.get("pulled", 0)
        print(first_sync_line("township PC first sync (`familydoc sync`)", s, out, down)
              + f"; login before it {login_t:.1f} s", flush=True)

        # An incremental day: the township edits 100 of the village's residents, the village
        # 100 others; each syncs (the township first, then the village, then the township).
        edit_notes(town, world.env, 100, "乡镇随访", org=clinic_id)
        t_s, t_out, t_down = world.sync(town)
        edit_notes(village, world.env, 100, "村医随访")
        v_s, v_out, v_down = world.sync(village)
        b_s, b_out, b_down = world.sync(town)
        print(f"incremental day, 100 edits each way: township pushes {t_out.get('pushed')} in "
              f"{t_s:.1f} s; village pushes {v_out.get('pushed')} and pulls "
              f"{v_out.get('pulled')} in {v_s:.1f} s ({v_down / 1e3:.1f} kB); township pulls "
              f"{b_out.get('pulled')} in {b_s:.1f} s ({b_down / 1e3:.1f} kB)", flush=True)

        # The line drops mid-pull of a township's first sync; then the sync runs again.
        cut_pc = tmp / "cut"
        world.login(cut_pc, "town")
        before = line_bytes()
        proc = subprocess.Popen([sys.executable, "-m", "familydoc_desktop.cli.main",
                                 "--data-dir", str(cut_pc), "sync", "--json", "--no-progress"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=world.env)
        target = clean_down * 0.45
        while line_bytes() - before < target and proc.poll() is None:
            time.sleep(0.05)
        world.server.kill()  # the connection drops mid-page (reset), as a cut line does
        world.server.wait()
        cut_at = line_bytes() - before
        err = proc.communicate(timeout=300)[1].strip().splitlines()
        world.start()
        s2, out2, down2 = world.sync(cut_pc)
        twice = cut_at + down2 - clean_down
        print(f"line cut mid-pull after {cut_at / 1e6:.2f} MB (the sync said: "
              f"{err[-1] if err else 'nothing'}); run again: {out2.get('pulled', 0):,} "
              f"records in {s2:.1f} s, {down2 / 1e6:.2f} MB; downloaded twice: "
              f"{twice / 1e3:.0f} kB = about {max(twice, 0) / (clean_down / max(total, 1)):,.0f}"
              f" records' worth (one page is 10,000 records)"
              + (f"; ERROR {out2['error']}" if "error" in out2 else ""), flush=True)
    finally:
        world.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-db", type=Path)
    ap.add_argument("--residents", type=int, default=60_000)
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.inside:
        return inside(opts)
    tmp = Path(tempfile.mkdtemp(prefix="familydoc-bench-line-"))
    if opts.server_db:
        shutil.copyfile(opts.server_db, tmp / "server.db")
    else:
        url = f"sqlite:///{tmp / 'server.db'}"
        run = [sys.executable, "-m", "sync_server.cli", "--database-url", url]
        sh(*run, "init")
        sh(*run, "org", "add", "--code", "220182000000", "--name", "演示县", "--level", "county")
        sh(*run, "org", "add", "--code", TOWNSHIP, "--name", "演示镇卫生院", "--level",
           "township", "--parent", "220182000000")
        subprocess.run([*run, "user", "add", "--username", "town", "--org", TOWNSHIP, "--role",
                        "township_staff", "--password-stdin"], input=PASSWORD + "\n",
                       text=True, check=True, capture_output=True)
        sh(*run, "demo", "--township", TOWNSHIP, "--residents", str(opts.residents))
    try:
        make_namespace()
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise SystemExit(f"cannot build the shaped namespace: {' '.join(exc.cmd) if hasattr(exc, 'cmd') else ''}: {detail.strip()}")
    try:
        subprocess.run(["ip", "netns", "exec", NS, sys.executable, __file__, "--inside",
                        "--tmp", str(tmp)], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)


if __name__ == "__main__":
    main()
