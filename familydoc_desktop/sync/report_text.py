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
        own = "" if c.get("level", "clinic") == "clinic" else "（本机构的电脑）"
        out.append(f"{c['code']}  {c['name']}{own}  电脑 {len(c['devices'])} 台  待处理冲突 "
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
