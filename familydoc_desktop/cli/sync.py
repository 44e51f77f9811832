"""`familydoc login | logout | sync | conflicts | sync-status | sync-report`: sync from the
command line.

A failed sync exits 1 with the reason in Chinese; what was already pushed or pulled stays
committed, and the rest waits in the outbox for the next run.
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from familydoc_desktop.cli import common
from familydoc_desktop.cli.common import CliError
from familydoc_desktop.sync import conflicts, credentials, session
from familydoc_desktop.sync.http import AuthExpired, SyncError
from familydoc_desktop.sync.outcome import TABLE_ZH

PHASES = {"push": "上传", "pull": "下载", "reconcile": "核对"}


def register(sub) -> None:  # noqa: ANN001
    jp = common.json_parent()
    p = sub.add_parser("login", parents=[jp], help="登录同步服务器（令牌保存在系统凭据管理器）")
    p.add_argument("--server", help="同步服务器地址，如 https://sync.example.cn"
                   "（省略时用本机已设置的或安装时预设的地址）")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    p.add_argument("--ca-bundle", help="自建证书的 CA 证书文件（PEM）")
    p.add_argument("--force", action="store_true",
                   help="账号所属机构与本机数据不一致时仍然登录（如乡镇账号登录村卫生室电脑）")
    p.set_defaults(func=cmd_login)

    p = sub.add_parser("logout", parents=[jp], help="退出登录并吊销本机令牌")
    p.set_defaults(func=cmd_logout)

    p = sub.add_parser("sync", parents=[jp], help="与服务器同步（上传本机修改，下载他处修改）")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条")
    p.add_argument("--verify", action="store_true",
                   help="同步后逐表核对本机与服务器的数据（平时每 6 小时自动核对一次）")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("conflicts", parents=[jp], help="列出待处理的同步冲突")
    p.add_argument("--all", action="store_true", help="包括已自动处理和已处理的冲突")
    p.set_defaults(func=cmd_conflicts)
    csub = p.add_subparsers(dest="conflicts_command", metavar="ACTION")
    r = csub.add_parser("resolve", parents=[jp], help="处理一条冲突")
    r.add_argument("conflict_id", help="冲突编号（可用列表中显示的末 12 位）")
    r.add_argument("--keep", required=True, choices=["local", "server"],
                   help="local=保留本机的值，server=保留另一方（其他电脑或服务器）的值")
    r.set_defaults(func=cmd_resolve)

    p = sub.add_parser("sync-status", parents=[jp], help="查看同步状态")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("sync-report", parents=[jp],
                       help="各村同步情况（乡镇、县账号：哪些电脑落后、被拒修改、时钟偏差）")
    p.add_argument("--org", help="只看某个乡镇或村卫生室（机构代码）")
    p.add_argument("--stale-days", type=int, default=7, help="多少天未同步即标记（默认7）")
    p.set_defaults(func=cmd_sync_report)

    b = sub.add_parser("bundle", help="U盘同步（没有网络时）").add_subparsers(
        dest="bundle_command", metavar="ACTION", required=True)
    p = b.add_parser("export", parents=[jp],
                     help="把本机尚未上传的修改写入一个文件（只有服务器能解密），拷到U盘交给乡镇")
    p.add_argument("--output", "-o", required=True, help="输出文件，如 E:\\卫生室.fdbundle")
    p.set_defaults(func=cmd_bundle_export)
    p = b.add_parser("import", parents=[jp], help="导入服务器为本机导出的U盘文件（如同下载）")
    p.add_argument("file", help="familydoc-server bundle export 写出的文件")
    p.set_defaults(func=cmd_bundle_import)


def cmd_bundle_export(args) -> int:  # noqa: ANN001
    from familydoc_desktop.sync import usb

    out = Path(args.output)
    if not out.parent.is_dir():
        raise CliError(f"输出文件夹不存在：{out.parent}")
    db = common.db_from(args, create=False)
    try:
        info = usb.export_bundle(db, out)
    finally:
        db.close()
    decided = f"、{info['resolutions']} 个冲突处理" if info["resolutions"] else ""
    common.emit(args, info, f"已写出U盘同步文件：{info['mutations']} 条修改{decided} → {info['output']}。"
                            "请交给乡镇在服务器上导入；导入前这些修改仍算未同步")
    return 0


def cmd_bundle_import(args) -> int:  # noqa: ANN001
    from familydoc_desktop.sync import usb

    if not Path(args.file).is_file():
        raise CliError(f"找不到文件：{args.file}")
    db = common.db_from(args, create=False)
    try:
        info = usb.import_bundle(db, Path(args.file))
    finally:
        db.close()
    common.emit(args, info, f"已导入U盘同步文件：{info['rows']} 条记录，"
                            f"已确认上传 {info['acknowledged']} 条修改，仍未同步 {info['pending']} 条")
    return 0


def _password(args) -> str:  # noqa: ANN001
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("密码：")
    else:
        raise CliError("请用 --password-stdin 从标准输入提供密码")
    if not password:
        raise CliError("密码不能为空")
    return password


def cmd_login(args) -> int:  # noqa: ANN001
    password = _password(args)
    db = common.db_from(args)
    try:
        if not args.server or not args.ca_bundle:
            from familydoc_desktop.store.settings import get_setting

            with db.session(capture=False) as s:
                args.server = args.server or get_setting(s, "server_url")
                args.ca_bundle = args.ca_bundle or get_setting(s, "ca_bundle")
        if not args.server:
            raise CliError("本机还没有设置同步服务器地址：请用 --server 指定"
                           "（或由安装程序 /SERVER= 、familydoc.ini 预设）")
        result = session.login(db, args.server, args.username, password,
                               ca_bundle=args.ca_bundle, force=args.force,
                               on_wait=lambda line: print(line, file=sys.stderr, flush=True))
    except session.ScopeMismatch as exc:
        raise CliError(f"{exc}。未登录，本机数据未改动；确需用此账号登录请加 --force") from None
    except (SyncError, credentials.CredentialsUnavailable) as exc:
        raise CliError(str(exc)) from None
    finally:
        db.close()
    lines = [f"已登录 {args.server}（{result.username}，角色 {result.role}），"
             f"可见机构 {result.orgs} 个"]
    if result.rehomed:
        lines.append(f"离线时创建的 {result.rehomed} 条记录已归入本机所属卫生室，将在同步时上传")
    common.emit(args, result.as_dict(), "\n".join(lines))
    return 0


def cmd_logout(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    try:
        told = session.logout(db)
    finally:
        db.close()
    common.emit(args, {"logged_out": True, "server_notified": told},
                "已退出登录" + ("" if told else "（服务器暂不可达，令牌已从本机删除）"))
    return 0


class _Bar:
    """tqdm on stderr, only when stderr is a terminal (never in pipes or logs)."""

    def __init__(self, enabled: bool) -> None:
        self.bars: dict = {}
        self.enabled = enabled

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(phase)
        if bar is None:
            bar = self.bars[phase] = tqdm(total=total, desc=PHASES.get(phase, phase),
                                          unit="条", file=sys.stderr, leave=False)
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def cmd_sync(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    bar = _Bar(sys.stderr.isatty() and not args.no_progress)
    try:
        report = session.run_sync(db, bar, reconcile=True if args.verify else None)
    except SyncError as exc:
        raise CliError(str(exc)) from None
    finally:
        bar.close()
        db.close()
    for warning in report.warnings:
        print(f"警告：{warning}", file=sys.stderr)

    def text() -> str:
        out = (f"同步完成：上传 {report.pushed} 条，下载 {report.pulled} 条，"
               f"用时 {report.seconds:.1f} 秒")
        if report.conflicts:
            out += f"\n有 {report.conflicts} 条冲突等待处理（familydoc conflicts）"
        if report.reconciled_tables:
            out += ("\n已修复与服务器不一致的数据表："
                    + "、".join(TABLE_ZH.get(t, t) for t in report.reconciled_tables))
        if report.set_aside_total:
            out += (f"\n有 {report.set_aside_total} 条服务器数据无法写入本机，已另行保存"
                    "（其余数据已同步）：")
            for item in report.set_aside_rows[:10]:
                out += f"\n    {item['table']}/{item['record_id']}：{item['reason']}"
        return out

    common.emit(args, report.as_dict(), text)
    return 0


def cmd_conflicts(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    try:
        items = conflicts.list_conflicts(db, None if args.all else "open")
    finally:
        db.close()

    def text() -> str:
        if not items:
            return "没有待处理的冲突"
        lines = []
        for c in items:
            # With this PC on neither side, "local" is the side that pushed second.
            first, second = ("本机", "其他电脑") if c.mine else ("后提交", "服务器")
            lines.append(f"{c.id[-12:]}  {c.table}/{c.record_id[-12:]}  字段 {c.field}  "
                         f"[{c.status}{'，待上传' if c.queued else ''}]\n"
                         f"    {first}：{c.local_value!r}（{c.local_author or '-'}，"
                         f"{c.local_at or '-'}）\n"
                         f"    {second}：{c.server_value!r}（{c.server_author or '-'}，"
                         f"{c.server_at or '-'}）")
        return "\n".join(lines)

    common.emit(args, [c.as_dict() for c in items], text)
    return 0


def cmd_resolve(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    try:
        client = session.make_client(db)
        outcome = conflicts.resolve(db, args.conflict_id, args.keep, client=client)
        if outcome == "sent":
            # Bring back the server's version of the record right away.
            try:
                session.make_engine(db, reconcile=False).pull(lambda *_: None)
            except SyncError:
                pass
    except SyncError as exc:
        raise CliError(str(exc)) from None
    finally:
        db.close()
    text = ("冲突已处理" if outcome == "sent"
            else "冲突处理已记录，将在下次同步时提交服务器")
    common.emit(args, {"id": args.conflict_id, "keep": args.keep, "outcome": outcome}, text)
    return 0


def cmd_status(args) -> int:  # noqa: ANN001
    import json

    from familydoc_desktop.sync import apply, engine, outbox

    db = common.db_from(args)
    try:
        info = session.current(db)
        with db.session(capture=False) as s:
            pending = outbox.pending_count(s)
        last = apply.get_state(db, engine.LAST_SYNC_KEY)
        report = apply.get_state(db, engine.LAST_REPORT_KEY)
        data = {"server_url": info.server_url, "username": info.username,
                "logged_in": bool(info.token), "pending": pending,
                "last_sync_at": last, "open_conflicts": conflicts.open_count(db),
                "queued_resolutions": len(conflicts.pending_resolutions(db)),
                "pull_cursor": int(apply.get_state(db, apply.CURSOR_KEY, "0")),
                "last_report": json.loads(report) if report else None}
    finally:
        db.close()

    def text() -> str:
        return "\n".join([
            f"服务器：{data['server_url'] or '未设置'}（{'已登录 ' + data['username'] if data['logged_in'] else '未登录'}）",
            f"待上传修改：{data['pending']} 条",
            f"上次成功同步：{data['last_sync_at'] or '从未同步'}",
            f"待处理冲突：{data['open_conflicts']} 条",
        ])

    common.emit(args, data, text)
    return 0


def cmd_sync_report(args) -> int:  # noqa: ANN001
    """The server's sync report for this account's scope: a township its clinics, a county
    its townships' clinics, a village doctor at most their own clinic."""
    from familydoc_desktop.sync import report_text, reports

    if not 1 <= args.stale_days <= reports.MAX_STALE_DAYS:
        raise CliError(f"--stale-days 应在 1 到 {reports.MAX_STALE_DAYS} 之间")
    db = common.db_from(args, create=False)
    try:
        data = reports.fetch_sync_report(db, stale_days=args.stale_days, org=args.org)
    except SyncError as exc:
        raise CliError(str(exc)) from None
    finally:
        db.close()
    common.emit(args, data, lambda: "\n".join(report_text.lines(data, args.stale_days)))
    return 0
