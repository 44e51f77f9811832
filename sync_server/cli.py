"""familydoc-server: set up and run the sync server.

    familydoc-server [--database-url URL] init
    familydoc-server org add --code C --name N --level county|township|clinic [--parent C]
    familydoc-server org list [--json]
    familydoc-server user add --username U --org C --role R --password-stdin
    familydoc-server user list | unlock U | disable U | enable U | passwd U
    familydoc-server device list [--json] | device revoke ID | device enable ID
    familydoc-server log [--limit N] [--event E]
    familydoc-server serve --host H --port P [--workers N] [--log-file F]
    familydoc-server backup --output F | restore F
    familydoc-server demo --township C --residents N --seed S
    familydoc-server report sync --org C [--stale-days N] [--json | --output F.xlsx]
    familydoc-server report indicators --org C [--from D --to D --on D] [--by clinic|team|doctor]
                                       [--json | --output F.xlsx]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from familydoc_desktop.domain.codes import OrgLevel, Role
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.zh_argparse import ChineseArgumentParser
from sync_server.core.config import ENV_LOGIN_CONCURRENCY, ENV_URL, default_database_url
from sync_server.core.db import make_engine, migrate, read_tx, refresh_statistics, write_tx
from sync_server.services import accounts
from sync_server.services.errors import ServiceError


class CliError(Exception):
    """Stops a command with a Chinese message and exit code 1."""


def _json_parent() -> argparse.ArgumentParser:
    parent = ChineseArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="以 JSON 输出")
    return parent


def _engine(args):  # noqa: ANN001, ANN202
    engine = make_engine(args.database_url)
    migrate(engine)
    return engine


def cmd_init(args) -> None:  # noqa: ANN001
    _engine(args)
    _emit(args, {"database_url": _safe_url(args.database_url)},
          f"服务器数据库已就绪：{_safe_url(args.database_url)}")


def cmd_org_add(args) -> None:  # noqa: ANN001
    with write_tx(_engine(args)) as conn:
        org = accounts.add_org(conn, args.code, args.name, args.level, args.parent)
    _emit(args, org.model_dump(), f"已添加机构 {org.code} {org.name}（{org.level}）")


def cmd_org_list(args) -> None:  # noqa: ANN001
    with read_tx(_engine(args)) as conn:
        orgs = accounts.list_orgs(conn)

    def text() -> str:
        if not orgs:
            return "没有机构（先用 org add 添加）"
        return "\n".join(f"{o['code']}  {o['level']:<8}  {o['name']}  上级 {o['parent'] or '-'}  "
                         f"用户 {o['users']}  设备 {o['devices']}" for o in orgs)

    _emit(args, orgs, text)


def cmd_backup(args) -> None:  # noqa: ANN001
    from sync_server.services import backup

    started = time.monotonic()
    out = backup.backup(args.database_url, Path(args.output))
    size = out.stat().st_size
    _emit(args, {"output": str(out), "bytes": size},
          f"已备份到 {out}（{size / 1024 / 1024:.1f} MB，用时 {time.monotonic() - started:.1f} 秒）")


def cmd_restore(args) -> None:  # noqa: ANN001
    from sync_server.services import backup

    kept = backup.restore(args.database_url, Path(args.file))
    from sync_server.services import epoch

    engine = make_engine(args.database_url)
    saved = migrate(engine)  # an older backup: bring it up to date
    # A new epoch: each PC notices at its next sync, downloads the server's data again and
    # uploads its own changes the backup does not hold (docs/deploy.md).
    new_epoch = epoch.after_restore(engine)
    # pg_restore leaves no planner statistics and no page marked all-visible: a pull page
    # would be planned on guesses, the indicator report read the rows (core/db).
    refresh_statistics(engine)
    engine.dispose()
    lines = [f"已从 {args.file} 恢复服务器数据库"]
    if kept:
        lines.append(f"恢复前的数据库已另存为 {kept}")
    if saved:
        lines.append(f"备份的数据库结构较旧，已升级（升级前的副本：{saved}）")
    lines.append("备份之后各电脑上传的修改不在恢复后的数据库中：各电脑下次同步时会自动发现服务器已恢复，"
                 "重新下载全部数据，并重新上传服务器缺少的本机修改（请让各卫生室照常同步一次）")
    _emit(args, {"restored_from": args.file, "previous_copy": str(kept) if kept else None,
                 "upgrade_backup": str(saved) if saved else None, "epoch": new_epoch},
          "\n".join(lines))


def cmd_user_add(args) -> None:  # noqa: ANN001
    if not args.password_stdin:
        raise CliError("请用 --password-stdin 从标准输入提供密码（不要写在命令行上）")
    password = sys.stdin.readline().rstrip("\r\n")
    with write_tx(_engine(args)) as conn:
        account_id = accounts.add_user(conn, args.username, args.org, args.role, password)
    _emit(args, {"id": account_id, "username": args.username, "role": args.role,
                 "org": args.org}, f"已添加用户 {args.username}（{args.role}）")


def cmd_user_list(args) -> None:  # noqa: ANN001
    with read_tx(_engine(args)) as conn:
        users = accounts.list_users(conn)

    def text() -> str:
        if not users:
            return "没有用户"
        return "\n".join(f"{u['username']}  {u['role']}  {u['org']} {u['org_name']}  "
                         f"{_user_state(u)}" for u in users)

    _emit(args, users, text)


def _when(ms: int | None) -> str:
    return (datetime.fromtimestamp(ms / 1000, timezone.utc).astimezone()
            .strftime("%Y-%m-%d %H:%M:%S") if ms else "-")


def _user_state(u: dict) -> str:
    state = "正常" if u["active"] else "已停用"
    if u.get("locked_until"):
        state += f"，登录已锁定至 {_when(u['locked_until'])}（user unlock 可解除）"
    return state


def cmd_user_unlock(args) -> None:  # noqa: ANN001
    with write_tx(_engine(args)) as conn:
        accounts.unlock_user(conn, args.username, by="cli")
    _emit(args, {"username": args.username, "locked": False},
          f"已解除用户 {args.username} 的登录锁定")


def cmd_device_enable(args) -> None:  # noqa: ANN001
    with write_tx(_engine(args)) as conn:
        accounts.enable_device(conn, args.device_id, by="cli")
    _emit(args, {"device_id": args.device_id, "revoked": False},
          f"已启用设备 {args.device_id}，该电脑需重新登录后同步")


def cmd_log(args) -> None:  # noqa: ANN001
    with read_tx(_engine(args)) as conn:
        events = accounts.recent_events(conn, args.limit, args.event)

    def text() -> str:
        if not events:
            return "安全日志为空"
        return "\n".join(f"{_when(e['at'])}  {e['event']}  {e['username'] or '-'}  "
                         f"{e['device_id'] or '-'}  {e['client'] or ''}  {e['detail'] or ''}"
                         .rstrip() for e in events)

    _emit(args, events, text)


def cmd_user_disable(args) -> None:  # noqa: ANN001
    with write_tx(_engine(args)) as conn:
        accounts.set_user_active(conn, args.username, False, by="cli")
    _emit(args, {"username": args.username, "active": False},
          f"已停用用户 {args.username}，其所有登录令牌已失效")


def cmd_user_enable(args) -> None:  # noqa: ANN001
    with write_tx(_engine(args)) as conn:
        accounts.set_user_active(conn, args.username, True, by="cli")
    _emit(args, {"username": args.username, "active": True}, f"已启用用户 {args.username}")


def cmd_user_passwd(args) -> None:  # noqa: ANN001
    if not args.password_stdin:
        raise CliError("请用 --password-stdin 从标准输入提供新密码（不要写在命令行上）")
    password = sys.stdin.readline().rstrip("\r\n")
    with write_tx(_engine(args)) as conn:
        accounts.set_password(conn, args.username, password, by="cli")
    _emit(args, {"username": args.username}, f"已为 {args.username} 设置新密码，原有登录已失效")


def cmd_bundle_import(args) -> None:  # noqa: ANN001
    from sync_server.services import bundle

    if not Path(args.file).is_file():
        raise CliError(f"找不到文件：{args.file}")
    result = bundle.import_bundle(_engine(args), Path(args.file))
    _emit(args, result.as_dict(),
          f"已导入设备 {result.device_id}（{result.username}）的U盘同步文件：变更 "
          f"{result.mutations} 条，新应用 {result.applied} 条，已导入过 {result.duplicates} 条，"
          f"待审核冲突 {result.conflicts} 条"
          + (f"，处理冲突 {result.resolutions} 条" if result.resolutions else ""))


def cmd_bundle_export(args) -> None:  # noqa: ANN001
    from sync_server.services import bundle

    engine = _engine(args)
    if bool(args.device) == bool(args.org):
        raise CliError("请用 --device 设备号 或 --org 机构代码 指定导出给哪台电脑（二选一）")
    device = args.device or bundle.device_for_org(engine, args.org)
    out = Path(args.output)
    if not out.parent.is_dir():
        raise CliError(f"输出文件夹不存在：{out.parent}")
    info = bundle.export_bundle(engine, device, out, since=args.since)
    _emit(args, info, f"已为设备 {device} 导出U盘同步文件：{info['rows']} 条记录，"
                      f"{info['bytes']} 字节 → {info['output']}")


def cmd_device_list(args) -> None:  # noqa: ANN001
    with read_tx(_engine(args)) as conn:
        devices = accounts.list_devices(conn)

    def text() -> str:
        if not devices:
            return "没有已登记的设备"
        lines = []
        for d in devices:
            seen = (datetime.fromtimestamp(d["last_seen"] / 1000, timezone.utc)
                    .astimezone().strftime("%Y-%m-%d %H:%M") if d["last_seen"] else "-")
            state = "已停用" if d["revoked"] else "正常"
            lines.append(f"{d['id']}  {d['username']}  {d['name'] or '-'}  最近 {seen}  {state}")
        return "\n".join(lines)

    _emit(args, devices, text)


def cmd_device_revoke(args) -> None:  # noqa: ANN001
    with write_tx(_engine(args)) as conn:
        accounts.revoke_device(conn, args.device_id, by="cli")
    _emit(args, {"device_id": args.device_id, "revoked": True},
          f"已停用设备 {args.device_id}，其登录令牌全部失效")


SQLITE_ONE_WORKER = ("SQLite 数据库只能由一个工作进程使用（--workers 1）；需要多个工作进程时，"
                     "请改用 PostgreSQL（--database-url postgresql+psycopg://...，见 docs/deploy.md）")


def cmd_serve(args) -> None:  # noqa: ANN001
    import uvicorn

    from sync_server.core import logs

    if args.workers < 1:
        raise CliError("--workers 至少为 1")
    if args.workers > 1 and make_url(args.database_url).get_backend_name() == "sqlite":
        raise CliError(SQLITE_ONE_WORKER)
    if args.log_file:
        Path(args.log_file).parent.mkdir(parents=True, exist_ok=True)
    log_config = logs.uvicorn_config(args.log_file, args.workers)
    _engine(args)  # migrate once (after a backup), before any worker starts
    os.environ[ENV_URL] = args.database_url  # workers read the URL from the environment
    if args.workers > 1 and not os.environ.get(ENV_LOGIN_CONCURRENCY):
        # The password-check limit is per process: share the CPUs among the workers.
        os.environ[ENV_LOGIN_CONCURRENCY] = str(max(1, (os.cpu_count() or 1) // args.workers))
    uvicorn.run("sync_server.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, proxy_headers=True, log_level="info",
                log_config=log_config)


def cmd_demo(args) -> None:  # noqa: ANN001
    from sync_server.services import demo

    engine = _engine(args)
    stats = demo.load(engine, township_code=args.township, residents=args.residents,
                      seed=args.seed, clinics=args.clinics)
    _emit(args, stats, lambda: (
        f"已为乡镇 {args.township} 生成 {stats['clinics']} 个村卫生室、"
        f"{stats['records']} 条记录（{stats['residents']} 名居民），用时 {stats['seconds']:.1f} 秒"))


def _xlsx_output(args) -> Path | None:  # noqa: ANN001
    """The report's --output file (an .xlsx in a folder that exists), or None; refuses it
    with --json."""
    if args.output and args.json:
        raise CliError("--json 与 --output 只能选一个")
    if not args.output:
        return None
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        raise CliError("--output 只支持 .xlsx 文件")
    if not out.parent.is_dir():
        raise CliError(f"输出文件夹不存在：{out.parent}")
    return out


def cmd_report_sync(args) -> None:  # noqa: ANN001
    from sync_server.services import sync_health

    if args.stale_days < 1 or args.stale_days > sync_health.MAX_STALE_DAYS:
        raise CliError(f"--stale-days 应在 1 到 {sync_health.MAX_STALE_DAYS} 之间")
    out = _xlsx_output(args)
    rep = sync_health.report(_engine(args), None, org=args.org, stale_days=args.stale_days)
    if out is not None:
        sync_health.write_xlsx(rep, out, args.stale_days)
        print(f"已导出 {len(rep.clinics)} 个机构的同步情况 → {out}")
        return
    _emit(args, rep.model_dump(),
          lambda: "\n".join(sync_health.text_lines(rep, args.stale_days)))


def cmd_report_indicators(args) -> None:  # noqa: ANN001
    from familydoc_desktop.domain.report import format_table, report_table
    from sync_server.services import indicators

    out = _xlsx_output(args)
    report = indicators.indicators(_engine(args), None, org=args.org, on=args.on,
                                   start=args.start, end=args.end, by=args.by)
    if out is not None:
        indicators.write_xlsx(report, out)
        print(f"已导出统计报表（{len(report.rows)} 列）→ {out}")
        return
    _emit(args, report.to_json(), lambda: format_table(report_table(report)))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _emit(args, data, text) -> None:  # noqa: ANN001
    if getattr(args, "json", False):
        # One write: json.dump writes piece by piece (11,000 writes for a township's report).
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        print(text() if callable(text) else text)


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="familydoc-server", description="家医签约助手同步服务器")
    p.add_argument("--database-url", default=None,
                   help="数据库地址（默认 $FAMILYDOC_DATABASE_URL 或数据目录中的 server.db）")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    jp = _json_parent()

    sub.add_parser("init", parents=[jp], help="创建或升级服务器数据库").set_defaults(func=cmd_init)

    org = sub.add_parser("org", help="机构").add_subparsers(dest="org_cmd", required=True)
    oa = org.add_parser("add", parents=[jp], help="添加机构")
    oa.add_argument("--code", required=True, help="12位统计用区划代码")
    oa.add_argument("--name", required=True)
    oa.add_argument("--level", required=True, choices=[lvl.value for lvl in OrgLevel])
    oa.add_argument("--parent", help="上级机构代码")
    oa.set_defaults(func=cmd_org_add)
    org.add_parser("list", parents=[jp], help="列出机构（代码、级别、上级、用户数、设备数）"
                   ).set_defaults(func=cmd_org_list)

    user = sub.add_parser("user", help="用户").add_subparsers(dest="user_cmd", required=True)
    ua = user.add_parser("add", parents=[jp], help="添加用户")
    ua.add_argument("--username", required=True)
    ua.add_argument("--org", required=True, help="所属机构代码")
    ua.add_argument("--role", required=True, choices=[r.value for r in Role])
    ua.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    ua.set_defaults(func=cmd_user_add)
    user.add_parser("list", parents=[jp], help="列出用户").set_defaults(func=cmd_user_list)
    for name, func, help_ in (("disable", cmd_user_disable, "停用用户（立即吊销其全部令牌）"),
                              ("enable", cmd_user_enable, "启用用户")):
        cmd = user.add_parser(name, parents=[jp], help=help_)
        cmd.add_argument("username")
        cmd.set_defaults(func=func)
    ul = user.add_parser("unlock", parents=[jp], help="解除登录失败造成的锁定")
    ul.add_argument("username")
    ul.set_defaults(func=cmd_user_unlock)
    pw = user.add_parser("passwd", parents=[jp], help="重设密码（原有登录全部失效）")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码")
    pw.set_defaults(func=cmd_user_passwd)

    dev = sub.add_parser("device", help="设备").add_subparsers(dest="device_cmd", required=True)
    dev.add_parser("list", parents=[jp], help="列出设备").set_defaults(func=cmd_device_list)
    dr = dev.add_parser("revoke", parents=[jp], help="停用设备")
    dr.add_argument("device_id")
    dr.set_defaults(func=cmd_device_revoke)
    de = dev.add_parser("enable", parents=[jp], help="重新启用已停用的设备（需重新登录）")
    de.add_argument("device_id")
    de.set_defaults(func=cmd_device_enable)

    bu = sub.add_parser("bundle", help="U盘同步（无网络的卫生室电脑）").add_subparsers(
        dest="bundle_cmd", required=True)
    bi = bu.add_parser("import", parents=[jp], help="导入电脑导出的U盘同步文件（与联网上传相同，重复导入无影响）")
    bi.add_argument("file", help="familydoc bundle export 写出的文件")
    bi.set_defaults(func=cmd_bundle_import)
    be = bu.add_parser("export", parents=[jp], help="为一台电脑导出它尚未下载的数据")
    be.add_argument("--device", help="设备号（familydoc-server device list）")
    be.add_argument("--org", help="机构代码：该卫生室唯一登记了U盘同步的电脑")
    be.add_argument("--since", type=int, help="从此游标起（默认：该电脑最近导入的文件所带的游标）")
    be.add_argument("--output", "-o", required=True, help="输出文件")
    be.set_defaults(func=cmd_bundle_export)

    lg = sub.add_parser("log", parents=[jp], help="查看安全日志（登录、锁定、越权访问、停用）")
    lg.add_argument("--limit", type=int, default=50, help="最多显示条数（默认50）")
    lg.add_argument("--event", help="只看某类事件，如 login_failed、push_out_of_scope")
    lg.set_defaults(func=cmd_log)

    sv = sub.add_parser("serve", help="启动同步服务")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--workers", type=int, default=1,
                    help="工作进程数（默认1；大于1只适用于 PostgreSQL）")
    sv.add_argument("--log-file", help="日志文件（按 10 MB 轮换，保留 5 个；不含个人信息和令牌）")
    sv.set_defaults(func=cmd_serve)

    bk = sub.add_parser("backup", parents=[jp], help="备份服务器数据库（运行中也可备份）")
    bk.add_argument("--output", required=True, help="备份文件（SQLite 为 .db，PostgreSQL 为 .dump）")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", parents=[jp], help="从备份恢复服务器数据库（先停止服务）")
    rs.add_argument("file", help="backup 命令写出的备份文件")
    rs.set_defaults(func=cmd_restore)

    dm = sub.add_parser("demo", parents=[jp], help="在已有乡镇下生成演示数据")
    dm.add_argument("--township", required=True, help="乡镇机构代码")
    dm.add_argument("--residents", type=int, default=6000)
    dm.add_argument("--seed", type=int, default=1)
    dm.add_argument("--clinics", type=int, default=10, help="村卫生室数量（默认10）")
    dm.set_defaults(func=cmd_demo)

    rep = sub.add_parser("report", help="报表").add_subparsers(dest="report_cmd", required=True)
    rsy = rep.add_parser("sync", parents=[jp], help="各村同步情况：哪些电脑落后、被拒修改、时钟偏差")
    rsy.add_argument("--org", required=True, help="乡镇、县或村卫生室的机构代码")
    rsy.add_argument("--stale-days", type=int, default=7, help="多少天未同步即标记（默认7）")
    rsy.add_argument("--output", "-o", help="导出为 Excel 文件（.xlsx）")
    rsy.set_defaults(func=cmd_report_sync)
    rin = rep.add_parser("indicators", parents=[jp],
                         help="统计报表：签约率、续签率、三色、访视、规范管理率、病床、费用（服务器统计）")
    rin.add_argument("--org", required=True, help="县、乡镇或村卫生室的机构代码")
    rin.add_argument("--on", help="统计日期 YYYY-MM-DD（默认今天）")
    rin.add_argument("--from", dest="start", help="统计期开始（默认统计日期当年1月1日）")
    rin.add_argument("--to", dest="end", help="统计期结束（默认统计日期）")
    rin.add_argument("--by", choices=("clinic", "team", "doctor"),
                     help="分组：clinic 卫生室、team 团队、doctor 医生")
    rin.add_argument("--output", "-o", help="导出为 Excel 文件（.xlsx）")
    rin.set_defaults(func=cmd_report_indicators)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.database_url = args.database_url or default_database_url()
    try:
        args.func(args)
        return 0
    except (CliError, ServiceError, DomainError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"错误：无法访问数据库：{exc.orig}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
