"""Foundation figures for a township: demo generation + load, database size, resident search
latency by kind, and roster import time (first import, unchanged re-import, and a re-import
where every phone number changed).

    python benchmarks/bench_foundation.py [--residents 60000] [--seed 1] [--keep DIR]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

import bench_keyring  # noqa: F401,E402  (the database key: before keyring is used)
from familydoc_desktop.demo.ids import IdNumbers
from familydoc_desktop.store.bulk import load_demo
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.importer import import_roster
from familydoc_desktop.store.search import search_residents

QUERIES = 200
IMPORT_ROWS = 10_000


def search_figures(db: Database, seed: int) -> None:
    rng = random.Random(seed)
    with db.session(capture=False) as s:
        sample = s.execute(text(
            "SELECT name, initials, id_number, phone FROM resident "
            "WHERE id_number IS NOT NULL AND phone IS NOT NULL ORDER BY random() LIMIT :n"),
            {"n": QUERIES}).all()
        kinds = {
            "姓名前缀": [r[0][:2] for r in sample],
            "拼音首字母": [r[1][:3] for r in sample],
            "身份证尾号": [r[2][-rng.choice((4, 6)):] for r in sample],
            "电话尾号": [r[3][-4:] for r in sample],
        }
        for kind, queries in kinds.items():
            times = []
            for q in queries:
                t = time.perf_counter()
                search_residents(s, q, limit=50)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(f"  搜索 {kind:<6} 中位数 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")


def roster(path: Path, rows: int, seed: int, phone_prefix: str = "139") -> Path:
    """A roster of `rows` valid residents; the same seed gives the same people, and
    another `phone_prefix` the same people with every phone number changed."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["某村居民花名册"])
    ws.append(["姓名", "性别", "出生日期", "身份证号", "联系电话", "现住址", "户号", "与户主关系"])
    ids = IdNumbers(rng)
    for i in range(rows):
        born = date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
        male = rng.random() < 0.5
        ws.append([f"居民{i}", "男" if male else "女", born,
                   ids.make("220183", born, male), f"{phone_prefix}{rng.randrange(10**8):08d}",
                   "某村", f"B{i // 3}", "户主" if i % 3 == 0 else "子"])
    wb.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="build the database in this folder and keep it")
    args = ap.parse_args(argv)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="familydoc-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "familydoc.db"
    if db_path.exists():
        sys.exit(f"{db_path} exists; pick an empty folder")
    db = Database(db_path)
    t = time.perf_counter()
    counts = load_demo(db, residents=args.residents, seed=args.seed)
    elapsed = time.perf_counter() - t
    print(f"生成并载入 {args.residents} 名居民：{elapsed:.1f} s，共 {sum(counts.values())} 条记录")
    for table, n in counts.items():
        print(f"  {table:<22}{n:>9}")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"数据库大小：{db_path.stat().st_size / 1e6:.1f} MB")
    search_figures(db, args.seed)
    db.close()
    target = Database(folder / "import.db")
    path = roster(folder / "roster.xlsx", IMPORT_ROWS, args.seed)
    t = time.perf_counter()
    result = import_roster(target, path)
    print(f"导入 {IMPORT_ROWS} 行花名册：{time.perf_counter() - t:.1f} s"
          f"（新建 {result.created}，未导入 {len(result.rejected)}）")
    t = time.perf_counter()
    again = import_roster(target, path)
    print(f"再次导入同一花名册：{time.perf_counter() - t:.1f} s（未变 {again.unchanged}）")
    changed = roster(folder / "roster-new-phones.xlsx", IMPORT_ROWS, args.seed, "137")
    t = time.perf_counter()
    third = import_roster(target, changed)
    print(f"导入电话全部变更的花名册：{time.perf_counter() - t:.1f} s（更新 {third.updated}）")
    target.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
