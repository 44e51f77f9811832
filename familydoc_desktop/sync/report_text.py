"""The sync report (GET /api/v1/reports/sync) as Chinese lines: a clinic per line with its
flags, its devices indented below. Shared by `familydoc sync-report` and
`familydoc-server report sync`; works on the JSON dict."""
from __future__ import annotations

from familydoc_desktop.sync.protocol import sync_flag_words


def short_time(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


def digest_word(ok: bool | None) -> str:
    return "未核对" if ok is None else ("一致" if ok else "不一致")


def channel_word(channel: str | None) -> str:
    return {"usb": "U盘", "network": "网络"}.get(channel or "", "-")


def offset_word(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:+.0f}秒"


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def lines(report: dict, stale_days: int = 7) -> list[str]:
    clinics = report.get("clinics") or []
    if not clinics:
        return ["范围内没有村卫生室"]
    flagged = sum(bool(c["flags"]) for c in clinics)
    villages = sum(c.get("level", "clinic") == "clinic" for c in clinics)
    others = len(clinics) - villages
    also = f"、{others} 个乡镇（县）机构的电脑" if others else ""
    out = [f"各村同步情况：{villages} 个村卫生室{also}，{flagged} 个需要关注"
           f"（{stale_days} 天内未同步即标记）"]
    for c in clinics:
        state = sync_flag_words(c["flags"], stale_days) if c["flags"] else "正常"
        out.append(f"{c['code']}  {row_name(c)}  电脑 {len(c['devices'])} 台  待处理冲突 "
                   f"{c['open_conflicts']}  【{state}】")
        for d in c["devices"]:
            out.append(
                f"    {d['username']}  {d.get('name') or d['device_id']}  "
                f"版本 {d.get('app_version') or '-'}  "
                f"上次同步 {short_time(d.get('last_sync_at'))}"
                f"{'（U盘）' if d.get('channel') == 'usb' else ''}  "
                f"最近联系 {short_time(d.get('last_seen_at'))}  待上传 {_n(d.get('pending'))}  "
                f"被拒 {_n(d.get('refused'))}  冲突 {_n(d.get('open_conflicts'))}  "
                f"时钟 {offset_word(d.get('clock_offset_seconds'))}  "
                f"核对 {digest_word(d.get('digest_ok'))}")
            if d.get("last_error"):
                out.append(f"        最近错误（{short_time(d.get('last_error_at'))}）："
                           f"{d['last_error']}")
    return out


# How much a flag matters to the township, for colour on screen and in the export:
# red - the clinic's data is not reaching the server or cannot be trusted (nothing to sync
#       from, nothing synced in N days, the last round failed, the digests disagree);
# amber - it syncs, but something needs a look (a wrong clock, refused edits, an old version,
#       open conflicts, one PC of several behind).
RED_FLAGS = ("no_device", "not_synced", "sync_failed", "digest_mismatch")
AMBER_FLAGS = ("device_behind", "clock_offset", "refused", "old_version", "open_conflicts")
RED, AMBER = "red", "amber"


def severity(flags: list[str]) -> str | None:
    """"red", "amber" or None (no flag) for a clinic's or a device's flags."""
    if any(f in RED_FLAGS for f in flags):
        return RED
    return AMBER if flags else None


CLINIC_HEADER = ["机构代码", "村卫生室", "电脑台数", "待处理冲突", "需要关注"]
DEVICE_HEADER = ["机构代码", "村卫生室", "用户名", "电脑", "设备号", "软件版本", "同步方式",
                 "上次成功同步", "最近联系", "待上传", "被拒修改", "被拒原因", "本机冲突", "时钟偏差(秒)",
                 "数据核对", "核对时间", "最近错误", "标记"]


OWN_PCS = "（本机构的电脑）"


def row_name(c: dict) -> str:
    """A clinic's name; a township's or county's row (its own PCs) says so."""
    return c["name"] + ("" if c.get("level", "clinic") == "clinic" else OWN_PCS)


def clinic_row(c: dict, stale_days: int = 7) -> list:
    return [c["code"], row_name(c), len(c.get("devices") or []), c.get("open_conflicts") or 0,
            sync_flag_words(c.get("flags") or [], stale_days) or "正常"]


def device_row(c: dict, d: dict, stale_days: int = 7) -> list:
    return [c["code"], c["name"], d.get("username"), d.get("name"), d.get("device_id"),
            d.get("app_version"), channel_word(d.get("channel")),
            short_time(d.get("last_sync_at")),
            short_time(d.get("last_seen_at")), d.get("pending"), d.get("refused"),
            refused_words(d.get("refused_reasons") or []), d.get("open_conflicts"),
            d.get("clock_offset_seconds"), digest_word(d.get("digest_ok")),
            short_time(d.get("digest_checked_at")), d.get("last_error"),
            sync_flag_words(d.get("flags") or [], stale_days)]


def refused_words(reasons: list[dict]) -> str:
    return "；".join(f"{r.get('reason')}（{r.get('count')}）" for r in reasons)


FILLS = {RED: "F8CBAD", AMBER: "FFE699"}


def write_xlsx(report: dict, path, stale_days: int = 7):  # noqa: ANN001, ANN201
    """Two sheets: 各村同步情况 (a clinic per row, red or amber by its flags) and 电脑明细
    (every device). Used by `familydoc-server report sync --output` and the app's export."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    clinics = wb.active
    clinics.title = "各村同步情况"
    clinics.append(CLINIC_HEADER)
    devices = wb.create_sheet("电脑明细")
    devices.append(DEVICE_HEADER)
    for c in report.get("clinics") or []:
        clinics.append(clinic_row(c, stale_days))
        level = severity(c.get("flags") or [])
        if level:
            for cell in clinics[clinics.max_row]:
                cell.fill = PatternFill("solid", fgColor=FILLS[level])
        for d in c.get("devices") or []:
            devices.append(device_row(c, d, stale_days))
            level = severity(d.get("flags") or [])
            if level:
                devices.cell(devices.max_row, len(DEVICE_HEADER)).fill = \
                    PatternFill("solid", fgColor=FILLS[level])
    for sheet in (clinics, devices):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    wb.save(path)
    return path
