"""Data commands: demo township, roster import, export, backup and restore."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from familydoc_desktop.cli import common
from familydoc_desktop.domain.codes import Colour, label
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.store import paths


def _progress(what: str):  # noqa: ANN202
    """A one-line progress counter on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        sys.stderr.write(f"\r{what}：{done}/{total}（{pct}%）")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def cmd_demo(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.bulk import load_demo

    if args.residents < 1:
        raise common.CliError("居民人数至少为1")
    today = parse_date(args.today) if args.today else date.today()
    db = common.db_from(args)
    try:
        counts = load_demo(db, residents=args.residents, seed=args.seed, today=today,
                           progress=_progress("生成演示数据"))
    finally:
        db.close()
    total = sum(counts.values())
    common.emit(args, {"tables": counts, "total": total},
                lambda: f"已生成演示乡镇：居民 {counts.get('resident', 0)} 人，共 {total} 条记录")
    return 0


def cmd_import(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.importer import (
        check_report_path, import_roster, write_error_report,
    )

    if args.report:  # before anything is written: --report a.xlsx must not replace a.xlsx
        check_report_path(args.file, args.report)
    db = common.db_from(args)
    try:
        result = import_roster(db, args.file, org_id=args.org, progress=_progress("导入"))
    finally:
        db.close()
    if args.report:  # also with no rejected rows: a stale report must not stay in its place
        write_error_report(result, args.report)

    def text() -> str:
        lines = [f"导入完成：新建 {result.created}，更新 {result.updated}，"
                 f"未变 {result.unchanged}，未导入 {len(result.rejected)} 行，"
                 f"跳过 {len(result.skipped)} 行（合计、签名等非居民行）；"
                 f"无身份证号待匹配 {result.flagged_no_id} 人，"
                 f"补录身份证号 {result.id_filled} 人"]
        if len(result.sheets) > 1 or result.skipped_sheets:
            for c in result.sheets:
                lines.append(f"  工作表“{c.name}”：新建 {c.created}，更新 {c.updated}，"
                             f"未变 {c.unchanged}，未导入 {c.rejected}，跳过 {c.skipped}")
        for sheet in result.skipped_sheets:
            lines.append(f"  工作表“{sheet.name}”未导入：{sheet.reason}")
        several = len(result.sheets) > 1
        listed = [*result.rejected, *result.skipped]
        for r in listed[:20]:
            where = f"“{r.sheet}”第{r.row}行" if several else f"第{r.row}行"
            state = "" if r.kind == "rejected" else "（跳过）"
            lines.append(f"  {where}{state}：{r.why}")
        if len(listed) > 20:
            lines.append(f"  ……另有 {len(listed) - 20} 行，" + (
                "见错误报告" if args.report else "请用 --report 错误报告.xlsx 查看全部"))
        if args.report:
            lines.append(f"错误报告：{args.report}")
        return "\n".join(lines)

    common.emit(args, result.to_json(), text)
    return 0


def cmd_export_residents(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.exporter import export_residents

    fmt = args.format or (Path(args.output).suffix.lstrip(".").lower() or "csv")
    db = common.db_from(args, create=False)
    try:
        with db.session() as s:
            n = export_residents(s, args.output, fmt, mask=args.mask, actor=args.actor)
    finally:
        db.close()
    common.emit(args, {"rows": n, "output": str(args.output), "format": fmt},
                f"已导出居民 {n} 人：{args.output}")
    return 0


def cmd_export_ledger(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.exporter import export_ledger

    db = common.db_from(args, create=False)
    try:
        with db.session() as s:
            n = export_ledger(s, args.output, args.colour, actor=args.actor, fmt=args.format,
                              village_code=args.village)
    finally:
        db.close()
    what = f"（{label(Colour, args.colour)}）" if args.colour else ""
    common.emit(args, {"rows": n, "output": str(args.output)},
                f"已导出三色管理台账{what} {n} 人：{args.output}")
    return 0


def cmd_backup(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.backup import backup

    db = common.db_from(args, create=False)
    try:
        target = backup(db, args.target_dir)
    finally:
        db.close()
    common.emit(args, {"backup": str(target), "bytes": target.stat().st_size},
                f"备份完成：{target}")
    return 0


def cmd_recover(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.database import set_aside_unreadable

    if not args.yes:
        print("将把无法解密的本地数据库及本机打不开的备份移到数据目录的 unreadable-日期 文件夹"
              "（不删除），下次启动新建空库；之后请登录并同步，从服务器取回本卫生室的数据。"
              "尚未同步到服务器的修改无法找回。确认请加 --yes 再运行。", file=sys.stderr)
        return 2
    moved = set_aside_unreadable(args.data_dir)
    common.emit(args, {"moved": [str(p) for p in moved],
                       "data_dir": str(paths.data_dir(args.data_dir))},
                lambda: f"已移到一旁 {len(moved)} 个文件。请运行 familydoc login 后 "
                        "familydoc sync，从服务器重新同步。")
    return 0


def cmd_restore(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store.backup import restore

    db_path = paths.data_dir(args.data_dir) / paths.DB_NAME
    before = restore(db_path, args.file)
    common.emit(args, {"restored": str(db_path), "previous_backup": str(before)},
                f"已从备份恢复：{args.file}\n原数据库已另存为：{before}\n"
                "本机已更换新的设备号，请重新同步。")
    return 0


def register(sub) -> None:  # noqa: ANN001
    jp = common.json_parent()
    p = sub.add_parser("demo", parents=[jp], help="生成演示乡镇数据（只能用于空数据库）")
    p.add_argument("--residents", type=int, default=2000, help="居民人数（默认2000）")
    p.add_argument("--seed", type=int, default=1, help="随机种子，相同种子生成相同数据")
    p.add_argument("--today", help="以该日期为“今天”生成（默认今天），如 2026-06-30")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", parents=[jp], help="从 Excel 花名册（.xlsx 或 .csv）导入居民")
    p.add_argument("file", help="花名册 .xlsx 或 .csv 文件（CSV 可为 UTF-8 或 GBK 编码）")
    p.add_argument("--report", help="把未导入的行写入此 .xlsx 文件")
    p.add_argument("--org", help="导入到的机构 id（默认本机所属卫生室）")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="导出居民名单或三色管理台账")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    r = what.add_parser("residents", parents=[jp], help="导出居民名单")
    r.add_argument("--format", choices=("csv", "xlsx"), help="默认按输出文件扩展名")
    r.add_argument("--output", "-o", required=True, help="输出文件")
    r.add_argument("--mask", action="store_true", help="身份证号、电话脱敏")
    r.add_argument("--actor", help="操作人（写入审计日志）")
    r.set_defaults(func=cmd_export_residents)
    led = what.add_parser("ledger", parents=[jp], help="导出三色管理台账")
    led.add_argument("--format", choices=("csv", "xlsx"), help="默认按输出文件扩展名")
    led.add_argument("--output", "-o", required=True, help="输出文件（.xlsx 或 .csv）")
    led.add_argument("--village", help="只导出该村（居）（12位区划代码）")
    led.add_argument("--colour", "--color", choices=("red", "yellow", "green"), help="只导出一种颜色")
    led.add_argument("--actor", help="操作人（写入审计日志）")
    led.set_defaults(func=cmd_export_ledger)

    p = sub.add_parser("backup", parents=[jp], help="备份本地数据库")
    p.add_argument("--target-dir", help="备份目录（默认数据目录下的 backups）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("recover", parents=[jp],
                       help="数据库无法解密（密钥丢失）时：把它移到一旁并新建空库，再登录从服务器重新同步")
    p.add_argument("--yes", action="store_true", help="确认执行（不加此项只说明将做什么）")
    p.set_defaults(func=cmd_recover)

    p = sub.add_parser("restore", parents=[jp], help="从备份文件恢复本地数据库")
    p.add_argument("file", help="备份文件 .db")
    p.set_defaults(func=cmd_restore)
