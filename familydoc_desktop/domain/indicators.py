"""Indicators a township reports (domain.md "Indicators"; seed 000 §2.4, seed 002 §5.7,
seed 003 §4.7): what each one counts, its Chinese name, and the small pure rules behind
them. The store counts (store/report.py); this module says what the counts mean.

Definitions where the documents leave room, chosen to match NBPHS-3 practice:
- on file (在册): not deleted, born by the report date, not dead by it;
- signed (签约): a contract in force on the report date (not terminated);
- renewal rate (续签率): contracts whose term ended in the period (ended, not terminated) whose
  resident signed a later contract / those contracts;
- managed (已管理) hypertension/diabetes patient: on file, in the group, at least one
  follow-up of that kind in the period; managed to standard (规范管理): at least one follow-up
  per full quarter of the period (4 in a calendar year, 2 in a half); controlled (控制): the last
  follow-up in the period below the target (BP by age, fasting glucose);
- yearly follow-up rate (签约居民年度随访率, seed 002 §4.1): signed residents (on the report
  date) with at least one follow-up of any kind but a check-up in the period / signed;
- check-up rate of the 65+ (seed 000, seed 003 §2): signed residents aged 65+ on the report
  date with a health check-up in the period / signed residents aged 65+;
- fees: the year's fee of every contract in force on the report date, basic package by
  funding source plus the personalised packages' insurance and personal shares;
- health pushes (seed 001 item 1, "每年向签约全人群推送健康信息不少于12次"): a resident signed on
  the report date with at least PUSHES_PER_YEAR pushes dated from 1 January of the report
  date's year to the report date; the rate is over every signed resident (the period does not
  matter: the duty is per calendar year).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from familydoc_desktop.domain.codes import LABELS_ZH, Population
from familydoc_desktop.domain.followup import hypertension_target, setting


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    unit: str  # 人 / 次 / 天 / % / 元 / 分
    numerator: str | None = None  # for a rate: the count codes it divides
    denominator: str | None = None


def _rate(code: str, name: str, num: str, den: str) -> Indicator:
    return Indicator(code, name, "%", num, den)


def _per_population() -> tuple[Indicator, ...]:
    """Members, signed and coverage for each key population (domain.md: "per key
    population")."""
    out: list[Indicator] = []
    for pop in Population:
        name = LABELS_ZH[Population][pop]
        out += [Indicator(f"pop_{pop}", name, "人"),
                Indicator(f"pop_{pop}_signed", f"{name}签约", "人"),
                _rate(f"pop_{pop}_coverage", f"{name}签约率", f"pop_{pop}_signed", f"pop_{pop}")]
    return tuple(out)


# In report order; each rate after the counts it is made of.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("on_file", "在册居民", "人"),
    Indicator("signed", "签约居民", "人"),
    _rate("coverage", "签约率", "signed", "on_file"),
    Indicator("key_population", "重点人群", "人"),
    _rate("key_population_share", "重点人群占比", "key_population", "on_file"),
    Indicator("key_population_signed", "重点人群签约", "人"),
    _rate("key_population_coverage", "重点人群签约率", "key_population_signed", "key_population"),
    Indicator("renewal_due", "期内到期合同", "人"),
    Indicator("renewed", "到期后续签", "人"),
    _rate("renewal_rate", "续签率", "renewed", "renewal_due"),
    Indicator("ledger_red", "三色管理：红色", "人"),
    Indicator("ledger_yellow", "三色管理：黄色", "人"),
    Indicator("ledger_green", "三色管理：绿色", "人"),
    Indicator("aged_80_signed", "80岁以上签约老人", "人"),
    Indicator("aged_80_visited", "80岁以上老人年度访视完成", "人"),
    _rate("aged_80_visit_rate", "80岁以上老人年度访视完成率", "aged_80_visited", "aged_80_signed"),
    Indicator("annual_followup_done", "期内随访过的签约居民", "人"),
    _rate("annual_followup_rate", "签约居民年度随访率", "annual_followup_done", "signed"),
    Indicator("aged_65_signed", "65岁及以上签约老人", "人"),
    Indicator("checkup_65_done", "65岁及以上签约老人期内体检", "人"),
    _rate("checkup_65_rate", "65岁及以上签约老人健康体检率", "checkup_65_done", "aged_65_signed"),
    Indicator("hypertension_managed", "高血压已管理", "人"),
    Indicator("hypertension_standard", "高血压规范管理", "人"),
    _rate("hypertension_standard_rate", "高血压规范管理率", "hypertension_standard",
          "hypertension_managed"),
    Indicator("hypertension_controlled", "高血压血压控制", "人"),
    _rate("hypertension_control_rate", "高血压控制率", "hypertension_controlled",
          "hypertension_managed"),
    Indicator("diabetes_managed", "糖尿病已管理", "人"),
    Indicator("diabetes_standard", "糖尿病规范管理", "人"),
    _rate("diabetes_standard_rate", "糖尿病规范管理率", "diabetes_standard", "diabetes_managed"),
    Indicator("diabetes_controlled", "糖尿病血糖控制", "人"),
    _rate("diabetes_control_rate", "糖尿病控制率", "diabetes_controlled", "diabetes_managed"),
    Indicator("sickbed_open", "在床家庭病床", "张"),
    Indicator("sickbed_admitted", "期内建床", "张"),
    Indicator("sickbed_discharged", "期内撤床", "张"),
    Indicator("sickbed_days", "期内床日", "天"),
    Indicator("referral_up", "上转", "次"),
    Indicator("referral_down", "下转", "次"),
    Indicator("referral_completed", "转诊完成", "次"),
    Indicator("long_prescriptions", "长期处方（期内在用）", "张"),
    Indicator("drug_shortages_open", "缺药登记未解决", "条"),
    Indicator("points_earned", "健康积分：获得", "分"),
    Indicator("points_redeemed", "健康积分：兑换", "分"),
    Indicator("survey_count", "满意度调查", "份"),
    Indicator("survey_satisfied", "满意及非常满意", "份"),
    _rate("satisfaction_rate", "满意率", "survey_satisfied", "survey_count"),
    Indicator("health_push_12", "健康信息推送满12次的签约居民", "人"),
    _rate("health_push_12_rate", "健康信息推送达标率（年内≥12次）", "health_push_12", "signed"),
    Indicator("fee_public_health", "签约服务费：基本公共卫生经费", "元"),
    Indicator("fee_insurance", "签约服务费：医保基金", "元"),
    Indicator("fee_personal", "签约服务费：个人支付", "元"),
    Indicator("fee_total", "签约服务费合计", "元"),
    *_per_population(),  # the detail last: the headline figures come first
)
BY_CODE = {i.code: i for i in INDICATORS}
COUNT_CODES = tuple(i.code for i in INDICATORS if i.numerator is None)
SATISFIED_SCORE = 4  # survey score 1-5: 4 satisfied, 5 very satisfied
PUSHES_PER_YEAR = 12  # health-information pushes a signed resident gets a year (seed 001 item 1)


def rate(numerator: int, denominator: int) -> float | None:
    """Percentage to one decimal; None (shown as "—") when nothing is counted under it."""
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


def with_rates(counts: Mapping[str, int]) -> dict[str, int | float | None]:
    """Every indicator for one row of counts (missing counts are 0)."""
    out: dict[str, int | float | None] = {}
    for ind in INDICATORS:
        if ind.numerator is None:
            out[ind.code] = counts.get(ind.code, 0)
        else:
            out[ind.code] = rate(counts.get(ind.numerator, 0), counts.get(ind.denominator, 0))
    return out


def check_period(start: date, end: date, on: date) -> None:
    from familydoc_desktop.domain.errors import DomainError

    if start > end:
        raise DomainError("report_period", "统计期的开始日期不能晚于结束日期")
    if end > on:
        raise DomainError("report_period", "统计期不能晚于统计日期")


def standard_followups(start: date, end: date) -> int:
    """Follow-ups a patient needs in the period to count as managed to standard: one per full
    quarter it spans (NBPHS-3 asks for at least four a year; January-June asks for two, and a
    quarter still running asks for nothing yet), and at least one. Calendar quarters are
    90-92 days long, hence the two days of slack."""
    return max(1, int(((end - start).days + 1 + 2) / 91.25))


def hypertension_controlled(sbp: int | None, dbp: int | None, age: int | None,
                            ruleset: Mapping | None = None) -> bool:
    if sbp is None or dbp is None:
        return False
    t_sbp, t_dbp = hypertension_target(age, ruleset)
    return sbp < t_sbp and dbp < t_dbp


def diabetes_controlled(glucose: float | None, ruleset: Mapping | None = None) -> bool:
    return glucose is not None and glucose < setting(ruleset, "diabetes_glucose_target")


def bed_days(admitted: date, discharged: date | None, start: date, end: date) -> int:
    """Days of one sickbed episode inside [start, end]; the discharge day is not a bed-day."""
    last = (discharged - timedelta(days=1)) if discharged else end
    first, last = max(admitted, start), min(last, end)
    return max(0, (last - first).days + 1)
