import itertools

import pytest

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.selfcare import (
    ITEMS, MAX_TOTAL, selfcare_level, selfcare_level_zh, selfcare_total)


@pytest.mark.parametrize("scores, total", [
    ((0, 0, 0, 0, 0), 0),
    ((3, 0, 0, 0, 0), 3),
    ((3, 1, 0, 0, 0), 4),
    ((5, 3, 0, 0, 0), 8),
    ((5, 1, 3, 0, 0), 9),
    ((5, 3, 0, 10, 0), 18),
    ((5, 7, 5, 1, 1), 19),
    ((5, 7, 5, 10, 10), 37),
])
def test_total(scores, total):
    assert selfcare_total(*scores) == total


@pytest.mark.parametrize("scores, item", [
    ((1, 0, 0, 0, 0), "进餐"), ((0, 2, 0, 0, 0), "梳洗"), ((0, 0, 4, 0, 0), "穿衣"),
    ((0, 0, 0, 3, 0), "如厕"), ((0, 0, 0, 0, 7), "活动"), ((-3, 0, 0, 0, 0), "进餐"),
    ((3.0, 0, 0, 0, 0), "进餐"), ((True, 0, 0, 0, 0), "进餐"), ((None, 0, 0, 0, 0), "进餐"),
])
def test_total_rejects_illegal_values(scores, item):
    with pytest.raises(DomainError) as exc:
        selfcare_total(*scores)
    assert exc.value.code == "selfcare" and item in exc.value.message


@pytest.mark.parametrize("total, level, zh", [
    (0, "independent", "可自理"), (3, "independent", "可自理"),
    (4, "mild", "轻度依赖"), (8, "mild", "轻度依赖"),
    (9, "moderate", "中度依赖"), (18, "moderate", "中度依赖"),
    (19, "dependent", "不能自理"), (37, "dependent", "不能自理"),
])
def test_level(total, level, zh):
    assert selfcare_level(total) == level
    assert selfcare_level_zh(total) == zh


@pytest.mark.parametrize("total", [-1, 38, 3.5, None])
def test_level_rejects(total):
    with pytest.raises(DomainError):
        selfcare_level(total)


def test_every_legal_combination_has_a_level():
    assert MAX_TOTAL == 37
    for combo in itertools.product(*(scores for _, scores in ITEMS.values())):
        assert selfcare_level(selfcare_total(*combo))
