"""`familydoc report`: the township's indicators (签约率, 重点人群签约率, 续签率, 三色, 80岁以上
访视, 规范管理率, 控制率, 家庭病床, 转诊, 满意度, 签约服务费) for a period, in total and per
village, team or doctor; printed as a table, or written to .xlsx/.csv with --output."""
from __future__ import annotations

import unicodedata

from familydoc_desktop.cli import common


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def format_table(table: list[list]) -> str:
    """Columns aligned for a terminal, counting a Chinese character as two cells."""
    title, *rows = table
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [str(title[0])]
    for n, row in enumerate(cells):
        lines.append("  ".join(_pad(c, widths[i], right=i >= 2 and n > 0)
                               for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def cmd_report(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.exporter import export_report, report_table
    from familydoc_desktop.store.report import township_report

    db = common.db_from(args, create=False)
    try:
        with db.session() as s:
            report = township_report(s, on=args.on, start=args.start, end=args.end, by=args.by)
            if args.output:
                export_report(s, report, args.output, args.format, actor=args.actor)
    finally:
        db.close()
    if args.output:
        common.emit(args, {**report.to_json(), "output": str(args.output)},
                    f"已导出统计报表：{args.output}")
    else:
        common.emit(args, report.to_json(), lambda: format_table(report_table(report)))
    return 0


def register(sub) -> None:  # noqa: ANN001
    from familydoc_desktop.store.report import GROUPINGS

    p = sub.add_parser("report", parents=[common.json_parent()],
                       help="统计报表（签约率、续签率、三色、访视、规范管理率、病床、费用）")
    p.add_argument("--on", type=common.date_arg, help="统计日期（默认今天）")
    p.add_argument("--from", dest="start", type=common.date_arg, help="统计期开始（默认统计日期当年1月1日）")
    p.add_argument("--to", dest="end", type=common.date_arg, help="统计期结束（默认统计日期）")
    p.add_argument("--by", choices=GROUPINGS, help="分组：village 村、team 团队、doctor 医生")
    p.add_argument("--output", "-o", help="写入 .xlsx 或 .csv 文件")
    p.add_argument("--format", choices=("csv", "xlsx"), help="默认按输出文件扩展名")
    p.add_argument("--actor", help="操作人（写入审计日志）")
    p.set_defaults(func=cmd_report)
