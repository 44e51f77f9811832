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
    # 健康体检: at signing (seed 003 §2(一)3) and yearly for the 65+ (seed 000). Not a
    # follow-up: it does not count as the yearly, the 80+ or a referral follow-up.
    CHECKUP = "checkup"


# Kinds that are follow-ups (随访): every kind but the check-up.
FOLLOWUP_KINDS: frozenset[str] = frozenset(k for k in VisitKind if k != VisitKind.CHECKUP)


class CheckupConclusion(StrEnum):
    """健康评价 of a check-up (NBPHS-3 健康体检表): no abnormality / abnormal (listed)."""

    NORMAL = "normal"
    ABNORMAL = "abnormal"


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


# One label table per kind: codes of different kinds share values ("pending" is both a
# contract and a referral status, "hypertension" a population, a condition and a visit kind),
# so a label is always looked up with its kind.
LABELS_ZH: dict[type[StrEnum], dict[str, str]] = {
    Sex: {Sex.MALE: "男", Sex.FEMALE: "女"},
    OrgLevel: {OrgLevel.COUNTY: "县（区）", OrgLevel.TOWNSHIP: "乡镇（街道）",
               OrgLevel.CLINIC: "村卫生室"},
    Population: {
        Population.AGED_65: "65岁及以上老年人", Population.AGED_80: "80岁及以上老年人",
        Population.PREGNANT: "孕产妇", Population.CHILD_0_6: "0-6岁儿童",
        Population.HYPERTENSION: "高血压患者", Population.DIABETES: "2型糖尿病患者",
        Population.TUBERCULOSIS: "肺结核患者", Population.SEVERE_MENTAL: "严重精神障碍患者",
        Population.COPD: "慢阻肺患者", Population.DISABLED: "残疾人",
        Population.POVERTY: "防返贫监测及低收入人口", Population.FP_SPECIAL: "计划生育特殊家庭"},
    Condition: {
        Condition.HYPERTENSION: "高血压", Condition.DIABETES: "2型糖尿病",
        Condition.TUBERCULOSIS: "肺结核", Condition.SEVERE_MENTAL: "严重精神障碍",
        Condition.COPD: "慢阻肺", Condition.PREGNANCY: "妊娠", Condition.OTHER: "其他"},
    Membership: {Membership.DISABLED: "残疾人", Membership.POVERTY: "防返贫监测及低收入人口",
                 Membership.FP_SPECIAL: "计划生育特殊家庭"},
    Colour: {Colour.RED: "红色", Colour.YELLOW: "黄色", Colour.GREEN: "绿色"},
    VisitMethod: {VisitMethod.CLINIC: "门诊", VisitMethod.HOME: "家庭",
                  VisitMethod.PHONE: "电话"},
    VisitClass: {VisitClass.SATISFACTORY: "控制满意", VisitClass.UNSATISFACTORY: "控制不满意",
                 VisitClass.ADVERSE_REACTION: "不良反应", VisitClass.COMPLICATION: "并发症"},
    MentalClass: {MentalClass.STABLE: "病情稳定", MentalClass.BASICALLY_STABLE: "病情基本稳定",
                  MentalClass.UNSTABLE: "病情不稳定"},
    ContractStatus: {ContractStatus.ACTIVE: "履约中", ContractStatus.EXPIRED: "已到期",
                     ContractStatus.TERMINATED: "已解约", ContractStatus.RENEWED: "已续签",
                     ContractStatus.PENDING: "未生效"},
    TerminationReason: {
        TerminationReason.MOVED_AWAY: "迁出", TerminationReason.DIED: "死亡",
        TerminationReason.OWN_REQUEST: "本人申请", TerminationReason.NO_CONTACT: "失访一年",
        TerminationReason.OTHER: "其他"},
    ConsentBy: {ConsentBy.RESIDENT: "本人", ConsentBy.GUARDIAN: "监护人"},
    PackageKind: {PackageKind.BASIC: "基础服务包", PackageKind.PERSONALISED: "个性化服务包"},
    FundingSource: {FundingSource.PUBLIC_HEALTH: "基本公共卫生经费",
                    FundingSource.INSURANCE: "医保基金", FundingSource.PERSONAL: "个人支付"},
    SickbedType: {SickbedType.TREATMENT: "治疗型", SickbedType.REHABILITATION: "康复型",
                  SickbedType.PALLIATIVE: "安宁疗护型"},
    SickbedOutcome: {SickbedOutcome.CURED: "治愈", SickbedOutcome.IMPROVED: "好转",
                     SickbedOutcome.UNCHANGED: "未愈", SickbedOutcome.DIED: "死亡",
                     SickbedOutcome.TRANSFERRED: "转院"},
    ReferralDirection: {ReferralDirection.UP: "上转", ReferralDirection.DOWN: "下转"},
    ReferralStatus: {ReferralStatus.SENT: "已转出", ReferralStatus.RECEIVED: "已接收",
                     ReferralStatus.COMPLETED: "已完成", ReferralStatus.RETURNED: "已退回"},
    VisitKind: {
        VisitKind.HYPERTENSION: "高血压随访", VisitKind.DIABETES: "糖尿病随访",
        VisitKind.ELDERLY_80: "80岁以上老人年度访视", VisitKind.GENERAL: "年度随访",
        VisitKind.SEVERE_MENTAL: "严重精神障碍随访", VisitKind.CHECKUP: "健康体检"},
    CheckupConclusion: {CheckupConclusion.NORMAL: "体检无异常",
                        CheckupConclusion.ABNORMAL: "有异常"},
}

VISIT_KIND_ZH = LABELS_ZH[VisitKind]


def label(kind: type[StrEnum], code: str | None) -> str:
    """Chinese label for a code of the given kind; "" for no code, the code itself when the
    kind has no label for it."""
    if code is None or code == "":
        return ""
    return LABELS_ZH[kind].get(code, code)


def visit_class_label(code: str | None) -> str:
    """A visit's class: a VisitClass, or a MentalClass for a severe mental disorder visit
    (both are stored in visit_class; their values do not overlap)."""
    if code in set(MentalClass):
        return label(MentalClass, code)
    return label(VisitClass, code)
