"""`familydoc import FILE --report ERR.xlsx`: the report never replaces the roster, and is
always this run's (just its header when no row was rejected)."""
from __future__ import annotations

import json
import os

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import open_database
from tests.fixtures.rosters import make_id, write_roster

GOOD = ["甲", "男", None, make_id("19491231", 11)]


def _residents(data_dir) -> int:
    db = open_database(data_dir)
    try:
        with db.session() as s:
            return len(s.exec(select(Resident)).all())
    finally:
        db.close()


def _import(tmp_path, roster, report, capsys) -> tuple[int, str, str]:
    code = main(["--data-dir", str(tmp_path / "d"), "import", str(roster), "--json",
                 "--report", str(report)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("spelling", ["same", "dotdot", "symlink"])
def test_report_over_the_roster_is_refused_and_nothing_is_imported(tmp_path, capsys, spelling):
    roster = write_roster(tmp_path / "a.xlsx", [GOOD, ["乙", None, None, None]])
    before = roster.read_bytes()
    report = {"same": roster, "dotdot": tmp_path / "x" / ".." / "a.xlsx",
              "symlink": tmp_path / "link.xlsx"}[spelling]
    if spelling == "symlink":
        os.symlink(roster, report)
    code, out, err = _import(tmp_path, roster, report, capsys)
    assert (code, out) == (1, "")
    assert err == "错误：错误报告不能保存为正在导入的花名册“a.xlsx”（会覆盖花名册），请另选文件名\n"
    assert roster.read_bytes() == before
    assert _residents(tmp_path / "d") == 0  # the import did not run


def test_report_is_rewritten_when_no_row_is_rejected(tmp_path, capsys):
    report = tmp_path / "err.xlsx"
    bad = write_roster(tmp_path / "bad.xlsx", [GOOD, ["乙", None, "1950-13-01", None]])
    code, out, _ = _import(tmp_path, bad, report, capsys)
    assert code == 0 and len(json.loads(out)["rejected"]) == 1
    book = load_workbook(report)
    assert book.sheetnames == ["导入汇总", "Sheet"]
    assert len(list(book["Sheet"].iter_rows())) == 2  # its header and the rejected row
    good = write_roster(tmp_path / "good.xlsx", [GOOD])
    code, out, _ = _import(tmp_path, good, report, capsys)
    assert code == 0 and json.loads(out)["rejected"] == []
    assert load_workbook(report).sheetnames == ["导入汇总"]  # the old rows are gone
