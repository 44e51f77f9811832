"""What the server knows about each synced table: its wire columns and their JSON types,
read from the desktop's SQLModel tables (the one definition of the data)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String
from sqlalchemy.types import TypeDecorator

from familydoc_desktop.domain.models import SYNCED_MODELS, SYNCED_TABLES
from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS, LOCAL_COLUMNS
from familydoc_desktop.domain.wire_values import (
    date_problem,
    datetime_problem,
    json_problem,
    text_problem,
)


@dataclass(frozen=True)
class ColumnSpec:
    table: str
    name: str
    kind: str  # str | int | float | bool | date | datetime
    nullable: bool
    max_length: int | None = None


def _kind(sql_type) -> str:  # noqa: ANN001
    if isinstance(sql_type, TypeDecorator):  # e.g. SQLModel's AutoString
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, Boolean):
        return "bool"
    if isinstance(sql_type, DateTime):
        return "datetime"
    if isinstance(sql_type, Date):
        return "date"
    if isinstance(sql_type, Integer):
        return "int"
    if isinstance(sql_type, (Float, Numeric)):
        return "float"
    if isinstance(sql_type, String):
        return "str"
    raise TypeError(f"unsupported column type {sql_type!r}")


@lru_cache(maxsize=None)
def columns(table: str) -> dict[str, ColumnSpec]:
    """Wire fields of a synced table other than id: what a push may set and a pull returns
    after (id, server_seq). Device-local and derived search columns are left out."""
    skip = LOCAL_COLUMNS | DERIVED_COLUMNS.get(table, frozenset()) | {"id"}
    out = {}
    for col in SYNCED_TABLES[table].__table__.columns:
        if col.name in skip:
            continue
        out[col.name] = ColumnSpec(table, col.name, _kind(col.type), bool(col.nullable),
                                   getattr(col.type, "length", None))
    return out


def table_order() -> list[str]:
    """Parents before children, as pulled pages are applied."""
    return [m.__tablename__ for m in SYNCED_MODELS]


def check_value(spec: ColumnSpec, value) -> str | None:  # noqa: ANN001
    """None if `value` is a valid JSON value for the column, else a Chinese reason."""
    if value is None:
        return None if spec.nullable else "不能为空"
    kind = spec.kind
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        # Bounded to SQLite's and PostgreSQL's 64-bit integers.
        ok = isinstance(value, int) and not isinstance(value, bool) and _INT_MIN <= value <= _INT_MAX
    elif kind == "float":
        ok = (isinstance(value, float) and math.isfinite(value)) or (
            isinstance(value, int) and not isinstance(value, bool)
            and _INT_MIN <= value <= _INT_MAX)
    elif kind == "str":
        if not isinstance(value, str):
            return "应为文本"
        if spec.max_length and len(value) > spec.max_length:
            return f"超过最大长度{spec.max_length}"
        return text_problem(value) or json_problem(spec.table, spec.name, value)
    elif kind == "date":
        parsed = _parse(date.fromisoformat, value, _DATE)
        if parsed is None:
            return "应为 YYYY-MM-DD 格式的日期"
        return date_problem(parsed)
    else:  # datetime
        parsed = _parse(datetime.fromisoformat, value, _DATETIME)
        if parsed is None:
            return "应为 ISO 8601 格式的日期时间（YYYY-MM-DDTHH:MM:SS）"
        return datetime_problem(parsed)
    return None if ok else {"bool": "应为布尔值", "int": "应为整数", "float": "应为数字"}[kind]


_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 63 - 1
# fromisoformat alone takes far more than the wire format (week dates "2020-W01-1", ordinal
# dates, "20200101", a space for T, hours only, Unicode digits), which the desktop then cannot
# read back: the shape is checked first, ASCII digits only, then the calendar by fromisoformat.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})?")


def _parse(parse, text, shape):  # noqa: ANN001
    if not isinstance(text, str) or shape.fullmatch(text) is None:
        return None
    try:
        return parse(text)
    except ValueError:
        return None
