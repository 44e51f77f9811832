"""`familydoc report`: the township's indicators (签约率, 重点人群签约率, 续签率, 三色, 80岁以上
访视, 规范管理率, 控制率, 家庭病床, 转诊, 满意度, 签约服务费) for a period, in total and per
village, team or doctor; printed as a table, or written to .xlsx/.csv with --output."""
from __future__ import annotations

from familydoc_desktop.cli import common
from familydoc_desktop.domain.report import format_table


def cmd_report(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.exporter import export_report, report_table
    from familydoc_desktop.store.report import township_report

    if args.org and not args.from_server:
        raise common.CliError("--org 只能与 --from-server 一起使用")
    db = common.db_from(args, create=False)
    try:
        if args.from_server:
            report = _from_server(db, args)
        with db.session() as s:
            if not args.from_server:
                report = township_report(s, on=args.on, start=args.start, end=args.end,
                                         by=args.by)
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


def _from_server(db, args):  # noqa: ANN001, ANN202
    """The report the sync server computes for this account's scope (no residents' data
    needed on this PC)."""
    from familydoc_desktop.sync import indicators
    from familydoc_desktop.sync.http import SyncError

    try:
        return indicators.server_report(db, on=args.on, start=args.start, end=args.end,
                                        by=args.by, org=args.org)
    except SyncError as exc:
        raise common.CliError(str(exc)) from None


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
    p.add_argument("--from-server", action="store_true",
                   help="由同步服务器统计（乡镇、县账号：本机无需居民数据；按村即按卫生室）")
    p.add_argument("--org", help="与 --from-server 一起：只统计某个乡镇或村卫生室（机构代码）")
    p.set_defaults(func=cmd_report)
