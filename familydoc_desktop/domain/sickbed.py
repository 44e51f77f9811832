"""Home sickbeds (家庭病床), seed 001 item 24, seed 002 §3.4, seed 003 §2.2.

Limits (one episode <= 90 days, <= 180 days a year) are configurable and only warn.
Bed-days count both admission and discharge day (an episode admitted and discharged the
same day is 1 day).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from familydoc_desktop.domain.codes import SickbedOutcome, SickbedType
from familydoc_desktop.domain.errors import SickbedError

MAX_EPISODE_DAYS = 90
MAX_DAYS_PER_YEAR = 180


def validate_admission(admitted: date, type: SickbedType | None, *, diagnosis: str | None = None,
                       doctor_id: str | None = None, today: date | None = None,
                       open_episode: bool = False) -> None:
    """建床: date, type, diagnosis and responsible doctor are required."""
    if type is None or type not in set(SickbedType):
        raise SickbedError("sickbed_type", "建床须选择家庭病床类型（治疗型/康复型/安宁疗护型）")
    if today is not None and admitted > today:
        raise SickbedError("sickbed_date", "建床日期不能晚于今天")
    if diagnosis is not None and not diagnosis.strip():
        raise SickbedError("sickbed_diagnosis", "建床须填写诊断")
    if doctor_id is not None and not doctor_id.strip():
        raise SickbedError("sickbed_doctor", "建床须指定责任医生")
    if open_episode:
        raise SickbedError("sickbed_open", "该居民已有未撤床的家庭病床，不能重复建床")


def bed_days(admitted: date, discharged_or_today: date) -> int:
    if discharged_or_today < admitted:
        raise SickbedError("sickbed_date", "撤床日期不能早于建床日期")
    return (discharged_or_today - admitted).days + 1


def validate_discharge(admitted: date, discharged: date, outcome: SickbedOutcome | None, *,
                       max_episode_days: int = MAX_EPISODE_DAYS) -> list[str]:
    """撤床: raises on hard errors; returns Chinese warnings (over-long episode)."""
    if outcome is None or outcome not in set(SickbedOutcome):
        raise SickbedError("sickbed_outcome", "撤床须选择转归（治愈/好转/未愈/死亡/转院）")
    days = bed_days(admitted, discharged)
    warnings = []
    if days > max_episode_days:
        warnings.append(f"本次家庭病床共 {days} 天，超过单次 {max_episode_days} 天的上限")
    return warnings


def days_in_year(episodes: Iterable[tuple[date, date | None]], year: int, today: date) -> int:
    """Bed-days falling in calendar `year`; open episodes run to `today`."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    total = 0
    for admitted, discharged in episodes:
        start = max(admitted, first)
        end = min(discharged or today, last)
        if end >= start:
            total += (end - start).days + 1
    return total


def year_limit_warning(days: int, max_days_per_year: int = MAX_DAYS_PER_YEAR) -> str | None:
    if days > max_days_per_year:
        return f"本年度家庭病床累计 {days} 天，超过 {max_days_per_year} 天的上限"
    return None


def episode_end_limit(admitted: date, max_episode_days: int = MAX_EPISODE_DAYS) -> date:
    """Last day an episode may run without exceeding the per-episode limit."""
    return admitted + timedelta(days=max_episode_days - 1)
