"""Pinyin initials from the per-character table are exactly what per-name `lazy_pinyin` gave."""
from __future__ import annotations

import random
from datetime import date

from pypinyin import Style, lazy_pinyin

from familydoc_desktop.demo import generate_township
from familydoc_desktop.store import search_keys
from familydoc_desktop.store.search_keys import GIVEN_NAME_INITIAL, SURNAME_INITIAL, initials


def reference(name: str) -> str:
    """The previous implementation, verbatim: one lazy_pinyin call per name."""
    name = (name or "").strip()
    if not name:
        return ""
    head = SURNAME_INITIAL.get(name[0])
    rest = name[1:] if head else name
    out = [head] if head else []
    for char, syllable in zip(rest, lazy_pinyin(list(rest), style=Style.FIRST_LETTER,
                                                 errors="default")):
        if char in GIVEN_NAME_INITIAL:
            out.append(GIVEN_NAME_INITIAL[char])
        else:
            out.extend(ch.lower() for ch in syllable if ch.isalnum())
    return "".join(out)


HAND_PICKED = [
    "王秀英", "曾长春", "单于长生", "长孙无忌", "乐正", "查重", "解行", "朝阳", "重庆", "调音",
    "仇传", "区长", "朴银行", "尉迟恭", "覃藏", "翟曾", "缪都", "沈长乐", "种和", "秘便宜",
    "句长长", "瞿了", "便传", "欧阳觉", "单单", "长", "曾",
    # rare and extension characters, radicals, compatibility ideographs
    "龘靐", "㐀㐁", "𠀀𠀁", "𪚥", "𬌗", "〇", "乂", "⺮", "豈", "々", "丶丿",
    # latin, digits, full-width, mixed, punctuation, spaces, emoji, combining marks
    "Zhang San", "李 Lei", "ＡＢ１２王", "王·阿依古丽", "阿卜杜拉·买买提", "  刘洋  ", "王\t小",
    "张三2", "Ⅻ世", "²王", "😀李", "é王", "e\u0301", "王\u200b五", "ß", "İ", "Σσς",
    "\ud800王", "王\udfff", "", " ", "-", "张-伟", "(王)", "Müller", "ǅ", "Ⅷ",
]


def test_hand_picked_names_match_the_per_name_reading() -> None:
    for name in HAND_PICKED:
        assert initials(name) == reference(name), name


def test_random_names_over_the_whole_cjk_range_match() -> None:
    rng = random.Random(20261202)
    ranges = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0xF900, 0xFAFF),
              (0x2F00, 0x2FDF), (0x20, 0x24F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    surnames = list(SURNAME_INITIAL) + ["王", "李", "张", "欧阳"]
    for i in range(3000):
        chars = [chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(1, 4))]
        name = (rng.choice(surnames) if i % 2 else "") + "".join(chars)
        assert initials(name) == reference(name), ascii(name)


def test_demo_township_names_match() -> None:
    names = [row["name"] for table, rows in generate_township(
        residents=2000, seed=3, clinic_ids=["c1", "c2"], today=date(2026, 12, 1))
        if table == "resident" for row in rows]
    assert len(names) == 2000
    for name in names:
        assert initials(name) == reference(name), name


def test_each_character_is_looked_up_once() -> None:
    search_keys._PARTS.clear()
    initials("王秀英")
    initials("王英秀")
    assert set(search_keys._PARTS) == {ord("王"), ord("秀"), ord("英")}
