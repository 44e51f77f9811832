"""Roster import on the task runner with the row-level error report in a table; ledger export
and backup from their screens."""
from __future__ import annotations

from datetime import date

from openpyxl import Workbook, load_workbook

from tests.ui.conftest import wait_tasks
from familydoc_desktop.domain import roster as roster_rules
from familydoc_desktop.store import contracts, residents, search


def roster(path) -> None:  # noqa: ANN001
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "身份证号", "联系电话", "现住址", "户号", "与户主关系"])
    ws.append(["王秀英", "女", None, "11010519491231002X", "13800001234", "一组1号", "H001", "户主"])
    ws.append(["赵德才", "男", None, "110105194005010015", "13800005678", "一组2号", "H002", "户主"])
    ws.append(["错号", "男", None, "110105194912310021", "", "", "", ""])  # bad check digit
    ws.append(["", "男", "1950-01-01", "", "", "", "", ""])  # no name
    wb.save(path)


def test_import_shows_rejected_rows_with_reasons(window, qtbot, tmp_path):
    ctx = window.ctx
    path = tmp_path / "roster.xlsx"
    roster(path)
    screen = window.show_screen("import_export")
    results = []
    screen.import_file(str(path), on_done=results.append)
    wait_tasks(qtbot, ctx)
    (result,) = results
    assert (result.created, len(result.rejected), len(result.skipped)) == (2, 1, 1)
    assert screen.rejected_model.rowCount() == 2  # the rejected row and the skipped one
    shown = [[screen.rejected_model.index(r, c).data() for c in range(5)] for r in range(2)]
    assert shown[0][:4] == ["Sheet", "4", "错号", "未导入"] and "校验位" in shown[0][4]
    assert shown[1][:4] == ["Sheet", "5", "", "已跳过"] and shown[1][4].startswith(roster_rules.SKIP_NO_NAME)
    assert "新建 2" in screen.summary.text() and "跳过 1 行" in screen.summary.text()
    assert screen.save_report_button.isEnabled()
    # The resident list follows the import.
    listing = window.show_screen("residents")
    assert listing.model.total == 2


def test_ledger_export_and_backup(window, qtbot, tmp_path):
    ctx = window.ctx
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name="王秀英",
                                      id_number="11010519491231002X")
        residents.add_diagnosis(s, r.id, "hypertension", date(2020, 1, 1))
        contracts.sign_contract(s, resident_id=r.id, start=date.today(), years=1,
                                consent_by="resident")
    ledger_screen = window.show_screen("ledger")
    wait_tasks(qtbot, ctx)
    out = tmp_path / "ledger.xlsx"
    done = []
    ledger_screen.export_to(str(out), on_done=done.append)
    wait_tasks(qtbot, ctx)
    assert done == [1]
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1][1] == "王秀英"

    settings_screen = window.show_screen("settings")
    saved = []
    settings_screen.backup_now(on_done=saved.append)
    wait_tasks(qtbot, ctx)
    assert saved and saved[0].exists()
    with ctx.session() as s:
        assert search.count_residents(s) == 1


def test_import_fills_missing_ids_and_a_cancel_changes_nothing(window, qtbot, tmp_path):
    from tests.fixtures.rosters import make_id, write_roster

    ctx = window.ctx
    with ctx.session() as s:  # registered earlier without her ID number
        residents.create_resident(s, org_id=ctx.org_id, name="王秀英", sex="女",
                                  birth_date="1949-12-31")
    path = write_roster(tmp_path / "ids.xlsx", [["王秀英", "女", "1949-12-31",
                                                 "11010519491231002X", "", "", "", ""]])
    screen = window.show_screen("import_export")
    results = []
    screen.import_file(str(path), on_done=results.append)
    wait_tasks(qtbot, ctx)
    assert results[0].id_filled == 1
    assert "1 名无身份证号的居民已从本文件补全身份证号" in screen.summary.text()

    big = write_roster(tmp_path / "big.xlsx", [
        [f"居民{i:04d}", "男", None, make_id(f"1960{1 + i % 12:02d}{1 + i % 28:02d}", 2 * i % 999 + 1),
         "", "", "", ""] for i in range(3000)])
    task = screen.import_file(str(big))
    task.progress.cancelled = True  # the user presses Cancel
    wait_tasks(qtbot, ctx)
    assert screen.summary.text() == "导入已取消，未做任何更改。"
    with ctx.session() as s:
        assert search.count_residents(s) == 1  # the whole file rolled back


def test_import_of_a_workbook_with_a_sheet_per_group(window, qtbot, tmp_path):
    """Counts per sheet, and the sheets left out, named on the screen."""
    wb = Workbook()
    header = ["姓名", "性别", "出生日期", "身份证号", "户号"]
    one = wb.active
    one.title = "一组"
    one.append(header)
    one.append(["王秀英", "女", None, "11010519491231002X", "H001"])
    one.append(["合计：1人"])
    two = wb.create_sheet("二组")
    two.append(header)
    two.append(["赵德才", "男", None, "110105194005010015", "H002"])
    wb.create_sheet("说明").append(["填表说明"])
    path = tmp_path / "groups.xlsx"
    wb.save(path)
    screen = window.show_screen("import_export")
    results = []
    screen.import_file(str(path), on_done=results.append)
    wait_tasks(qtbot, window.ctx)
    assert results[0].created == 2
    text = screen.sheets_label.text()
    assert "工作表“一组”：新建 1，更新 0，未变 0，未导入 0，跳过 1" in text
    assert "工作表“二组”：新建 1" in text
    assert "工作表“说明”未导入" in text
    screen.grab().save(str(tmp_path / "import_sheets.png"))
