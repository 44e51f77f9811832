"""Township screens: 各村同步情况 (the server's sync report, for township and county accounts
only) with its flags in colour, the drill-down to a clinic's PCs, export and print; the bar
chart widget; indicator targets on the report screen; English mode."""
from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.ui.conftest import wait_tasks
from tests.ui.test_sync_ui import server  # noqa: F401 - the live server fixture
from familydoc_desktop.store import settings
from familydoc_desktop.sync import report_text, session
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.models.sync_report import BACKGROUND, FOREGROUND, SEVERITY_ROLE
from familydoc_desktop.ui.screens.township import SyncReportScreen
from familydoc_desktop.ui.widgets.bar_chart import TARGET_COLOUR, BarChart, Series
from tests.sync.sync_live import PASSWORD

# The README's screenshots of these screens: FAMILYDOC_SCREENSHOTS=docs/screenshots pytest
# tests/ui/test_township_screens.py writes them there; otherwise they go to the test's tmp dir.
SCREENSHOTS_ENV = "FAMILYDOC_SCREENSHOTS"


def _shot(widget, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
    path = folder / f"{name}.png"
    image = widget.grab().toImage()
    assert not image.isNull() and image.save(str(path))
    return path


def _device(device_id: str, username: str, *, flags=(), **values) -> dict:
    base = {"device_id": device_id, "name": f"PC-{device_id}", "username": username,
            "app_version": "1.4.0", "schema_version": 16,
            "last_sync_at": "2026-12-03T08:10:00+08:00",
            "last_seen_at": "2026-12-03T08:10:00+08:00", "reported_at": None, "pending": 0,
            "refused": 0, "refused_reasons": [], "set_aside": 0, "open_conflicts": 0,
            "clock_offset_seconds": 1.0, "digest_ok": True, "digest_checked_at": None,
            "records": {}, "last_error": None, "last_error_at": None, "sync_ok": True,
            "channel": "network", "flags": list(flags)}
    base.update(values)
    return base


def township_report() -> dict:
    """A township with clinics in every state the report flags, shaped as the server's
    SyncReportOut (checked below against the server's own model)."""
    return {"clinics": [
        {"level": "clinic", "code": "431001100201", "name": "东村卫生室", "flags": [], "open_conflicts": 0,
         "devices": [_device("e1", "doc_e")]},
        {"level": "clinic", "code": "431001100202", "name": "西村卫生室", "flags": ["no_device"],
         "open_conflicts": 0, "devices": []},
        {"level": "clinic", "code": "431001100203", "name": "南村卫生室", "flags": ["not_synced"],
         "open_conflicts": 0,
         "devices": [_device("s1", "doc_s", flags=["not_synced"], last_sync_at=None)]},
        {"level": "clinic", "code": "431001100204", "name": "北村卫生室",
         "flags": ["device_behind", "clock_offset", "refused"], "open_conflicts": 0,
         "devices": [
             _device("n1", "doc_n1", flags=["clock_offset", "refused"], refused=2,
                     clock_offset_seconds=-620.0,
                     refused_reasons=[{"reason": "无权访问该机构的数据", "count": 2}]),
             _device("n2", "doc_n2", flags=["not_synced"],
                     last_sync_at="2026-11-10T09:00:00+08:00")]},
        {"level": "clinic", "code": "431001100205", "name": "中村卫生室", "flags": ["open_conflicts"],
         "open_conflicts": 3, "devices": [_device("m1", "doc_m", flags=["open_conflicts"],
                                                  open_conflicts=3)]},
        {"level": "clinic", "code": "431001100206", "name": "高村卫生室", "flags": ["sync_failed",
                                                                "digest_mismatch"],
         "open_conflicts": 0,
         "devices": [_device("g1", "doc_g", flags=["sync_failed", "digest_mismatch"],
                             sync_ok=False, digest_ok=False, last_error="同步服务器出错（500）")]},
    ]}


class FakeClient:
    """Answers GET /reports/sync like the server would."""

    def __init__(self, body: dict) -> None:
        self.body = body
        self.asked: list[tuple[str, dict]] = []

    def get(self, path: str, params: dict | None = None) -> bytes:
        self.asked.append((path, dict(params or {})))
        return json.dumps(self.body, ensure_ascii=False).encode()

    def close(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch):
    client = FakeClient(township_report())
    monkeypatch.setattr(session, "make_client", lambda _db: client)
    return client


def _screen(ctx, qtbot) -> SyncReportScreen:
    screen = SyncReportScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    return screen


def _loaded(ctx, qtbot) -> SyncReportScreen:
    screen = _screen(ctx, qtbot)
    screen.activate()  # the first show fetches
    wait_tasks(qtbot, ctx)
    return screen


def test_fixture_report_has_the_servers_shape():
    from sync_server.services.sync_health import SyncReportOut

    assert SyncReportOut.model_validate(township_report()).model_dump() == township_report()


def test_flag_severity_red_and_amber():
    assert report_text.severity([]) is None
    for flag in ("no_device", "not_synced", "sync_failed", "digest_mismatch"):
        assert report_text.severity(["open_conflicts", flag]) == "red"
    for flag in ("device_behind", "clock_offset", "refused", "old_version", "open_conflicts"):
        assert report_text.severity([flag]) == "amber"
    # Every flag the server can raise has a colour and both languages' words.
    from familydoc_desktop.sync.protocol import SYNC_FLAGS
    assert set(SYNC_FLAGS) == set(report_text.RED_FLAGS) | set(report_text.AMBER_FLAGS)
    assert set(SYNC_FLAGS) == set(labels._SYNC_FLAG_EN)


# -- visibility -------------------------------------------------------------------------------

def _signed_in_as(window, qtbot, role: str | None, org_level: str | None = None) -> None:
    from familydoc_desktop.domain.models import Organisation

    with window.ctx.session() as s:
        settings.set_setting(s, "username", "someone")
        settings.set_setting(s, session.LOGIN_ROLE, role)
        if org_level is not None:
            org = Organisation(code=f"4310011{org_level[:3]}", name="城关镇", level=org_level)
            s.add(org)
            s.flush()
            settings.set_setting(s, session.LOGIN_ORG, org.id)
    window.sync.refresh_status()
    wait_tasks(qtbot, window.ctx)


def test_only_township_and_county_accounts_see_the_screen(window, qtbot):
    wait_tasks(qtbot, window.ctx)
    assert not window.screen_visible("township")  # never signed in
    _signed_in_as(window, qtbot, "village_doctor")
    assert not window.screen_visible("township")
    _signed_in_as(window, qtbot, "township_staff")
    assert window.screen_visible("township")
    row = window._order.index("township")
    assert window.nav.item(row).text() == "各村同步情况"
    _signed_in_as(window, qtbot, "county_admin")
    assert window.screen_visible("township")
    window.nav.setCurrentRow(row)
    reports = window.show_screen("reports")
    wait_tasks(qtbot, window.ctx)
    assert reports.source_combo.isVisibleTo(window)  # "from the server" for a county account
    window.nav.setCurrentRow(row)
    # Signing in as a village doctor hides it again, and leaves the screen.
    _signed_in_as(window, qtbot, "village_doctor")
    assert not window.screen_visible("township") and window.nav.currentRow() == 0
    assert not reports.source_combo.isVisibleTo(window) and reports.source() == "local"


def test_a_pc_signed_in_before_the_role_was_kept_goes_by_the_accounts_org(window, qtbot):
    _signed_in_as(window, qtbot, None, org_level="township")
    assert session.account_role(window.ctx.db) == "township_staff"
    assert window.screen_visible("township")


def test_live_login_keeps_the_role_and_the_report_comes_from_the_server(
        window, qtbot, server, tmp_path):  # noqa: F811
    from familydoc_desktop.store.database import Database

    (tmp_path / "village").mkdir()
    village = Database(tmp_path / "village" / "familydoc.db")
    try:  # 东村's PC signs in and syncs (sending its sync-health report)
        result = session.login(village, server.url, "doc_a1", PASSWORD)
        assert result.role == "village_doctor"
        assert session.account_role(village) == "village_doctor"
        session.run_sync(village)
    finally:
        village.close()

    ctx = window.ctx
    assert not window.screen_visible("township")
    session.login(ctx.db, server.url, "town", PASSWORD)
    window.sync.refresh_status()
    wait_tasks(qtbot, ctx)
    assert window.screen_visible("township")
    screen = window.show_screen("township")
    wait_tasks(qtbot, ctx)
    model = screen.clinics_model
    # The township's own PC (this one, which only reads) has a row of its own, first.
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == \
        ["城关镇（本机构的电脑）", "东村卫生室", "西村卫生室"]
    town, east, west = (model.index(r, 7) for r in range(3))
    assert west.data() == "没有登记的电脑" and west.data(SEVERITY_ROLE) == "red"
    assert east.data() == "正常" and east.data(SEVERITY_ROLE) is None
    assert town.data() == "7天内没有同步"  # it signed in to read, it never synced
    assert model.index(1, 2).data() == "1"
    screen.clinics.setCurrentIndex(model.index(1, 0))
    assert screen.devices_model.index(0, 0).data() == "doc_a1"
    assert screen.summary.text().startswith("2 个村卫生室：1 个红色，0 个黄色，1 个正常。")
    assert "1 个乡镇（县）机构的电脑" in screen.summary.text()


def test_indicators_from_the_server_need_no_residents_on_the_pc(window, qtbot, server,
                                                                 tmp_path):  # noqa: F811
    from familydoc_desktop.domain.models import Resident
    from familydoc_desktop.store.database import Database
    from familydoc_desktop.sync import indicators

    (tmp_path / "village").mkdir()
    village = Database(tmp_path / "village" / "familydoc.db")
    try:  # 东村's PC records three residents and syncs them up
        session.login(village, server.url, "doc_a1", PASSWORD)
        with village.session() as s:
            for name in ("王一", "王二", "王三"):
                s.add(Resident(org_id=server.clinic(), name=name, sex="male"))
        assert session.run_sync(village).pushed == 3
    finally:
        village.close()

    ctx = window.ctx
    wait_tasks(qtbot, ctx)  # the window's first status read (before the login) is in
    window.sync.stop()  # no automatic sync: this PC never pulls a resident
    session.login(ctx.db, server.url, "town", PASSWORD)
    assert session.supervises(ctx.db)
    window.set_supervisor(True)  # what the next status read does (stopped here)
    reports = window.show_screen("reports")
    wait_tasks(qtbot, ctx)
    assert reports.value("on_file") == "0" and reports.shown_source == "local"
    reports.source_combo.setCurrentIndex(reports.source_combo.findData("server"))
    reports.run()
    wait_tasks(qtbot, ctx)
    assert reports.shown_source == "server" and "同步服务器" in reports.status.text()
    assert reports.value("on_file") == "3" and reports.value("signed") == "0"
    expected = indicators.server_report(ctx.db, by=reports.by_combo.currentData())
    assert reports.value("on_file") == str(expected.total.values["on_file"])
    from sqlmodel import func, select
    with ctx.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == 0
    assert reports.charts.coverage.target == reports.targets["coverage"]
    reports.resize(1280, 720)
    reports.table.setFocus()
    _shot(reports, tmp_path, "reports_server")


# -- the table, drill-down, export, print -------------------------------------------------------

def test_table_shows_each_clinics_flags_in_colour(ctx, qtbot, fake_server):
    screen = _loaded(ctx, qtbot)
    assert fake_server.asked == [("/reports/sync", {"stale_days": 7})]
    model = screen.clinics_model
    assert model.rowCount() == 6
    status = {model.index(r, 1).data(): model.index(r, 7) for r in range(6)}
    assert status["东村卫生室"].data() == "正常" and status["东村卫生室"].data(SEVERITY_ROLE) is None
    assert status["东村卫生室"].data(Qt.ItemDataRole.BackgroundRole) is None
    assert status["西村卫生室"].data() == "没有登记的电脑"
    assert status["南村卫生室"].data() == "7天内没有同步"
    assert status["北村卫生室"].data() == "有电脑7天内没有同步、电脑时钟偏差超过5分钟、有修改被服务器拒绝"
    assert status["中村卫生室"].data() == "有待处理的冲突"
    assert status["高村卫生室"].data() == "最近一次同步失败、数据核对不一致"
    red = {"西村卫生室", "南村卫生室", "高村卫生室"}
    amber = {"北村卫生室", "中村卫生室"}
    for name, index in status.items():
        level = "red" if name in red else "amber" if name in amber else None
        assert index.data(SEVERITY_ROLE) == level, name
        if level:
            brush = index.data(Qt.ItemDataRole.BackgroundRole)
            assert brush.color() == QColor(BACKGROUND[level])
            assert index.data(Qt.ItemDataRole.ForegroundRole).color() == QColor(FOREGROUND[level])
            # The whole row is tinted, not only the status cell.
            name_cell = model.index(index.row(), 1)
            assert name_cell.data(Qt.ItemDataRole.BackgroundRole).color() == \
                QColor(BACKGROUND[level])
    assert model.index(3, 5).data() == "2"  # refused edits, summed over the clinic's PCs
    assert model.index(4, 6).data() == "3"  # open conflicts
    assert model.index(2, 3).data() == "从未同步"
    assert "6 个村卫生室" in screen.summary.text() and "3 个红色" in screen.summary.text() \
        and "2 个黄色" in screen.summary.text()

    # A longer window: asked again with the chosen number of days.
    screen.days_spin.setValue(30)
    screen.refresh()
    wait_tasks(qtbot, ctx)
    assert fake_server.asked[-1] == ("/reports/sync", {"stale_days": 30})
    assert model.index(2, 7).data() == "30天内没有同步"


def test_drill_down_lists_the_chosen_clinics_pcs(ctx, qtbot, fake_server):
    screen = _loaded(ctx, qtbot)
    # The first clinic is chosen at once.
    assert screen.devices_model.rowCount() == 1
    assert screen.devices_model.index(0, 0).data() == "doc_e"
    north = next(r for r in range(6) if screen.clinics_model.index(r, 1).data() == "北村卫生室")
    screen.clinics.setCurrentIndex(screen.clinics_model.index(north, 0))
    devices = screen.devices_model
    assert devices.rowCount() == 2 and "北村卫生室" in screen.devices_box.title()
    first = [devices.index(0, c).data() for c in range(devices.columnCount())]
    assert first[0] == "doc_n1" and first[1] == "PC-n1" and first[3] == "网络"
    assert first[7] == "2" and first[9] == "-620 秒" and first[10] == "一致"
    assert first[-1] == "电脑时钟偏差超过5分钟、有修改被服务器拒绝"
    assert devices.index(0, 0).data(SEVERITY_ROLE) == "amber"
    assert devices.index(1, 12).data() == "7天内没有同步"
    assert devices.index(1, 0).data(SEVERITY_ROLE) == "red"
    assert devices.index(1, 4).data() == "2026-11-10 09:00"

    west = next(r for r in range(6) if screen.clinics_model.index(r, 1).data() == "西村卫生室")
    screen.clinics.setCurrentIndex(screen.clinics_model.index(west, 0))
    assert devices.rowCount() == 0 and "（0）" in screen.devices_box.title()


def test_a_county_of_many_clinics_is_handed_to_the_view_a_page_at_a_time(ctx, qtbot,
                                                                          monkeypatch):
    clinic = township_report()["clinics"][3]
    many = {"clinics": [{**clinic, "code": f"43100110{i:04d}", "name": f"{i}村卫生室"}
                        for i in range(250)]}
    monkeypatch.setattr(session, "make_client", lambda _db: FakeClient(many))
    screen = _loaded(ctx, qtbot)
    model = screen.clinics_model
    assert model.rowCount() == model.PAGE and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 250 and model.index(249, 1).data() == "249村卫生室"


def test_export_writes_both_sheets_with_colours(ctx, qtbot, fake_server, tmp_path):
    screen = _loaded(ctx, qtbot)
    out = tmp_path / "各村同步情况.xlsx"
    screen.export_to(str(out))
    wait_tasks(qtbot, ctx)
    assert "已导出到" in screen.status.text()
    wb = load_workbook(out)
    clinics = list(wb["各村同步情况"].iter_rows(values_only=True))
    assert clinics[0] == tuple(report_text.CLINIC_HEADER)
    assert clinics[1] == ("431001100201", "东村卫生室", 1, 0, "正常")
    assert ("431001100202", "西村卫生室", 0, 0, "没有登记的电脑") in clinics
    assert ("431001100205", "中村卫生室", 1, 3, "有待处理的冲突") in clinics
    sheet = wb["各村同步情况"]
    fills = {row[1].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert fills["西村卫生室"].endswith(report_text.FILLS["red"])
    assert fills["中村卫生室"].endswith(report_text.FILLS["amber"])
    assert fills["东村卫生室"] in ("00000000", None)
    devices = list(wb["电脑明细"].iter_rows(values_only=True))
    assert len(devices) == 1 + 6  # every PC of every clinic
    n1 = next(r for r in devices if r[2] == "doc_n1")
    assert n1[6] == "网络" and n1[10] == 2 and n1[11] == "无权访问该机构的数据（2）"
    assert n1[13] == -620
    from familydoc_desktop.store import audit
    with ctx.session() as s:
        assert any("导出各村同步情况 6 个村卫生室" in (e.detail or "")
                   for e in audit.query(s))


def test_export_to_a_missing_folder_says_so_in_chinese(ctx, qtbot, fake_server, tmp_path):
    screen = _loaded(ctx, qtbot)
    screen.export_to(str(tmp_path / "no" / "such" / "x.xlsx"))
    wait_tasks(qtbot, ctx)
    assert "文件夹不存在" in screen.status.text() or "不存在" in screen.status.text()
    assert "Errno" not in screen.status.text()


def test_print_to_pdf_lays_out_the_report(ctx, qtbot, fake_server, tmp_path):
    screen = _loaded(ctx, qtbot)
    html = screen.print_html()
    for words in ("各村同步情况", "西村卫生室", "没有登记的电脑", "doc_n1", "-620秒", "电脑明细"):
        assert words in html
    assert html.count("background-color:#F8D7DA") >= 3  # red clinics (and their PCs)
    out = tmp_path / "report.pdf"
    done = []
    screen.print_to(str(out), on_done=done.append)  # a task: a county's report takes seconds
    wait_tasks(qtbot, ctx)
    assert done == [out] and str(out) in screen.status.text()
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
    # A4 landscape in points (72 dpi): 842 x 595.
    assert re.search(rb"/MediaBox \[0 0 842(\.0+)? 595(\.0+)?\]", data)


def test_a_dead_network_gives_a_clear_chinese_message(ctx, qtbot, monkeypatch):
    from familydoc_desktop.sync.http import Client
    from tests.sync.sync_live import free_port

    port = free_port()  # nothing listens there
    monkeypatch.setattr(session, "make_client",
                        lambda _db: Client(f"http://127.0.0.1:{port}", token="t"))
    screen = _loaded(ctx, qtbot)
    text = screen.status.text()
    assert "无法连接同步服务器" in text and "网络" in text and "刷新" in text
    assert "Errno" not in text and "refused" not in text.lower()
    assert screen.refresh_button.isEnabled() and not screen.export_button.isEnabled()


def test_not_signed_in_says_so(ctx, qtbot):
    screen = _loaded(ctx, qtbot)
    assert "尚未登录同步服务器" in screen.status.text()


# -- the bar chart ------------------------------------------------------------------------------

def _pixel(image, x: float, y: float) -> QColor:
    return QColor(image.pixel(int(x), int(y)))


def test_bar_chart_paints_bars_and_the_target(qtbot):
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(600, 10)
    chart.set_data("签约率", ["东村", "西村", "南村"],
                   [Series("签约率", "#3A7BD5", [80.0, 30.0, None])],
                   target=50.0, target_label="目标 50%")
    chart.show()
    image = chart.grab().toImage()
    assert image.height() == chart.sizeHint().height()
    east, west = chart.bar_rect(0, 0), chart.bar_rect(1, 0)
    assert chart.bar_rect(2, 0) is None  # nothing counted: no bar
    assert east.width() > 2 * west.width() and abs(east.width() / west.width() - 80 / 30) < 0.1
    blue = QColor("#3A7BD5")
    assert _pixel(image, east.center().x(), east.center().y()) == blue
    assert _pixel(image, west.center().x(), west.center().y()) == blue
    tx = chart.target_x()
    plot = chart.plot_rect()
    assert abs(tx - (plot.left() + plot.width() * 0.5)) < 1
    # The target line crosses every row, over the bars and where there is none.
    purple = QColor(TARGET_COLOUR)
    for row in range(3):
        band = chart.row_rect(row)
        assert _pixel(image, tx, band.center().y()) == purple
    # Past the short bar's end there is no bar colour.
    assert _pixel(image, west.right() + 40, west.center().y()) != blue
    south = chart.row_rect(2)
    assert _pixel(image, plot.left() + 10, south.center().y()) != blue


def test_bar_chart_stacks_the_ledger_colours(qtbot):
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(600, 10)
    colours = ["#D9534F", "#F0AD4E", "#5CB85C"]
    chart.set_data("三色", ["东村"], [Series(n, c, [v]) for n, c, v in
                                    zip(("红", "黄", "绿"), colours, (10, 20, 70))],
                   stacked=True, percent=False)
    chart.show()
    image = chart.grab().toImage()
    assert chart.maximum == 100 and chart.target_x() is None
    rects = [chart.bar_rect(0, i) for i in range(3)]
    assert rects[0].right() == pytest.approx(rects[1].left())
    assert rects[1].right() == pytest.approx(rects[2].left())
    for rect, colour in zip(rects, colours):
        assert _pixel(image, rect.center().x(), rect.center().y()) == QColor(colour)
    widths = [r.width() for r in rects]
    assert widths[2] / widths[0] == pytest.approx(7, rel=0.05)


# -- targets on the report screen ----------------------------------------------------------------

def test_report_screen_marks_rates_below_target_and_charts_them(ctx, qtbot, tmp_path):
    from familydoc_desktop.store.bulk import load_demo
    from familydoc_desktop.ui.screens.reports import ReportsScreen

    load_demo(ctx.db, residents=900, seed=4, today=date.today(), n_clinics=3)
    screen = ReportsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    screen.activate()
    wait_tasks(qtbot, ctx)
    assert screen.table.horizontalHeaderItem(2).text() == "目标"
    targets = screen.targets
    # The default rule set (seed 002, seed 001 item 22): 50 % coverage in 2025-2026.
    from familydoc_desktop.domain.indicators import INDICATORS
    from familydoc_desktop.domain.targets import target_for
    from familydoc_desktop.rulesets import load_ruleset
    coverage = target_for(load_ruleset("targets_default"), "coverage", date.today())
    assert targets["coverage"] == coverage and coverage in (45, 50, 60, 75)
    assert targets["aged_80_visit_rate"] == 100 and targets["satisfaction_rate"] == 85
    row = [i.code for i in INDICATORS].index("coverage")
    assert screen.table.item(row, 2).text() == f"≥{coverage:g}"
    checked = 0
    for code, target in targets.items():
        for col in range(1 + 3):  # the total and three villages
            text = screen.value(code, col)
            below = text not in ("—", "") and float(text) < target
            assert screen.is_below_target(code, col) == below, (code, col, text)
            colour = screen.cell(code, col).foreground().color()
            assert (colour == QColor("#C0392B")) == below
            checked += 1
    assert checked == len(targets) * 4
    # The charts show the villages against the same target.
    charts = screen.charts
    assert charts.coverage.categories == [screen.table.horizontalHeaderItem(c).text()
                                          for c in range(4, 7)]
    assert charts.coverage.target == targets["coverage"]
    assert charts.coverage.series[0].values == [float(screen.value("coverage", c))
                                                for c in (1, 2, 3)]
    assert [s.values for s in charts.ledger.series] == [
        [int(screen.value(code, c)) for c in (1, 2, 3)]
        for code in ("ledger_red", "ledger_yellow", "ledger_green")]
    assert charts.visits.target == 100

    # Another region's targets come from its rule set, not from code.
    with ctx.session() as s:
        settings.set_setting(s, "targets_ruleset", "targets_jilin")
    screen.run()
    wait_tasks(qtbot, ctx)
    assert screen.targets["coverage"] == 30 and "satisfaction_rate" not in screen.targets
    assert screen.table.item(row, 2).text() == "≥30"
    assert not screen.is_below_target("coverage")

    with ctx.session() as s:
        settings.set_setting(s, "targets_ruleset", None)
    screen.run()
    wait_tasks(qtbot, ctx)
    screen.table.setFocus()
    _shot(screen, tmp_path, "reports_targets")
    screen.tabs.setCurrentWidget(screen.charts)
    qtbot.wait(50)
    _shot(screen, tmp_path, "reports_charts")


def test_targets_in_force_by_year():
    from familydoc_desktop.domain.targets import below_target, target_for
    from familydoc_desktop.rulesets import list_rulesets, load_ruleset

    assert list_rulesets("targets") == ["targets_default", "targets_jilin"]
    rs = load_ruleset("targets_default")
    assert target_for(rs, "coverage", date(2022, 6, 1)) == 45  # before the first: the first
    assert target_for(rs, "coverage", date(2024, 6, 1)) == 45
    assert target_for(rs, "coverage", date(2026, 12, 3)) == 50
    assert target_for(rs, "coverage", date(2027, 1, 1)) == 60
    assert target_for(rs, "coverage", date(2040, 1, 1)) == 75
    assert target_for(rs, "renewal_rate", date(2026, 1, 1)) is None
    assert target_for({"targets": {"no_such": {"value": 1}}}, "no_such", date(2026, 1, 1)) is None
    assert below_target(49.9, 50) and not below_target(50, 50) and not below_target(None, 50)


# -- English and the screenshots -----------------------------------------------------------------

@pytest.fixture
def english(app):
    from familydoc_desktop.ui.app import make_application
    make_application(lang="en")
    yield
    make_application(lang="zh_CN")


def test_english_mode(english, ctx, qtbot, fake_server, tmp_path):
    screen = _loaded(ctx, qtbot)
    model = screen.clinics_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:2] == ["Code", "Village clinic"] and headers[-1] == "Status"
    words = [model.index(r, 7).data() for r in range(model.rowCount())]
    assert words[0] == "OK" and words[1] == "No PC registered"
    assert words[3] == ("A PC not synced for 7 days; PC clock off by more than 5 minutes; "
                        "Edits refused by the server")
    assert screen.refresh_button.text() == "Refresh"
    assert "6 village clinics" in screen.summary.text()
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(headers + words))
    _shot(screen, tmp_path, "township_sync_en")


def test_english_charts(english, qtbot):
    from familydoc_desktop.domain.report import Report, ReportRow
    from familydoc_desktop.ui.screens.reports import ReportCharts

    rows = [ReportRow(None, "合计", {"on_file": 30, "signed": 20, "ledger_red": 1}),
            ReportRow("1", "东村", {"on_file": 10, "signed": 5, "ledger_green": 4}),
            ReportRow("2", "西村", {"on_file": 20, "signed": 15, "ledger_red": 1})]
    charts = ReportCharts()
    qtbot.addWidget(charts)
    charts.show_report(Report(date(2026, 12, 3), date(2026, 1, 1), date(2026, 12, 3),
                              "village", rows), {"coverage": 50.0})
    assert charts.coverage.title == "Signing rate (coverage), by village"
    assert charts.coverage.categories == ["东村", "西村"]  # village names stay as they are
    assert charts.coverage.series[0].values == [50.0, 75.0]
    assert charts.coverage.target_label == "Target 50%"
    assert [s.name for s in charts.ledger.series] == ["Ledger: red", "Ledger: yellow",
                                                      "Ledger: green"]
    assert charts.visits.target is None and charts.visits.series[0].values == [None, None]


def test_screenshot_of_the_sync_report(ctx, qtbot, fake_server, tmp_path):
    from PySide6.QtGui import QImage

    screen = _loaded(ctx, qtbot)
    north = next(r for r in range(6) if screen.clinics_model.index(r, 1).data() == "北村卫生室")
    screen.clinics.setCurrentIndex(screen.clinics_model.index(north, 0))
    qtbot.wait(50)
    image = QImage(str(_shot(screen, tmp_path, "township_sync")))
    # The red rows are red on screen too: a pixel of 西村's row (not selected) in the table.
    west = screen.clinics.visualRect(screen.clinics_model.index(1, 2))
    origin = screen.clinics.viewport().mapTo(screen, west.center())
    assert QColor(image.pixel(origin.x(), origin.y())) == QColor(BACKGROUND["red"])
