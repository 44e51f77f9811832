"""Roster import figures for a village workbook laid out the way clinics keep it: one sheet per
village group (组), a title row merged across, the household number and address merged down
each household's rows, a totals row and a signature row on every sheet.

Prints two kinds of figure, and says which is which:
- library: `import_roster` on a fresh database (first import) and again (unchanged re-import);
- command: `familydoc import FILE --json` as a person runs it, process start included.

python benchmarks/bench_import.py [--groups 10] [--rows 1000] [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from familydoc_desktop.demo.ids import IdNumbers  # noqa: E402
from familydoc_desktop.store.database import Database  # noqa: E402
from familydoc_desktop.store.importer import import_roster  # noqa: E402

HEADER = ["序号", "姓名", "性别", "出生日期", "身份证号", "联系电话", "户编号", "现住址",
          "与户主关系", "备注"]


def workbook(path: Path, groups: int, rows: int, seed: int) -> int:
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook()
    wb.remove(wb.active)
    ids = IdNumbers(rng)
    total = 0
    for g in range(1, groups + 1):
        ws = wb.create_sheet(f"{g}组")
        ws.append([f"某村{g}组居民花名册"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        ws.append(HEADER)
        r = 3
        i = 0
        while i < rows:
            size = min(rng.randint(1, 5), rows - i)
            number = f"{g:02d}{r:05d}"
            for m in range(size):
                born = date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
                male = rng.random() < 0.5
                ws.append([i + 1, f"居民{g}-{i}", "男" if male else "女", born,
                           ids.make("220183", born, male), f"138{rng.randrange(10**8):08d}",
                           number if m == 0 else None, f"{g}组{r}号" if m == 0 else None,
                           "户主" if m == 0 else "子女", None])
                i += 1
            if size > 1:
                ws.merge_cells(start_row=r, start_column=7, end_row=r + size - 1, end_column=7)
                ws.merge_cells(start_row=r, start_column=8, end_row=r + size - 1, end_column=8)
            r += size
        ws.append([f"合计：{rows}人"])
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
        ws.append(["制表人：王医生", None, None, "制表日期：2026年11月30日"])
        total += rows
    wb.save(path)
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--groups", type=int, default=10)
    ap.add_argument("--rows", type=int, default=1000, help="residents per group sheet")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="familydoc-bench-import-"))
    path = folder / "village.xlsx"
    t = time.perf_counter()
    total = workbook(path, args.groups, args.rows, args.seed)
    print(f"workbook: {args.groups} sheets x {args.rows} rows = {total} residents, "
          f"{path.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - t:.1f} s")

    db = Database(folder / "lib.db")
    t = time.perf_counter()
    first = import_roster(db, path)
    lib_first = time.perf_counter() - t
    t = time.perf_counter()
    again = import_roster(db, path)
    lib_again = time.perf_counter() - t
    db.close()
    skipped = len(getattr(first, "skipped", []))
    print(f"library  first import:     {lib_first:6.2f} s  (created {first.created}, "
          f"rejected {len(first.rejected)}, skipped {skipped})")
    print(f"library  unchanged import: {lib_again:6.2f} s  (unchanged {again.unchanged})")

    cmd = [sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
           str(folder / "cli"), "import", str(path), "--json"]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    cli_first = time.perf_counter() - t
    print(f"command  `familydoc import FILE --json` (first, process start included): "
          f"{cli_first:6.2f} s, rc {done.returncode}")
    if done.returncode:
        print(done.stderr[-2000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
