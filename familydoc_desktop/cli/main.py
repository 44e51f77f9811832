"""`familydoc [--data-dir DIR] [--json] COMMAND`: headless entry points for IT staff and tests.
No command starts the desktop app. Errors go to stderr in Chinese with a non-zero exit."""
from __future__ import annotations

import argparse
import sys

from familydoc_desktop import __version__
from familydoc_desktop.cli import common
from familydoc_desktop.zh_argparse import ChineseArgumentParser

# Each module adds its sub-commands: register(subparsers).
COMMAND_MODULES = ("familydoc_desktop.cli.data", "familydoc_desktop.cli.query",
                   "familydoc_desktop.cli.report", "familydoc_desktop.cli.services",
                   "familydoc_desktop.cli.sync", "familydoc_desktop.cli.audit",
                   "familydoc_desktop.cli.selfcheck",
                   "familydoc_desktop.cli.duplicates")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = ChineseArgumentParser(prog="familydoc", description="家医签约助手 FamilyDoc")
    parser.add_argument("--data-dir", help="数据目录（默认：系统用户数据目录，或环境变量 FAMILYDOC_DATA_DIR）")
    parser.add_argument("--json", action="store_true", help="输出机器可读的 JSON")
    parser.add_argument("--version", action="version", version=f"familydoc {__version__}",
                        help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    init = sub.add_parser("init", help="创建或升级本地数据库")
    init.set_defaults(func=common.cmd_init)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # command group not built yet
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # A --json given after the command is accepted too.
    if args.command is None:
        return common.start_gui(args)
    try:
        from familydoc_desktop.store import logfile, paths

        logfile.setup(paths.data_dir(args.data_dir))
    except Exception:  # noqa: BLE001 - a log that cannot open must not stop the command
        pass
    try:
        return common.run(args)
    except BrokenPipeError:
        # `familydoc ... | head`: the reader left; not an error worth a traceback. Point stdout
        # at devnull so the interpreter's final flush does not raise again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
