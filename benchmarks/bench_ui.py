"""UI speed figures on a 60,000-resident township (prints, never asserts):

- cold start to first paint of the main window (a fresh process, database already there)
- search latency through the Qt model (set_query = count + first page), p50 / p95
- the longest event-loop stall (a 10 ms QTimer heartbeat) while the task runner does heavy
  work: the home screen's due list and ledger, a 10,000-row roster import, a sync of
  2,000 new records to a real server, and a township PC's first full sync of the
  60,000-resident township from that server
- peak memory (ru_maxrss)

Targets: start <= 2 s, search p95 <= 50 ms, stall < 200 ms, memory <= 300 MB.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui.py [--residents 60000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import bench_keyring  # noqa: F401,E402  (the database key: before keyring is used)
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("王", "张", "李秀", "wxy", "zh", "l", "1234", "002X", "5678", "138", "刘", "chen",
           "陈", "赵", "y", "09", "杨", "x", "黄", "hl")


def child_start(data_dir: str) -> None:
    """Run in a fresh process: say "painted" the moment the main window first paints."""
    from PySide6.QtCore import QEvent, QObject

    from familydoc_desktop.store.database import Database
    from familydoc_desktop.ui.app import build_window, make_application, settle_heap

    app = make_application(lang="zh_CN")
    db = Database(Path(data_dir) / "familydoc.db")
    ctx, window = build_window(db)
    settle_heap()  # as run_app does
    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: ANN001, ANN201, N802
            if (event.type() == QEvent.Type.Paint and not painted
                    and getattr(obj, "window", None) and obj.window() is window):
                painted.append(time.perf_counter())
                print("painted", flush=True)
                os._exit(0)  # measured; skip waiting for the home screen's due list
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    window.resize(1366, 768)
    window.show()
    app.exec()


class Heartbeat:
    """A 10 ms timer; the longest gap between ticks is the longest the GUI froze. Each tick
    also asks the window to repaint, as a user scrolling would: painting calls back into
    Python (model data) and so competes with the worker for the GIL."""

    def __init__(self, window=None) -> None:  # noqa: ANN001
        self.window = window
        from PySide6.QtCore import QTimer
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.max_gap = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last = now
        if self.window is not None:
            self.window.update()

    def __enter__(self) -> "Heartbeat":
        self.last = time.perf_counter()
        self.max_gap = 0.0
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.timer.stop()


def run_until(app, done, timeout: float = 600.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


def write_roster(path: Path, n: int) -> None:
    """A 10,000-row roster in the national column layout the importer reads."""
    from openpyxl import Workbook

    from familydoc_desktop.domain.idcard import check_digit
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["姓名", "性别", "出生日期", "身份证号", "联系电话", "现住址", "户号", "与户主关系"])
    for i in range(n):
        first17 = f"220182{1940 + i % 60:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        number = first17 + check_digit(first17)
        sex = "男" if int(number[16]) % 2 else "女"
        ws.append([f"导入{i:05d}", sex, None, number, f"139{i:08d}", f"演示村{i % 9}组",
                   f"IMP{i // 3:05d}", "户主" if i % 3 == 0 else "子女"])
    wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=60000)
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo database in DIR")
    parser.add_argument("--child-start", help=argparse.SUPPRESS)
    parser.add_argument("--child-full-sync", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_start(args.child_start)
        return 0
    if args.child_full_sync:
        child_full_sync(*args.child_full_sync)
        return 0

    from familydoc_desktop.store.database import Database

    # The township is built once in another process (its peak memory is not the app's) and
    # copied for each run, so the import always lands on the same 60,000 residents.
    tmp = tempfile.TemporaryDirectory()
    cache = args.keep or Path(tmp.name) / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    pristine = cache / f"township-{args.residents}.db"
    if not pristine.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", (
            "import sys; from pathlib import Path; from familydoc_desktop.store import bulk;"
            "from familydoc_desktop.store.database import Database;"
            "db = Database(Path(sys.argv[1])); bulk.load_demo(db, residents=int(sys.argv[2]),"
            " seed=11); db.close()"), str(pristine), str(args.residents)], check=True)
        print(f"demo township: {args.residents} residents built in "
              f"{time.perf_counter() - t:.1f} s")
    data = Path(tmp.name) / "run"
    data.mkdir()
    shutil.copy(pristine, data / "familydoc.db")

    starts = []
    for _ in range(3):
        t = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--child-start", str(data)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        while child.stdout.readline().strip() != "painted":
            if child.poll() is not None:
                raise SystemExit("the app did not start")
        starts.append(time.perf_counter() - t)
        child.wait()
    print(f"cold start to first paint: {min(starts):.2f} s best, {max(starts):.2f} s worst "
          f"(target <= 2 s)")

    from familydoc_desktop.ui.app import build_window, make_application, settle_heap
    app = make_application(lang="zh_CN")
    db = Database(data / "familydoc.db")
    ctx, window = build_window(db)
    settle_heap()  # as run_app does
    window.resize(1366, 768)
    window.show()
    residents = window.show_screen("residents")
    model = residents.model
    latencies = []
    for _ in range(3):
        for q in QUERIES:
            t = time.perf_counter()
            model.set_query(q, residents.filters())
            model.data(model.index(0, 0))
            latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"search through the Qt model ({len(latencies)} queries): "
          f"p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms (target <= 50 ms)")
    model.set_query("", residents.filters())
    t = time.perf_counter()
    while model.canFetchMore():
        model.fetchMore()
        if model.rowCount() >= 2000:
            break
    print(f"scrolling 2,000 rows in pages of {model.PAGE}: {time.perf_counter() - t:.2f} s")
    print(f"  peak memory after the resident list: {peak_mb():.0f} MB")

    with Heartbeat(window) as hb:
        run_until(app, lambda: False, timeout=2.0)
    print(f"idle baseline (machine noise): longest GUI stall {hb.max_gap * 1000:.0f} ms")
    home = window.show_screen("home")
    with Heartbeat(window) as hb:
        t = time.perf_counter()
        home.reload()
        run_until(app, lambda: not ctx.tasks.busy)
        window.show_screen("ledger")
        run_until(app, lambda: not ctx.tasks.busy)
    print(f"due list + ledger on the DB worker: {time.perf_counter() - t:.2f} s, "
          f"longest GUI stall {hb.max_gap * 1000:.0f} ms (target < 200 ms)")
    print(f"  peak memory after due list + ledger: {peak_mb():.0f} MB")

    try:
        from familydoc_desktop.store import importer  # noqa: F401
    except ImportError:
        print("roster import: store.importer not available yet, skipped")
    else:
        roster = data / "roster-10000.xlsx"
        if not roster.exists():
            write_roster(roster, 10000)
        screen = window.show_screen("import_export")
        results = []
        with Heartbeat(window) as hb:
            t = time.perf_counter()
            screen.import_file(str(roster), on_done=results.append)
            run_until(app, lambda: not ctx.tasks.busy)
        if results:
            r = results[0]
            print(f"import 10,000 rows: {time.perf_counter() - t:.1f} s ({r.created} created, "
                  f"{len(r.rejected)} rejected), longest GUI stall {hb.max_gap * 1000:.0f} ms")
        else:
            print(f"import 10,000 rows failed: {screen.summary.text()}")
        print(f"  peak memory after the import: {peak_mb():.0f} MB")

    window.sync.stop()
    ctx.tasks.wait_idle()
    db.close()
    bench_sync(app, township_residents=args.residents)
    print(f"peak memory of the village doctor's app process: {peak_mb():.0f} MB "
          f"(target <= 300 MB)")
    tmp.cleanup()
    return 0


def peak_mb() -> float:
    """Peak resident memory of this process. On Linux VmHWM: ru_maxrss survives exec, so a
    child started from this 250 MB process would report at least the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_sync(app, records: int = 2000, township_residents: int = 60000) -> None:  # noqa: ANN001
    """Through the SyncController, against a real server in its own process (as in the
    field, so neither its memory nor its threads count against the app):

    1. a village PC pushes `records` new residents from a fresh database;
    2. a township PC's first full sync: the server holds the demo township of
       `township_residents` residents, and a fresh database pulls all of it."""
    import socket

    import keyring
    import requests

    from familydoc_desktop.domain.models import Resident
    from familydoc_desktop.store.database import Database
    from familydoc_desktop.sync import session
    from familydoc_desktop.ui.app import build_window

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_sync import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    password = "bench-pass-1"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'server.db'}"

        def server(*args: str, stdin: str | None = None) -> None:
            subprocess.run([sys.executable, "-m", "sync_server.cli", "--database-url", url,
                            *args], input=stdin, text=True, check=True, capture_output=True)

        server("init")
        server("org", "add", "--code", "220182000000", "--name", "演示县", "--level", "county")
        server("org", "add", "--code", "220182105000", "--name", "演示镇卫生院", "--level",
               "township", "--parent", "220182000000")
        server("org", "add", "--code", "220182105201", "--name", "黄土村卫生室", "--level",
               "clinic", "--parent", "220182105000")
        server("user", "add", "--username", "doc", "--org", "220182105201", "--role",
               "village_doctor", "--password-stdin", stdin=password + "\n")
        server("user", "add", "--username", "town", "--org", "220182105000", "--role",
               "township_staff", "--password-stdin", stdin=password + "\n")
        t = time.perf_counter()
        server("demo", "--township", "220182105000", "--residents", str(township_residents))
        print(f"server: demo township of {township_residents} residents loaded in "
              f"{time.perf_counter() - t:.1f} s")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "--database-url", url,
                                 "serve", "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(f"{base}/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        db = Database(Path(tmp) / "familydoc.db")
        ctx, window = build_window(db)
        window.show()
        try:
            session.login(ctx.db, base, "doc", password)
            ctx.reset_identity()  # the account's clinic is now this PC's clinic
            with ctx.db.session() as s:
                home = ctx.org_id
                for i in range(records):
                    s.add(Resident(org_id=home, name=f"同步{i:05d}", sex="female"))
            window.sync.refresh_status()
            run_until(app, lambda: not ctx.tasks.busy)
            report, took, stall = timed_sync(app, window)
            if report is not None:
                print(f"sync of {records} new records: {took:.1f} s ({report.pushed} pushed), "
                      f"longest GUI stall {stall:.0f} ms")
        finally:
            window.sync.stop()
            ctx.tasks.wait_idle()
            db.close()
        try:
            # In a process of its own, as on the township PC: its peak memory is its own.
            sys.stdout.flush()
            subprocess.run([sys.executable, __file__, "--child-full-sync", base,
                            str(Path(tmp) / "township-pc.db")], check=False)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def timed_sync(app, window):  # noqa: ANN001, ANN201
    """One sync through the window's SyncController under the heartbeat:
    (report or None, seconds, longest GUI stall in ms)."""
    with Heartbeat(window) as hb:
        t = time.perf_counter()
        window.sync.sync_now(interactive=False)
        run_until(app, lambda: not window.sync.running)
    took = time.perf_counter() - t
    if window.sync.last_report is None:
        print(f"sync failed: {window.sync.last_error}")
    return window.sync.last_report, took, hb.max_gap * 1000


def child_full_sync(base: str, path: str, password: str = "bench-pass-1") -> None:
    """A township PC's first sync, in a fresh app process: every record of the township,
    pulled page by page and applied on the DB worker while the window keeps painting."""
    import keyring

    from familydoc_desktop.store.database import Database
    from familydoc_desktop.sync import session
    from familydoc_desktop.ui.app import build_window, make_application, settle_heap

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_sync import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    app = make_application(lang="zh_CN")
    db = Database(Path(path))
    ctx, window = build_window(db)
    settle_heap()
    window.resize(1366, 768)
    window.show()
    try:
        session.login(ctx.db, base, "town", password)
        ctx.reset_identity()
        window.show_screen("residents")
        run_until(app, lambda: not ctx.tasks.busy)
        report, took, stall = timed_sync(app, window)
        if report is not None:
            print(f"first full sync of the township: {report.pulled:,} records in {took:.1f} s "
                  f"({report.pulled / took:,.0f} records/s, digest check included), "
                  f"longest GUI stall {stall:.0f} ms (target < 200 ms)")
        print(f"  peak memory of that app process (township PC): {peak_mb():.0f} MB "
              f"(target <= 300 MB)", flush=True)
    finally:
        window.sync.stop()
        ctx.tasks.wait_idle()
        db.close()


if __name__ == "__main__":
    sys.exit(main())
