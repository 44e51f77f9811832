"""Phone numbers as they are typed into rosters and forms -> one stored form.

Mainland mobile: 11 digits starting with 1 (a +86 / 0086 / 86 prefix is dropped). Landline:
a local number of 7-8 digits (first digit 2-9), optionally after its area code, kept as
`0431-81234567`, optionally with an extension (`0431-81234567-123`). Area codes follow the
national plan: 010 and 02x have 3 digits, every other code (03xx-09xx) has 4, so a number
typed without a dash splits the same way as one typed with it.
"""
from __future__ import annotations

import re
import unicodedata

from familydoc_desktop.domain.errors import DomainError


class PhoneError(DomainError):
    """A phone number that is neither a mainland mobile nor a landline."""


# Spaces, dots, brackets (ASCII after NFKC, plus the CJK ones NFKC keeps) vanish; every dash
# becomes "-", which can still mark an extension.
_DROP = dict.fromkeys(map(ord, " \t.()[]【】〔〕"), None)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc~～"), "-")
# re.ASCII: \d must not take other scripts' digits (NFKC leaves e.g. Arabic-Indic ones alone).
_EXT = re.compile(r"(?:转|分机|ext|x|#)-?(\d{1,6})$", re.ASCII)
_MOBILE = re.compile(r"(?:\+?(?:0086|86))?(1\d{10})", re.ASCII)
_LANDLINE = re.compile(r"(?:(010|02\d|0[3-9]\d\d)-?)?([2-9]\d{6,7})", re.ASCII)


def _invalid(text: str) -> PhoneError:
    return PhoneError("phone", f"电话号码“{text}”无法识别（应为11位手机号，"
                               "或固定电话如0431-81234567）")


def _landline(text: str) -> str | None:
    m = _LANDLINE.fullmatch(text.replace("-", ""))
    if m is None:
        return None
    area, number = m.groups()
    return f"{area}-{number}" if area else number


def normalize_phone(text: str) -> str:
    """The stored form of a typed phone number; raises PhoneError (Chinese message)."""
    if text and len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1":
        return text  # the common case, without the regexes
    original = (text or "").strip()
    if not original:
        raise PhoneError("phone_empty", "电话号码不能为空")
    t = unicodedata.normalize("NFKC", original).lower().translate(_DASHES).translate(_DROP)
    t = re.sub(r"\s+", "", t).strip("-")
    m = _MOBILE.fullmatch(t.replace("-", ""))
    if m:
        return m.group(1)
    ext = None
    m = _EXT.search(t)
    if m:
        t, ext = t[:m.start()].rstrip("-"), m.group(1)
    if not t or not all(c in "0123456789-" for c in t):
        raise _invalid(original)
    number = _landline(t)
    if number is None and ext is None and "-" in t:  # 0431-81234567-123: a dashed extension
        head, _, last = t.rpartition("-")
        if len(last) <= 6:
            number, ext = _landline(head), last
    if number is None:
        raise _invalid(original)
    return f"{number}-{ext}" if ext else number
