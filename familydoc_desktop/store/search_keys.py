"""Derived columns that make resident search an indexed lookup: pinyin initials for the name
(王秀英 -> wxy) and reversed ID/phone numbers so a tail search becomes a prefix range."""
from __future__ import annotations

import os

# Names are read character by character: pypinyin's phrase dictionary (built for running
# text, where 周长 is "perimeter") costs ~45 MB and 0.1 s at every start and buys nothing
# here. Both switches are pypinyin's own and must be set before its first import.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")

from pypinyin import Style, lazy_pinyin  # noqa: E402

# Surnames read differently from the character's common reading (曾 zeng, not ceng).
SURNAME_INITIAL = {"曾": "z", "单": "s", "解": "x", "查": "z", "仇": "q", "区": "o", "朴": "p",
                   "盖": "g", "乐": "y", "尉": "y", "覃": "q", "翟": "z", "缪": "m", "长": "c",
                   "沈": "s", "种": "c", "秘": "b", "句": "g", "瞿": "q", "便": "p"}


# Given-name characters whose first dictionary reading is rarely the one in names
# (长春, 长生: chang, not zhang).
GIVEN_NAME_INITIAL = {"长": "c"}


class _CharInitials(dict):
    """ord(char) -> that character's part of the initials, looked up in pypinyin once per
    distinct character and kept. pypinyin reads a list of characters one element at a time
    (no phrases here), so the initials of a name are exactly the concatenation of its
    characters' parts: a name costs one C-level `str.translate` instead of a `lazy_pinyin`
    call (~200 us, 12 s of a 60,000-resident first sync)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in GIVEN_NAME_INITIAL:
            part = GIVEN_NAME_INITIAL[char]
        else:
            syllables = lazy_pinyin([char], style=Style.FIRST_LETTER, errors="default")
            part = "".join(ch.lower() for ch in "".join(syllables[:1]) if ch.isalnum())
        self[code] = part
        return part


_PARTS = _CharInitials()


def initials(name: str) -> str:
    """Lower-case initials of each character (王秀英 -> wxy); the surname takes its surname
    reading, other heteronyms pypinyin's first; latin letters and digits pass through."""
    name = (name or "").strip()
    if not name:
        return ""
    head = SURNAME_INITIAL.get(name[0])
    if head:
        return head + name[1:].translate(_PARTS)
    return name.translate(_PARTS)


def reverse(value: str | None) -> str | None:
    return value[::-1] if value else None


def resident_keys(name: str | None, id_number: str | None, phone: str | None) -> dict:
    return {"initials": initials(name or ""), "id_rev": reverse(id_number),
            "phone_rev": reverse(phone)}


def prefix_upper_bound(prefix: str) -> str:
    """Exclusive upper bound of every string that starts with `prefix` (for an index range)."""
    return prefix + "\U0010ffff"
