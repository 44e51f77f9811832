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
# The scale's words for each score (NBPHS-3 附件 老年人生活自理能力评估表: 可自理 / 轻度依赖 /
# 中度依赖 / 不能自理 columns), shown beside the points so the doctor chooses by description.
SCALE_ZH: dict[str, dict[int, str]] = {
    "eating": {0: "独立完成", 3: "需要协助，如切碎、搅拌食物等", 5: "完全需要帮助"},
    "grooming": {0: "独立完成", 1: "能独立地洗头、梳头、洗脸、刷牙、剃须等；洗澡需要协助",
                 3: "在协助下和适当的时间内，能完成部分梳洗活动", 7: "完全需要帮助"},
    "dressing": {0: "独立完成", 3: "需要协助，在适当的时间内完成部分穿衣", 5: "完全需要帮助"},
    "toileting": {0: "不需协助，可自控", 1: "偶尔失禁，但基本上能如厕或使用便具",
                  5: "经常失禁，在很多提示和协助下尚能如厕或使用便具", 10: "完全失禁，完全需要帮助"},
    "activity": {0: "独立完成所有活动", 1: "借助较小的外力或辅助装置能完成站立、行走、上下楼梯等",
                 5: "借助较大的外力才能完成站立、行走，不能上下楼梯", 10: "卧床不起，活动完全需要帮助"},
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
