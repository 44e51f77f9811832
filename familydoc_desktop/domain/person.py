"""The field rules of a resident's identity, one copy for every way a resident is written: the
registration form and CLI (store/residents.py) and the roster import (domain/roster.py).

Each check raises DomainError with a Chinese message the doctor can act on.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from familydoc_desktop.domain.codes import Sex, label
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.idcard import MIN_BIRTH, IdInfo
from familydoc_desktop.domain.wire_values import text_problem

NAME_MAX = 50  # resident.name's column length (server VARCHAR too)
SEX_WORDS = {"男": Sex.MALE, "男性": Sex.MALE, "1": Sex.MALE, "M": Sex.MALE, "MALE": Sex.MALE,
             "女": Sex.FEMALE, "女性": Sex.FEMALE, "2": Sex.FEMALE, "F": Sex.FEMALE,
             "FEMALE": Sex.FEMALE}
# Spaces typed between Chinese characters to line names up (王　建国) are not part of the name;
# spaces between Latin words are (a foreign or transliterated name keeps one).
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def clean_name(value) -> str:  # noqa: ANN001
    text = " ".join(unicodedata.normalize("NFKC", "" if value is None else str(value)).split())
    text = _CJK_GAP.sub("", text)
    if not text:
        raise DomainError("name", "姓名不能为空")
    problem = text_problem(text)
    if problem:
        raise DomainError("name", f"姓名{problem}")
    if len(text) > NAME_MAX:
        raise DomainError("name", f"姓名过长（{len(text)}个字，最多{NAME_MAX}个字）")
    return text


def parse_sex(value) -> Sex | None:  # noqa: ANN001
    """男/女 (and 男性, 1/2, M/F, male/female) -> Sex; None when left blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    sex = SEX_WORDS.get(text.upper())
    if sex is None:
        raise DomainError("sex", f"性别“{text}”无法识别（只能是男或女）")
    return sex


def check_birth(born: date, today: date) -> date:
    """A birth date a person can have: not after today, not before an ID number's bound."""
    if born > today:
        raise DomainError("birth_date", f"出生日期（{born.isoformat()}）不能晚于今天")
    if born < MIN_BIRTH:
        raise DomainError("birth_date",
                          f"出生日期（{born.isoformat()}）早于{MIN_BIRTH.year}年，请核对")
    return born


def identity_mismatches(info: IdInfo, sex: Sex | None, born: date | None) -> list[str]:
    """What a typed sex and birth date contradict in the ID number (the ID wins when they
    agree or are blank)."""
    problems = []
    if sex is not None and sex != info.sex:
        problems.append(f"性别（{label(Sex, sex)}）与身份证号（{label(Sex, info.sex)}）不符")
    if born is not None and born != info.birth_date:
        problems.append(f"出生日期（{born.isoformat()}）与身份证号"
                        f"（{info.birth_date.isoformat()}）不符")
    return problems
