"""What a synced value must be for every PC to hold it: one rule for the server's push check and
the client's pull apply (issue 14: one record with a year-1 datetime or a control character in
a name used to stop the sync of every PC that could see its clinic).

- Dates and datetimes stay within the years the app computes with (due dates add years to them;
  `date.max` arithmetic overflows). A datetime with an offset is bounded after normalising it to
  UTC, so `0001-01-01T00:00:00+00:01` (year 0 in UTC) and `9999-12-31T23:59:59-23:59` are out.
- Text holds no NUL, no C0/C1 control character other than tab and line breaks, and no lone
  surrogate (it cannot be encoded as UTF-8: SQLite and PostgreSQL both refuse it).
- JSON columns hold JSON of the shape the app reads back.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

MIN_YEAR = 1800  # as domain.dates: no date of this service lies before it
MAX_YEAR = 2200  # as the CLI's bound: due dates run years ahead, 9999 overflows

_ALLOWED_CONTROLS = frozenset("\t\n\r")
# Any character text_problem looks at closer: one C-speed scan decides for clean text.
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """None if every character of `value` can be stored and shown on every PC."""
    if _SUSPECT.search(value) is None:
        return None
    for ch in value:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o <= 0x9F:
            if ch in _ALLOWED_CONTROLS:
                continue
            return "含有控制字符" if o else "含有空字符（NUL）"
        if 0xD800 <= o <= 0xDFFF:
            return "含有无法编码的字符（孤立代理项）"
    return None


def printable(value: str) -> str:
    """`value` with every character text_problem refuses replaced by U+FFFD: for showing and
    exporting text already in a database from before these checks (an .xlsx cell refuses
    control characters, a UTF-8 file or console refuses lone surrogates)."""
    if _SUSPECT.search(value) is None:
        return value
    return "".join("\ufffd" if (_SUSPECT.match(ch) and ch not in _ALLOWED_CONTROLS) else ch
                   for ch in value)


def date_problem(value: date) -> str | None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"年份超出 {MIN_YEAR}–{MAX_YEAR} 的范围"
    return None


def datetime_problem(value: datetime) -> str | None:
    if value.tzinfo is not None:
        try:
            value = value.astimezone(timezone.utc)
        except (OverflowError, ValueError):
            return f"年份超出 {MIN_YEAR}–{MAX_YEAR} 的范围"
    return date_problem(value.date())


def _reasons_problem(parsed) -> str | None:  # noqa: ANN001
    if not isinstance(parsed, list):
        return "应为原因列表（JSON）"
    for item in parsed:
        if not (isinstance(item, dict) and isinstance(item.get("code"), str)
                and isinstance(item.get("text"), str)):
            return "原因列表的每一项应含 code 与 text"
    return None


# (table, column) -> checker of the parsed JSON value
JSON_COLUMNS = {("ledger_assessment", "reasons"): _reasons_problem}


def json_problem(table: str, column: str, value: str) -> str | None:
    """None unless (table, column) is a JSON column and `value` is not JSON of its shape."""
    check = JSON_COLUMNS.get((table, column))
    if check is None:
        return None
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        return "不是有效的 JSON"
    return check(parsed)
