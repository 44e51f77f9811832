"""`familydoc [--json] audit [--resident R] [--from D --to D]`: read the access log."""
from __future__ import annotations

from datetime import timezone

from familydoc_desktop.cli import common
from familydoc_desktop.cli.common import CliError
from familydoc_desktop.store import audit, residents

ACTION_ZH = {"view": "查看", "view_unmasked": "查看（未脱敏）", "reveal": "显示完整信息",
             "reveal_list": "列表显示完整信息", "print": "打印", "export": "导出",
             "create": "新建", "update": "修改", "delete": "删除"}


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("audit", help="查看访问审计日志（谁查看、显示、打印、导出了谁的信息）",
                       parents=[common.json_parent()])
    p.add_argument("--resident", help="只看某位居民（居民ID或身份证号）")
    p.add_argument("--from", dest="start", type=common.date_arg, help="起始日期（含）")
    p.add_argument("--to", dest="end", type=common.date_arg, help="截止日期（含）")
    p.add_argument("--limit", type=int, default=1000, help="最多显示条数（默认1000）")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args) -> int:  # noqa: ANN001
    if args.start and args.end and args.start > args.end:
        raise CliError("--from 不能晚于 --to")
    if args.limit < 1:
        raise CliError("--limit 须为正整数")
    db = common.db_from(args, create=False)
    with db.session() as s:
        record_id = None
        if args.resident:
            r = residents.get_resident(s, args.resident) or residents.find_by_id_number(
                s, args.resident)
            if r is None:
                raise CliError(f"找不到居民：{args.resident}")
            record_id = r.id
        rows = audit.query(s, record_id=record_id, start=args.start, end=args.end,
                           limit=args.limit)
    data = [{"at": e.created_at.replace(tzinfo=timezone.utc).isoformat(), "actor": e.actor,
             "action": e.action, "table": e.table_name, "record_id": e.record_id,
             "detail": e.detail, "org_id": e.org_id} for e in rows]

    def text() -> str:
        lines = [f"审计日志 {len(rows)} 条（新的在前）"]
        for e in rows:
            at = e.created_at.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            lines.append("  ".join(x for x in (
                at, e.actor, ACTION_ZH.get(e.action, e.action), e.table_name or "-",
                e.record_id or "-", e.detail or "") if x is not None).rstrip())
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0
