"""An argparse parser that speaks Chinese: usage, help headings and every error message.

IT staff and village doctors read the CLI's errors; argparse's own messages ("invalid choice",
"the following arguments are required") are English. argparse formats them through the
module-global `_`, so the parser swaps in a catalogue for the duration of its own calls only —
other parsers in the process (pytest's, say) keep theirs. Both CLIs use it, so it lives outside
the desktop layers (the server may import it).
"""
from __future__ import annotations

import argparse
from contextlib import contextmanager
from typing import Iterator

CATALOGUE = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项 %(option)s，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "ignored explicit argument %r": "多余的参数值 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}

# "invalid int value" names the converter; say what kind of value was expected instead.
TYPE_NAMES = {"int": "整数", "float": "数值", "_date": "日期（YYYY-MM-DD）", "date": "日期（YYYY-MM-DD）",
              "date_arg": "日期（YYYY-MM-DD）", "days_arg": "天数",
              "fromisoformat": "日期（YYYY-MM-DD）", "Path": "路径"}


def translate(message: str) -> str:
    return CATALOGUE.get(message, message)


@contextmanager
def _chinese() -> Iterator[None]:
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


class ChineseArgumentParser(argparse.ArgumentParser):
    """ArgumentParser with Chinese messages; sub-parsers made from it are Chinese too."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        with _chinese():  # the default group titles are translated when they are made
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        with _chinese():  # "unrecognized arguments" is worded here, outside parse_known_args
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        with _chinese():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with _chinese():
            return super().format_help()

    def error(self, message: str):  # noqa: ANN201
        for name, word in TYPE_NAMES.items():
            message = message.replace(f"无效的 {name} 值", f"无效的{word}")
        with _chinese():
            super().error(message)

    def add_argument(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        with _chinese():  # the help text of -h/--version is looked up here
            return super().add_argument(*args, **kwargs)
