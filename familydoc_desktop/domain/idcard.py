"""Resident ID number (居民身份证号码), GB 11643-1999.

18 chars = 6-digit area + 8-digit birth date + 3-digit sequence (odd = male) + check char
(ISO 7064 MOD 11-2). Legacy 15-digit numbers have a 2-digit year and no check char.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from familydoc_desktop.domain.codes import Sex
from familydoc_desktop.domain.errors import IdNumberError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_MAP = "10X98765432"  # sum mod 11 -> check char
MIN_BIRTH = date(1880, 1, 1)  # the earliest birth date an ID may hold (and a typed one)
# Invisible characters that survive copy-paste from web pages / Excel.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


@dataclass(frozen=True)
class IdInfo:
    number: str  # always the 18-char form
    area_code: str  # first 6 digits (GB/T 2260 at time of issue)
    birth_date: date
    sex: Sex


def normalize_id(raw: str) -> str:
    """Full-width -> ASCII, drop every whitespace (incl. U+3000) and zero-width char, x -> X."""
    text = unicodedata.normalize("NFKC", raw or "").translate(_INVISIBLE)
    return "".join(text.split()).upper()


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check char for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise IdNumberError("chars", "计算校验位需要17位数字")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK_MAP[total % 11]


def upgrade_15(id15: str) -> str:
    """Legacy 15-digit number -> 18: insert century "19" before yymmdd, append check char."""
    n = normalize_id(id15)
    if len(n) != 15 or not (n.isascii() and n.isdigit()):
        raise IdNumberError("length", "15位身份证号应为15位数字")
    first17 = n[:6] + "19" + n[6:]
    return first17 + check_digit(first17)


def _birth_date(n18: str, today: date | None) -> date:
    try:
        born = date(int(n18[6:10]), int(n18[10:12]), int(n18[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", f"身份证号中的出生日期 {n18[6:14]} 不存在") from None
    if born < MIN_BIRTH:
        raise IdNumberError("birth_date", f"身份证号中的出生日期 {n18[6:14]} 早于1880年")
    if born > (today or date.today()):
        raise IdNumberError("birth_date", f"身份证号中的出生日期 {n18[6:14]} 晚于今天")
    return born


def parse_id(raw: str, *, today: date | None = None) -> IdInfo:
    """Normalize, upgrade 15 -> 18, validate; raises IdNumberError with a Chinese message."""
    n = normalize_id(raw)
    if not n:
        raise IdNumberError("empty", "身份证号不能为空")
    if not n.isascii() or not all(c.isdigit() or c == "X" for c in n):
        raise IdNumberError("chars", "身份证号只能包含数字和末位的X")
    if len(n) not in (15, 18):
        raise IdNumberError("length", f"身份证号应为18位（或旧版15位），当前为{len(n)}位")
    if "X" in n[:-1] or (len(n) == 15 and "X" in n):
        raise IdNumberError("chars", "身份证号中的X只能出现在第18位")
    if len(n) == 15:
        n = upgrade_15(n)
    born = _birth_date(n, today)
    if check_digit(n[:17]) != n[17]:
        raise IdNumberError("checksum", "身份证号校验位错误，请核对号码")
    sex = Sex.MALE if int(n[16]) % 2 == 1 else Sex.FEMALE
    return IdInfo(number=n, area_code=n[:6], birth_date=born, sex=sex)


def is_valid_id(raw: str, *, today: date | None = None) -> bool:
    try:
        parse_id(raw, today=today)
    except IdNumberError:
        return False
    return True


def mask_id(number: str) -> str:
    """Show first 6 and last 4 (PIPL: mask on screen by default): 110105********002X."""
    n = normalize_id(number)
    if len(n) <= 10:
        return "*" * len(n)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]


def mask_phone(phone: str) -> str:
    """Show first 3 and last 4: 138****5678. Short numbers are masked entirely."""
    p = "".join(unicodedata.normalize("NFKC", phone or "").split())
    if len(p) < 8:
        return "*" * len(p)
    return p[:3] + "*" * (len(p) - 7) + p[-4:]
