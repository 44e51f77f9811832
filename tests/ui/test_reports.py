"""The indicators screen works the report out in the task runner, shows the indicators down
and the groups across, and exports what it shows."""
from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from sqlalchemy import text

from tests.ui.conftest import wait_tasks
from familydoc_desktop.store.bulk import load_demo
from familydoc_desktop.ui.screens.reports import ReportsScreen


def test_report_screen_totals_groups_and_export(ctx, qtbot, tmp_path):
    load_demo(ctx.db, residents=600, seed=4, today=date.today(), n_clinics=2)
    with ctx.session() as s:
        on_file = s.execute(text("SELECT count(*) FROM resident WHERE deleted = 0"
                                 " AND died_on IS NULL")).scalar_one()
    screen = ReportsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    assert screen.by_combo.currentData() == "village"  # two villages: side by side
    screen.by_combo.setCurrentIndex(screen.by_combo.findData(None))
    screen.activate()  # first show calculates
    wait_tasks(qtbot, ctx)
    assert screen.value("on_file") == str(on_file)
    assert screen.table.columnCount() == 4  # indicator, unit, target, total
    assert screen.table.horizontalHeaderItem(3).text() == "合计"
    assert float(screen.value("coverage")) > 0

    screen.by_combo.setCurrentIndex(screen.by_combo.findData("village"))
    screen.run()
    wait_tasks(qtbot, ctx)
    assert screen.table.columnCount() == 4 + 2
    per_village = [int(screen.value("on_file", c)) for c in (1, 2)]
    assert sum(per_village) == on_file and all(per_village)

    # A period that ends after the report date is refused in Chinese, the table stays.
    screen.end_edit.setDate(screen.on_edit.date().addDays(-1))
    screen.on_edit.setDate(screen.on_edit.date().addDays(-2))
    screen.run()
    wait_tasks(qtbot, ctx)
    assert "不能晚于统计日期" in screen.status.text()
    assert screen.value("on_file") == str(on_file)

    out = tmp_path / "report.xlsx"
    screen.export_to(str(out))
    wait_tasks(qtbot, ctx)
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[2][0] == "在册居民" and rows[2][2] == on_file and len(rows[1]) == 5
