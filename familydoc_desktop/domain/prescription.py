"""Long prescriptions (长期处方, seed 001 item 11): a family doctor prescribes 4-12 weeks of a
signed chronic patient's regular drugs; the refill falls due when the supply runs out.

Pure rules: the store (store/services.py) checks a prescription with them before it writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from familydoc_desktop.domain.codes import Condition
from familydoc_desktop.domain.errors import DomainError

WEEKS = (4, 12)
# The chronic diseases a long prescription serves (seed 001 item 11 "签约的慢性病患者";
# NBPHS-3 manages these by regular follow-up and regular medication).
CHRONIC = frozenset({Condition.HYPERTENSION, Condition.DIABETES, Condition.COPD})
CHRONIC_ZH = "高血压、2型糖尿病或慢阻肺"
MAX_DRUGS = 10
MAX_TEXT = 1000


class PrescriptionError(DomainError):
    """A long prescription that the rules refuse."""


@dataclass(frozen=True)
class Drug:
    name: str
    dose: str

    def text(self) -> str:
        return f"{self.name} {self.dose}"


def check_weeks(weeks) -> int:  # noqa: ANN001
    low, high = WEEKS
    if isinstance(weeks, bool) or not isinstance(weeks, int):
        raise PrescriptionError("long_rx_weeks", f"长期处方周数须为{low}—{high}的整数")
    if not low <= weeks <= high:
        raise PrescriptionError(
            "long_rx_weeks", f"长期处方期限须为{low}—{high}周，{weeks}周"
            + ("太短，请开普通处方" if weeks < low else "超过上限（最长12周）"))
    return weeks


def parse_drug(text: str | None) -> Drug:
    """"NAME DOSE": the first word is the drug, the rest its dose and use."""
    parts = (text or "").strip().split(None, 1)
    if not parts:
        raise PrescriptionError("long_rx_drug", "请填写药品名称和用法用量")
    if len(parts) < 2:
        raise PrescriptionError("long_rx_dose",
                                f"“{parts[0]}”缺少用法用量，请写成“药名 用量”，如“氨氯地平片 5mg 每日一次”")
    return Drug(parts[0], " ".join(parts[1].split()))


def check_drugs(texts) -> list[Drug]:  # noqa: ANN001
    drugs = [parse_drug(t) for t in texts or ()]
    if not drugs:
        raise PrescriptionError("long_rx_drug", "长期处方至少需要一种药品")
    if len(drugs) > MAX_DRUGS:
        raise PrescriptionError("long_rx_drug", f"一张长期处方最多{MAX_DRUGS}种药品")
    names = [d.name for d in drugs]
    if len(set(names)) != len(names):
        raise PrescriptionError("long_rx_drug", "同一种药品不能重复开具")
    if len("；".join(d.text() for d in drugs)) > MAX_TEXT:
        raise PrescriptionError("long_rx_drug", "药品和用法用量合计不能超过1000个字")
    return drugs


def check_patient(signed: bool, conditions) -> None:  # noqa: ANN001
    if not signed:
        raise PrescriptionError("long_rx_unsigned", "长期处方只为已签约的居民开具：该居民当前没有有效的签约")
    if not CHRONIC & set(conditions):
        raise PrescriptionError("long_rx_not_chronic",
                                f"长期处方只为签约的慢性病患者开具：该居民没有{CHRONIC_ZH}诊断")


def refill_date(start: date, weeks: int) -> date:
    """The day the supply runs out: the refill is due then."""
    return start + timedelta(weeks=weeks)


def active_in(start: date, end: date, first: date, last: date) -> bool:
    """Is a prescription running [start, end) active on some day of [first, last]?"""
    return start <= last and end > first
