"""Health check-up (健康体检) and the yearly follow-up of every signed resident: what a
check-up record must hold and when each falls due.

- Check-up at signing: "居民签约时……为签约居民开展一次体格检查，内容包括一般状况检查、
  生活方式、查体、健康状况及其疾病用药情况等，对签约居民健康状况做出评估" (seed 003 §2(一)3);
  yearly for residents aged 65 and over: "将 65 岁以上老年人列为家庭医生签约服务重点人群，每年
  开展一次健康体检" (seed 000). The due list asks for it from the 65+ (docs/design.md).
- Yearly follow-up: "每年至少开展一次随访" within the 1-3 year contract (seed 002 §4.1),
  counted per contract year (each anniversary of the start).

A check-up is stored as a visit of kind `checkup` (store/visits.py): vitals (domain/vitals.py),
BMI from weight and height, lifestyle, the main findings, the conclusion (健康评价) and advice.
"""
from __future__ import annotations

from datetime import date, timedelta

from familydoc_desktop.domain.codes import CheckupConclusion
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.vitals import bmi

CHECKUP_AGE = 65  # seed 000: yearly check-up for the 65+
TEXT_LIMITS = {"lifestyle": 200, "findings": 1000, "advice": 500}


def add_years(d: date, years: int) -> date:
    """Same day `years` later; Feb 29 -> Mar 1 in a common year (as contract terms)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def contract_year(start: date, end: date, on: date) -> tuple[date, date]:
    """The contract year of the contract [start, end] that holds `on`: from the last
    anniversary of `start` on or before `on` to the day before the next one (or `end`)."""
    if not start <= on <= end:
        raise DomainError("contract_year", "该日期不在签约期内")
    k = on.year - start.year
    while k > 0 and add_years(start, k) > on:
        k -= 1
    first = add_years(start, k)
    return first, min(add_years(start, k + 1) - timedelta(days=1), end)


def checkup_bmi(weight, height) -> float | None:  # noqa: ANN001
    """BMI of a check-up when both weight and height were measured, else None."""
    if weight is None or height is None:
        return None
    return bmi(weight, height)


def validate_checkup(*, conclusion, findings: str | None, lifestyle: str | None = None,
                     advice: str | None = None) -> CheckupConclusion:
    """A check-up needs its conclusion (健康评价); an abnormal one names what is abnormal in
    the findings. Returns the conclusion code; raises DomainError with a Chinese message."""
    if conclusion in (None, ""):
        raise DomainError("checkup_conclusion", "健康体检须填写健康评价（体检无异常或有异常）")
    if conclusion not in set(CheckupConclusion):
        raise DomainError("checkup_conclusion", f"健康评价无效：{conclusion}")
    texts = {"lifestyle": lifestyle, "findings": findings, "advice": advice}
    names = {"lifestyle": "生活方式", "findings": "体检主要结果", "advice": "健康指导"}
    for key, value in texts.items():
        if value is not None and len(value) > TEXT_LIMITS[key]:
            raise DomainError("checkup_text", f"{names[key]}最多{TEXT_LIMITS[key]}字")
    if conclusion == CheckupConclusion.ABNORMAL and not (findings or "").strip():
        raise DomainError("checkup_findings", "健康评价为“有异常”时，须在体检主要结果中写明异常")
    return CheckupConclusion(conclusion)


def checkup_extra_fields_error(kind: str, **values) -> DomainError | None:  # noqa: ANN003
    """The check-up fields belong to a check-up only: an error when another kind has any."""
    given = [k for k, v in values.items() if v not in (None, "")]
    if given and kind != "checkup":
        return DomainError("checkup_fields", "生活方式、体检主要结果、健康评价和健康指导只用于健康体检")
    return None
