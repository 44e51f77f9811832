"""Labels for stored codes in the UI language, one table per kind (codes of different kinds
share values: "pending" is a contract and a referral status). The domain holds the Chinese
labels; the English ones live here because only the UI is bilingual (domain errors stay
Chinese)."""
from __future__ import annotations

from enum import StrEnum

from familydoc_desktop.domain import codes as c

_EN: dict[type[StrEnum], dict[str, str]] = {
    c.Sex: {"male": "Male", "female": "Female"},
    c.OrgLevel: {"county": "County", "township": "Township", "clinic": "Village clinic"},
    c.Population: {
        "aged_65": "Aged 65+", "aged_80": "Aged 80+", "pregnant": "Pregnant/postpartum",
        "child_0_6": "Child 0-6", "hypertension": "Hypertension patient",
        "diabetes": "Type 2 diabetes patient", "tuberculosis": "Tuberculosis patient",
        "severe_mental": "Severe mental disorder", "copd": "COPD patient",
        "disabled": "Disabled", "poverty": "Poverty-risk", "fp_special": "FP special family"},
    c.Condition: {
        "hypertension": "Hypertension", "diabetes": "Type 2 diabetes",
        "tuberculosis": "Tuberculosis", "severe_mental": "Severe mental disorder",
        "copd": "COPD", "pregnancy": "Pregnancy", "other": "Other"},
    c.Membership: {"disabled": "Disabled", "poverty": "Poverty-risk",
                   "fp_special": "FP special family"},
    c.Colour: {"red": "Red", "yellow": "Yellow", "green": "Green"},
    c.VisitMethod: {"clinic": "Clinic", "home": "Home", "phone": "Phone"},
    c.VisitClass: {"satisfactory": "Satisfactory", "unsatisfactory": "Unsatisfactory",
                   "adverse_reaction": "Adverse reaction", "complication": "Complication"},
    c.MentalClass: {"stable": "Stable", "basically_stable": "Basically stable",
                    "unstable": "Not stable"},
    c.ContractStatus: {"active": "Active", "expired": "Expired", "terminated": "Terminated",
                       "renewed": "Renewed", "pending": "Not started"},
    c.TerminationReason: {"moved_away": "Moved away", "died": "Died",
                          "own_request": "Own request", "no_contact": "No contact for a year",
                          "other": "Other"},
    c.ConsentBy: {"resident": "Resident", "guardian": "Guardian"},
    c.PackageKind: {"basic": "Basic package", "personalised": "Personalised package"},
    c.FundingSource: {"public_health": "Public-health fund", "insurance": "Insurance fund",
                      "personal": "Personal"},
    c.SickbedType: {"treatment": "Treatment", "rehabilitation": "Rehabilitation",
                    "palliative": "Palliative"},
    c.SickbedOutcome: {"cured": "Cured", "improved": "Improved", "unchanged": "Unchanged",
                       "died": "Died", "transferred": "Transferred"},
    c.ReferralDirection: {"up": "Up", "down": "Down"},
    c.ReferralStatus: {"sent": "Sent", "received": "Received", "completed": "Completed",
                       "returned": "Returned"},
    c.VisitKind: {"hypertension": "Hypertension follow-up", "diabetes": "Diabetes follow-up",
                  "elderly_80": "80+ annual visit", "general": "Annual follow-up",
                  "severe_mental": "Severe mental disorder follow-up"},
}
_UNSIGNED = {"zh_CN": "未签约", "en": "Not signed"}
_language = "zh_CN"


def set_language(lang: str) -> None:
    global _language
    _language = lang


def language() -> str:
    return _language


def label(kind: type[StrEnum], code: str | None) -> str:
    """The label of a code of the given kind in the UI language ("" for no code)."""
    if code is None or code == "":
        return ""
    if _language == "en":
        return _EN[kind].get(code, code)
    return c.label(kind, code)


def visit_class_label(code: str | None) -> str:
    """A visit's class (VisitClass, or MentalClass for a severe mental disorder visit)."""
    return label(c.MentalClass if code in set(c.MentalClass) else c.VisitClass, code)


def visit_kind_label(kind: str) -> str:
    return label(c.VisitKind, kind)


def unsigned_label() -> str:
    """The contract column of a resident who has never signed."""
    return _UNSIGNED.get(_language, _UNSIGNED["zh_CN"])


def referral_direction_label(code: str | None) -> str:
    return label(c.ReferralDirection, code)


def referral_status_label(code: str | None) -> str:
    return label(c.ReferralStatus, code)


# Kinds of other services in a resident's history, and the mark every basic public health
# service carries where it is shown or printed (seed 001 item 5).
PUBLIC_HEALTH_MARK = "基本公共卫生服务"
_SERVICE_KIND_EN = {"long_prescription": "Long prescription", "drug_shortage": "Drug shortage",
                    "health_points": "Health points", "satisfaction_survey": "Satisfaction survey",
                    "health_push": "Health information", "health_checkup": "Health check-up"}
_SERVICE_KIND_ZH = {"long_prescription": "长期处方", "drug_shortage": "缺药登记",
                    "health_points": "健康积分", "satisfaction_survey": "满意度调查",
                    "health_push": "健康信息推送", "health_checkup": "健康体检"}


def service_kind_label(kind: str) -> str:
    table = _SERVICE_KIND_EN if _language == "en" else _SERVICE_KIND_ZH
    return table.get(kind, kind)
