"""Export: Chinese columns, CSV with BOM for Excel, masking, audit entry, and an xlsx round
trip that imports back unchanged."""
import csv
import json
from datetime import date

from sqlalchemy import text
from sqlmodel import select

from familydoc_desktop.domain.models import AuditLog, OutboxEntry, Resident
from familydoc_desktop.store.exporter import RESIDENT_COLUMNS, export_ledger, export_residents
from familydoc_desktop.store.importer import import_roster
from tests.fixtures.rosters import make_id, write_roster

TODAY = date(2026, 6, 30)
ROWS = [["王建国", "男", None, make_id("19491231", 11), "13800001111", "一组1号", "H1", "户主"],
        ["李秀英", "女", None, make_id("19520301", 22), None, "一组1号", "H1", "配偶"],
        ["王小宝", "男", "2026-05-01", None, None, None, "H1", "孙子"]]


def seeded(db, tmp_path):
    result = import_roster(db, write_roster(tmp_path / "in.xlsx", ROWS), today=TODAY)
    assert result.created == 3


def test_csv_has_bom_chinese_columns_and_masks(db, tmp_path):
    seeded(db, tmp_path)
    out = tmp_path / "r.csv"
    with db.session() as s:
        assert export_residents(s, out, "csv", mask=True, actor="张医生") == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == RESIDENT_COLUMNS
    wang = next(r for r in rows if r[0] == "王建国")
    assert wang[1:4] == ["男", "1949-12-31", ROWS[0][3][:6] + "*" * 8 + ROWS[0][3][-4:]]
    assert wang[4] == "138****1111" and wang[6:9] == ["H1", "户主", "未签约"]
    with db.session() as s:
        [entry] = s.exec(select(AuditLog).where(AuditLog.action == "export")).all()
        assert (entry.actor, entry.action, entry.table_name) == ("张医生", "export", "resident")
        assert "3人" in entry.detail and "脱敏" in entry.detail
        # Whose data left: one entry per resident in the file, pointing at the export.
        items = s.exec(select(AuditLog).where(AuditLog.action == "export_item")).all()
        people = {r.id for r in s.exec(select(Resident)).all()}
        assert {i.record_id for i in items} == people and len(items) == 3
        assert all(i.detail == f"导出记录 {entry.id}" and i.actor == "张医生" for i in items)
        # ...and they sync: each has its outbox entry.
        queued = s.exec(select(OutboxEntry.record_id)
                        .where(OutboxEntry.table_name == "audit_log")).all()
        assert {i.id for i in items} <= set(queued)


def test_xlsx_round_trip_imports_unchanged(db, tmp_path):
    seeded(db, tmp_path)
    out = tmp_path / "r.xlsx"
    with db.session() as s:
        assert export_residents(s, out, "xlsx") == 3
    again = import_roster(db, out, today=TODAY)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, [])


def test_demo_round_trip_and_ledger_export(tmp_path):
    from familydoc_desktop.store.bulk import load_demo
    from familydoc_desktop.store.database import Database

    db = Database(tmp_path / "d.db")
    load_demo(db, residents=400, seed=5, today=date.today(), n_clinics=1)
    with db.session() as s:
        n = export_residents(s, tmp_path / "all.xlsx", "xlsx")
        red = export_ledger(s, tmp_path / "red.csv", "red")
        every = export_ledger(s, tmp_path / "ledger.xlsx")
    assert n == 400 and 0 < red < every
    back = import_roster(db, tmp_path / "all.xlsx")
    assert (back.created, back.updated, back.unchanged) == (0, 0, 400)
    lines = (tmp_path / "red.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == red + 1 and all(line.startswith("红色") for line in lines[1:])
    db.close()


def test_ledger_export_format_flag_and_village(cli_db, tmp_path, capsys):
    from familydoc_desktop.cli.main import main
    from familydoc_desktop.store.bulk import load_demo

    load_demo(cli_db, residents=300, seed=3, today=date.today(), n_clinics=1)
    with cli_db.session() as s:
        village = s.execute(text("SELECT village_code FROM resident LIMIT 1")).scalar_one()
    d = str(cli_db.path.parent)
    cli_db.close()
    out = tmp_path / "ledger.txt"  # the suffix says nothing: --format decides
    assert main(["--data-dir", d, "--json", "export", "ledger", "--format", "csv",
                 "--village", village, "--output", str(out)]) == 0
    n = json.loads(capsys.readouterr().out)["rows"]
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert n > 0 and len(lines) == n + 1 and lines[0].startswith("颜色,姓名")
    assert main(["--data-dir", d, "--json", "export", "ledger", "--village", "999999999999",
                 "--output", str(tmp_path / "none.xlsx")]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 0


def test_export_into_a_missing_folder_is_refused_and_creates_nothing(db, tmp_path):
    import pytest

    from familydoc_desktop.domain.errors import DomainError

    seeded(db, tmp_path)
    target = tmp_path / "no_such" / "deeper" / "ledger.xlsx"
    with db.session() as s, pytest.raises(DomainError) as err:
        export_ledger(s, target, fmt="xlsx", actor="张医生")
    assert err.value.code == "export_folder" and "导出文件夹不存在" in str(err.value)
    assert not (tmp_path / "no_such").exists()
    with db.session() as s, pytest.raises(DomainError):
        export_residents(s, tmp_path / "gone" / "r.csv", "csv", actor="张医生")
    assert not (tmp_path / "gone").exists()


def test_ledger_and_exports_survive_a_control_character_and_reasons_that_are_not_json(
        cli_db, tmp_path, capsys):
    """Values pulled before the server checked them (issue 14) must not kill the ledger,
    `export ledger` or the xlsx export on every PC that holds them."""
    from openpyxl import load_workbook

    from familydoc_desktop.cli.main import main
    from familydoc_desktop.store import ledger
    from familydoc_desktop.store.bulk import load_demo

    load_demo(cli_db, residents=120, seed=4, today=date.today(), n_clinics=1)
    with cli_db.session() as s:
        rid = ledger.ledger_rows(s)[0].resident_id
    with cli_db.session(capture=False) as s:  # as a pull before the checks left them
        s.execute(text("UPDATE resident SET name = :n WHERE id = :r"),
                  {"n": "王\x01五\x1b", "r": rid})
        s.execute(text("UPDATE ledger_assessment SET reasons = '{not json' WHERE resident_id = :r"),
                  {"r": rid})
    with cli_db.session() as s:
        row = next(r for r in ledger.ledger_rows(s) if r.resident_id == rid)
        assert (row.name, row.reasons) == ("王\ufffd五\ufffd", [ledger.UNREADABLE_REASONS])
        export_ledger(s, tmp_path / "l.xlsx")
        export_ledger(s, tmp_path / "l.csv")
        export_residents(s, tmp_path / "r.xlsx", "xlsx")
    cells = {c.value for r in load_workbook(tmp_path / "l.xlsx").active.iter_rows() for c in r}
    assert "王\ufffd五\ufffd" in cells and ledger.UNREADABLE_REASONS in cells
    cells = {c.value for r in load_workbook(tmp_path / "r.xlsx").active.iter_rows() for c in r}
    assert "王\ufffd五\ufffd" in cells
    d = str(cli_db.path.parent)
    cli_db.close()
    assert main(["--data-dir", d, "ledger"]) == 0
    assert "王\ufffd五\ufffd" in capsys.readouterr().out
    assert main(["--data-dir", d, "export", "ledger", "--output", str(tmp_path / "c.xlsx")]) == 0
