"""老年人生活自理能力评估表 (NBPHS-3): five items, total -> dependence level."""
from __future__ import annotations

from familydoc_desktop.domain.errors import DomainError

# item -> (Chinese label, allowed scores)  # NBPHS-3 附件 老年人生活自理能力评估表
ITEMS: dict[str, tuple[str, tuple[int, ...]]] = {
    "eating": ("进餐", (0, 3, 5)),
    "grooming": ("梳洗", (0, 1, 3, 7)),
    "dressing": ("穿衣", (0, 3, 5)),
    "toileting": ("如厕", (0, 1, 5, 10)),
    "activity": ("活动", (0, 1, 5, 10)),
}
MAX_TOTAL = sum(max(scores) for _, scores in ITEMS.values())  # 37

INDEPENDENT, MILD, MODERATE, DEPENDENT = "independent", "mild", "moderate", "dependent"
LEVEL_ZH = {INDEPENDENT: "可自理", MILD: "轻度依赖", MODERATE: "中度依赖", DEPENDENT: "不能自理"}


def selfcare_total(eating: int, grooming: int, dressing: int, toileting: int,
                   activity: int) -> int:
    values = {"eating": eating, "grooming": grooming, "dressing": dressing,
              "toileting": toileting, "activity": activity}
    for item, value in values.items():
        label, allowed = ITEMS[item]
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            choices = "/".join(map(str, allowed))
            raise DomainError("selfcare", f"“{label}”评分只能是 {choices}，当前为 {value}")
    return sum(values.values())


def selfcare_level(total: int) -> str:
    """0-3 independent, 4-8 mild, 9-18 moderate, >=19 dependent (NBPHS-3)."""
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MAX_TOTAL:
        raise DomainError("selfcare", f"生活自理能力总分应在0–{MAX_TOTAL}之间，当前为 {total}")
    if total <= 3:
        return INDEPENDENT
    if total <= 8:
        return MILD
    if total <= 18:
        return MODERATE
    return DEPENDENT


def selfcare_level_zh(total: int) -> str:
    return LEVEL_ZH[selfcare_level(total)]
