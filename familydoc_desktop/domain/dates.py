"""Reading dates as they arrive from forms, Excel sheets and CSV files; whole-year ages."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal
from numbers import Real

from familydoc_desktop.domain.errors import DateError

_MIN_YEAR = 1800
# Excel 1900 date system: serial 1 = 1900-01-01; serial 60 is the fictitious 1900-02-29
# (Lotus bug); from serial 61 on, serial = days since 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX = 2958465  # 9999-12-31

_SEPARATED = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TRAILING_TIME = re.compile(r"(?:[T\s]+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


def _excel_serial(value: float) -> date:
    if isinstance(value, float) and not math.isfinite(value):
        raise DateError("date", "日期数值无效")
    serial = math.floor(value)  # a fraction is the time of day
    if serial < 1 or serial > _EXCEL_MAX:
        raise DateError("date", f"Excel日期序号 {value} 超出范围")
    if serial == 60:
        raise DateError("date", "Excel日期序号60对应不存在的1900年2月29日")
    if serial < 60:
        return date(1899, 12, 31) + timedelta(days=serial)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _from_text(text: str) -> date:
    t = unicodedata.normalize("NFKC", text).strip()
    t = _TRAILING_TIME.sub("", t)
    t = "".join(t.split())
    if not t:
        raise DateError("date", "日期不能为空")
    for pattern in (_SEPARATED, _CHINESE, _COMPACT):
        m = pattern.match(t)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError:
                raise DateError("date", f"日期 {text.strip()} 不存在") from None
    raise DateError("date", f"无法识别的日期：{text.strip()}（示例：1949-12-31）")


def parse_date(value, *, today: date | None = None) -> date:
    """date / datetime / Excel serial / text -> date. Raises DateError (code "date").

    If `today` is given, a date after it is rejected with code "date_future".
    """
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool) or value is None:
        raise DateError("date", "日期不能为空" if value is None else "日期格式无效")
    elif isinstance(value, (Real, Decimal)):
        result = _excel_serial(value if isinstance(value, int) else float(value))
    elif isinstance(value, str):
        result = _from_text(value)
    else:
        raise DateError("date", "日期格式无效")
    if result.year < _MIN_YEAR:
        raise DateError("date", f"日期 {result.isoformat()} 早于{_MIN_YEAR}年，请核对")
    if today is not None and result > today:
        raise DateError("date_future", f"日期 {result.isoformat()} 晚于今天")
    return result


def age_on(birth: date, on: date) -> int:
    """Whole years on `on`. A Feb-29 birthday is reached on Mar 1 in common years."""
    if on < birth:
        raise DateError("age", "计算年龄的日期早于出生日期")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
