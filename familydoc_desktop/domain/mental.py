"""Severe mental disorder follow-up (严重精神障碍患者随访), NBPHS-3: the stability class
suggested from the risk assessment and the four aspects the form records, what to do about
it, and when to come back.

NBPHS-3 wording, condensed:
- 不稳定: risk level 3-5, or obvious psychiatric symptoms, or no insight, or a severe adverse
  drug reaction, or a severe physical illness -> treat, refer at once, follow up within 2 weeks;
- 基本稳定: risk level 1-2, or at least one of symptoms, insight, social function poor ->
  adjust treatment, follow up in 2 weeks;
- 稳定: risk level 0 and none of the above -> keep the treatment plan, follow up in 3 months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from familydoc_desktop.domain.codes import MentalClass
from familydoc_desktop.domain.errors import DomainError

RISK_LEVELS = range(0, 6)  # 危险性评估 0-5 级
ASPECT_LEVELS = ("good", "fair", "poor")  # 良好 / 一般 / 较差
INSIGHT_LEVELS = ("full", "partial", "none")  # 自知力完全 / 不全 / 缺失
SYMPTOM_LEVELS = ("none", "some", "obvious")  # 精神症状 无 / 有 / 明显
FOLLOWUP_DAYS = {MentalClass.UNSTABLE: 14, MentalClass.BASICALLY_STABLE: 14,
                 MentalClass.STABLE: 90}


@dataclass(frozen=True)
class MentalAssessment:
    risk_level: int = 0
    symptoms: str = "none"
    insight: str = "full"
    social_function: str = "good"
    severe_adverse_reaction: bool = False
    severe_physical_illness: bool = False

    def __post_init__(self) -> None:
        if self.risk_level not in RISK_LEVELS:
            raise DomainError("mental_risk", f"危险性评估应为0-5级，收到：{self.risk_level}")
        for value, allowed, what in ((self.symptoms, SYMPTOM_LEVELS, "精神症状"),
                                     (self.insight, INSIGHT_LEVELS, "自知力"),
                                     (self.social_function, ASPECT_LEVELS, "社会功能")):
            if value not in allowed:
                raise DomainError("mental_aspect", f"{what}的取值无效：{value}")


def suggest_mental_class(a: MentalAssessment) -> MentalClass:
    if (a.risk_level >= 3 or a.symptoms == "obvious" or a.insight == "none"
            or a.severe_adverse_reaction or a.severe_physical_illness):
        return MentalClass.UNSTABLE
    if (a.risk_level >= 1 or a.symptoms == "some" or a.insight == "partial"
            or a.social_function == "poor"):
        return MentalClass.BASICALLY_STABLE
    return MentalClass.STABLE


def urgent_reasons(a: MentalAssessment) -> list[str]:
    """Chinese reasons to refer at once (NBPHS-3: 病情不稳定者对症处理后立即转诊)."""
    reasons = []
    if a.risk_level >= 3:
        reasons.append(f"危险性评估{a.risk_level}级")
    if a.symptoms == "obvious":
        reasons.append("精神症状明显")
    if a.insight == "none":
        reasons.append("自知力缺失")
    if a.severe_adverse_reaction:
        reasons.append("严重药物不良反应")
    if a.severe_physical_illness:
        reasons.append("严重躯体疾病")
    return reasons


def next_mental_due(visit_date: date, visit_class: MentalClass) -> date:
    return visit_date + timedelta(days=FOLLOWUP_DAYS[MentalClass(visit_class)])
