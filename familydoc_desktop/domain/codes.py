"""Code lists shared by every layer: stored as short ASCII strings, shown through labels.

Values are stable identifiers (they travel over sync and live in databases); the Chinese
labels are what users see. Adding a value is safe; renaming one needs a migration.
"""
from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class OrgLevel(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    CLINIC = "clinic"


class Role(StrEnum):
    VILLAGE_DOCTOR = "village_doctor"
    TOWNSHIP_STAFF = "township_staff"
    COUNTY_ADMIN = "county_admin"
    IT_ADMIN = "it_admin"


class TeamRole(StrEnum):
    LEADER = "leader"
    GP = "gp"
    CLINICIAN = "clinician"
    VILLAGE_DOCTOR = "village_doctor"
    NURSE = "nurse"
    PUBLIC_HEALTH = "public_health"
    PHARMACIST = "pharmacist"
    TCM = "tcm"
    REHABILITATION = "rehabilitation"
    SOCIAL_WORKER = "social_worker"
    OTHER = "other"


class Population(StrEnum):
    """Key populations (重点人群), seed 001 item 23, seed 002 §4.7, seed 003 §5.1."""

    AGED_65 = "aged_65"
    AGED_80 = "aged_80"
    PREGNANT = "pregnant"  # pregnant and postpartum
    CHILD_0_6 = "child_0_6"
    HYPERTENSION = "hypertension"
    DIABETES = "diabetes"  # type 2
    TUBERCULOSIS = "tuberculosis"
    SEVERE_MENTAL = "severe_mental"
    COPD = "copd"
    DISABLED = "disabled"
    POVERTY = "poverty"  # 防止返贫致贫监测对象 and other poor / low-income
    FP_SPECIAL = "fp_special"  # 计划生育特殊家庭


# Conditions recorded as diagnoses; each maps to the key population it puts a person in.
class Condition(StrEnum):
    HYPERTENSION = "hypertension"
    DIABETES = "diabetes"
    TUBERCULOSIS = "tuberculosis"
    SEVERE_MENTAL = "severe_mental"
    COPD = "copd"
    PREGNANCY = "pregnancy"
    OTHER = "other"


# Groups that are recorded as memberships (not derivable from birth date or diagnoses).
class Membership(StrEnum):
    DISABLED = "disabled"
    POVERTY = "poverty"
    FP_SPECIAL = "fp_special"


class Colour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class VisitKind(StrEnum):
    HYPERTENSION = "hypertension"
    DIABETES = "diabetes"
    ELDERLY_80 = "elderly_80"  # yearly face-to-face/home visit, seed 001 item 22
    GENERAL = "general"  # the yearly follow-up every signed resident gets, seed 002 §4.1
    SEVERE_MENTAL = "severe_mental"  # 严重精神障碍患者随访, NBPHS-3: at least 4 a year


class VisitMethod(StrEnum):
    CLINIC = "clinic"
    HOME = "home"
    PHONE = "phone"


class VisitClass(StrEnum):
    """此次随访分类, NBPHS-3."""

    SATISFACTORY = "satisfactory"
    UNSATISFACTORY = "unsatisfactory"
    ADVERSE_REACTION = "adverse_reaction"
    COMPLICATION = "complication"


class MentalClass(StrEnum):
    """严重精神障碍患者随访的本次随访分类 (病情稳定程度), NBPHS-3. Stored in visit_class."""

    STABLE = "stable"
    BASICALLY_STABLE = "basically_stable"
    UNSTABLE = "unstable"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    RENEWED = "renewed"
    PENDING = "pending"  # signed, start date not reached (e.g. an early renewal)


class TerminationReason(StrEnum):
    MOVED_AWAY = "moved_away"
    DIED = "died"
    OWN_REQUEST = "own_request"
    NO_CONTACT = "no_contact"
    OTHER = "other"


class ConsentBy(StrEnum):
    RESIDENT = "resident"
    GUARDIAN = "guardian"


class PackageKind(StrEnum):
    BASIC = "basic"
    PERSONALISED = "personalised"


class FundingSource(StrEnum):
    PUBLIC_HEALTH = "public_health"  # 基本公共卫生服务经费
    INSURANCE = "insurance"  # 医保基金
    PERSONAL = "personal"  # 个人自付


class SickbedType(StrEnum):
    TREATMENT = "treatment"
    REHABILITATION = "rehabilitation"
    PALLIATIVE = "palliative"  # 安宁疗护


class SickbedOutcome(StrEnum):
    CURED = "cured"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    DIED = "died"
    TRANSFERRED = "transferred"


class ReferralDirection(StrEnum):
    UP = "up"
    DOWN = "down"


class ReferralStatus(StrEnum):
    """sent -> received -> completed, or returned (domain/referral.py)."""
    SENT = "sent"
    RECEIVED = "received"
    COMPLETED = "completed"
    RETURNED = "returned"


LABELS_ZH: dict[str, str] = {
    Sex.MALE: "男", Sex.FEMALE: "女",
    Population.AGED_65: "65岁及以上老年人", Population.AGED_80: "80岁及以上老年人",
    Population.PREGNANT: "孕产妇", Population.CHILD_0_6: "0-6岁儿童",
    Population.HYPERTENSION: "高血压患者", Population.DIABETES: "2型糖尿病患者",
    Population.TUBERCULOSIS: "肺结核患者", Population.SEVERE_MENTAL: "严重精神障碍患者",
    Population.COPD: "慢阻肺患者", Population.DISABLED: "残疾人",
    Population.POVERTY: "防返贫监测及低收入人口", Population.FP_SPECIAL: "计划生育特殊家庭",
    Colour.RED: "红色", Colour.YELLOW: "黄色", Colour.GREEN: "绿色",
    VisitMethod.CLINIC: "门诊", VisitMethod.HOME: "家庭", VisitMethod.PHONE: "电话",
    VisitClass.SATISFACTORY: "控制满意", VisitClass.UNSATISFACTORY: "控制不满意",
    VisitClass.ADVERSE_REACTION: "不良反应", VisitClass.COMPLICATION: "并发症",
    MentalClass.STABLE: "病情稳定", MentalClass.BASICALLY_STABLE: "病情基本稳定",
    MentalClass.UNSTABLE: "病情不稳定",
    ContractStatus.ACTIVE: "履约中", ContractStatus.EXPIRED: "已到期",
    ContractStatus.TERMINATED: "已解约", ContractStatus.RENEWED: "已续签",
    ContractStatus.PENDING: "未生效",
    TerminationReason.MOVED_AWAY: "迁出", TerminationReason.DIED: "死亡",
    TerminationReason.OWN_REQUEST: "本人申请", TerminationReason.NO_CONTACT: "失访一年",
    TerminationReason.OTHER: "其他",
    SickbedType.TREATMENT: "治疗型", SickbedType.REHABILITATION: "康复型",
    SickbedType.PALLIATIVE: "安宁疗护型",
    SickbedOutcome.CURED: "治愈", SickbedOutcome.IMPROVED: "好转",
    SickbedOutcome.UNCHANGED: "未愈", SickbedOutcome.DIED: "死亡",
    SickbedOutcome.TRANSFERRED: "转院",
    FundingSource.PUBLIC_HEALTH: "基本公共卫生经费", FundingSource.INSURANCE: "医保基金",
    FundingSource.PERSONAL: "个人支付",
}

# VisitKind and Condition share values with Population ("hypertension"); their labels differ.
VISIT_KIND_ZH = {
    VisitKind.HYPERTENSION: "高血压随访", VisitKind.DIABETES: "糖尿病随访",
    VisitKind.ELDERLY_80: "80岁以上老人年度访视", VisitKind.GENERAL: "年度随访",
    VisitKind.SEVERE_MENTAL: "严重精神障碍随访",
}


def label(code: str) -> str:
    """Chinese label for a code, the code itself when none is known."""
    return LABELS_ZH.get(code, code)
