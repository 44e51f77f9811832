"""What every CLI command shares: opening the database, printing, errors in Chinese."""
from __future__ import annotations

import argparse as argparse_
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy.exc import DatabaseError

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store.database import Database, StoreError, open_database
from familydoc_desktop.store.errors import describe_database_error


class CliError(Exception):
    """Raised by a command to stop with a message (Chinese) and exit code 1."""


def db_from(args, *, create: bool = True) -> Database:  # noqa: ANN001
    """The data directory's database. Commands that only read (`create=False`) refuse a
    directory without one: a mistyped --data-dir would otherwise answer "0 residents"
    from a new empty database made on the spot."""
    if not create:
        from familydoc_desktop.store import paths

        where = paths.data_dir(args.data_dir)
        if not (where / paths.DB_NAME).is_file():
            raise CliError(f"数据目录 {where} 中没有家医签约助手的数据库：请检查 --data-dir，"
                           "或先运行 familydoc init / familydoc import 建立数据库")
    from familydoc_desktop.store.preset import apply_preset

    db = open_database(args.data_dir)
    apply_preset(db)  # the installer's server address, on first start
    return db


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit(args, data: Any, text: str | Callable[[], str]) -> None:  # noqa: ANN001
    """Print `data` as JSON with --json, else the human text."""
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, default=_default)
        sys.stdout.write("\n")
    else:
        print(text() if callable(text) else text)


MAX_YEAR = 2200  # due dates run years ahead of --on: 9999-12-31 would overflow
MAX_HORIZON_DAYS = 3660


def date_arg(value: str) -> date:
    """An argparse type: a date the due and report rules can compute with."""
    from familydoc_desktop.domain.dates import parse_date

    day = parse_date(value)
    if day.year > MAX_YEAR:
        raise argparse_.ArgumentTypeError(f"日期 {day.isoformat()} 晚于{MAX_YEAR}年，请核对")
    return day


def days_arg(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse_.ArgumentTypeError(f"“{value}”不是整数天数") from None
    if not 0 <= days <= MAX_HORIZON_DAYS:
        raise argparse_.ArgumentTypeError(f"天数应在 0 到 {MAX_HORIZON_DAYS} 之间")
    return days


def fail(message: str, code: int = 1) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return code


def run(args) -> int:  # noqa: ANN001
    try:
        result = args.func(args)
        return int(result or 0)
    except (CliError, DomainError, StoreError) as exc:
        return fail(str(exc))
    except FileNotFoundError as exc:
        return fail(f"找不到文件：{exc.filename or exc}")
    except PermissionError as exc:
        return fail(f"没有权限访问：{exc.filename or exc}")
    except DatabaseError as exc:  # damage found mid-command (the open found none)
        message = describe_database_error(exc, _db_path(args))
        if message is None:
            raise
        return fail(message)
    except OverflowError:
        return fail("日期超出可计算的范围，请核对输入的日期和天数")
    except KeyboardInterrupt:
        return fail("已取消", 130)


def _db_path(args) -> str:  # noqa: ANN001
    from familydoc_desktop.store import paths

    try:
        return str(paths.data_dir(getattr(args, "data_dir", None)) / paths.DB_NAME)
    except StoreError:
        return str(getattr(args, "data_dir", None) or paths.DB_NAME)


def cmd_init(args) -> int:  # noqa: ANN001
    db = db_from(args)
    emit(args, {"database": str(db.path), "device_id": db.device_id},
         f"本地数据库已就绪：{db.path}")
    db.close()
    return 0


def start_gui(args) -> int:  # noqa: ANN001
    try:
        from familydoc_desktop.ui.app import run_app
    except ImportError as exc:
        return fail(f"无法启动图形界面（{exc}）。可用子命令见 familydoc --help")
    return run_app(data_dir=args.data_dir)


def json_parent():  # noqa: ANN201
    """Parent parser so `--json` works after the sub-command too (`familydoc sync --json`)."""
    import argparse

    from familydoc_desktop.zh_argparse import ChineseArgumentParser

    parent = ChineseArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="输出机器可读的 JSON")
    return parent
