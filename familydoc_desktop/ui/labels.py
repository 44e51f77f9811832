"""Labels for stored codes in the UI language. The domain holds the Chinese labels; the
English ones live here because only the UI is bilingual (domain errors stay Chinese)."""
from __future__ import annotations

from familydoc_desktop.domain import codes

_EN: dict[str, str] = {
    "male": "Male", "female": "Female",
    "aged_65": "Aged 65+", "aged_80": "Aged 80+", "pregnant": "Pregnant/postpartum",
    "child_0_6": "Child 0-6", "hypertension": "Hypertension", "diabetes": "Type 2 diabetes",
    "tuberculosis": "Tuberculosis", "severe_mental": "Severe mental disorder", "copd": "COPD",
    "disabled": "Disabled", "poverty": "Poverty-risk", "fp_special": "FP special family",
    "red": "Red", "yellow": "Yellow", "green": "Green",
    "clinic": "Clinic", "home": "Home", "phone": "Phone",
    "satisfactory": "Satisfactory", "unsatisfactory": "Unsatisfactory",
    "adverse_reaction": "Adverse reaction", "complication": "Complication",
    "stable": "Stable", "basically_stable": "Basically stable", "unstable": "Not stable",
    "active": "Active", "expired": "Expired", "terminated": "Terminated", "renewed": "Renewed",
    "pending": "Not started", "none": "Not signed",
    "moved_away": "Moved away", "died": "Died", "own_request": "Own request",
    "no_contact": "No contact for a year", "other": "Other",
    "treatment": "Treatment", "rehabilitation": "Rehabilitation", "palliative": "Palliative",
    "cured": "Cured", "improved": "Improved", "unchanged": "Unchanged",
    "transferred": "Transferred",
    "public_health": "Public-health fund", "insurance": "Insurance fund",
    "personal": "Personal",
    "resident": "Resident", "guardian": "Guardian",
}
_ZH_EXTRA = {"none": "未签约", "resident": "本人", "guardian": "监护人"}
_VISIT_KIND_EN = {"hypertension": "Hypertension follow-up", "diabetes": "Diabetes follow-up",
                  "elderly_80": "80+ annual visit", "general": "Annual follow-up",
                  "severe_mental": "Severe mental disorder follow-up"}
_language = "zh_CN"


def set_language(lang: str) -> None:
    global _language
    _language = lang


def label(code: str | None) -> str:
    if code is None or code == "":
        return ""
    if _language == "en":
        return _EN.get(code, code)
    return codes.LABELS_ZH.get(code) or _ZH_EXTRA.get(code, code)


def visit_kind_label(kind: str) -> str:
    if _language == "en":
        return _VISIT_KIND_EN.get(kind, kind)
    return codes.VISIT_KIND_ZH.get(kind, kind)


# Referral codes: a namespace of their own ("completed" means something else elsewhere).
_REFERRAL_DIRECTION_EN = {"up": "Up", "down": "Down"}
_REFERRAL_STATUS_EN = {"sent": "Sent", "received": "Received", "completed": "Completed",
                       "returned": "Returned"}


def referral_direction_label(code: str | None) -> str:
    from familydoc_desktop.domain import referral
    table = _REFERRAL_DIRECTION_EN if _language == "en" else referral.DIRECTION_ZH
    return table.get(code or "", code or "")


def referral_status_label(code: str | None) -> str:
    from familydoc_desktop.domain import referral
    table = _REFERRAL_STATUS_EN if _language == "en" else referral.STATUS_ZH
    return table.get(code or "", code or "")


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
