"""Labels for stored codes in the UI language, one table per kind (codes of different kinds
share values: "pending" is a contract and a referral status). The domain holds the Chinese
labels; the English ones live here because only the UI is bilingual (domain errors stay
Chinese)."""
from __future__ import annotations

from enum import StrEnum

from familydoc_desktop.domain import codes as c
from familydoc_desktop.domain import public_health
from familydoc_desktop.domain.services import PUSH_CHANNELS, SERVICE_KIND_ZH

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
                  "severe_mental": "Severe mental disorder follow-up",
                  "checkup": "Health check-up"},
    c.CheckupConclusion: {"normal": "No abnormality", "abnormal": "Abnormal"},
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
PUBLIC_HEALTH_MARK = public_health.PUBLIC_HEALTH_MARK
_SERVICE_KIND_EN = {"long_prescription": "Long prescription", "drug_shortage": "Drug shortage",
                    "health_points": "Health points", "satisfaction_survey": "Satisfaction survey",
                    "health_push": "Health information", "health_checkup": "Health check-up"}
_SERVICE_KIND_ZH = SERVICE_KIND_ZH


def service_kind_label(kind: str) -> str:
    table = _SERVICE_KIND_EN if _language == "en" else _SERVICE_KIND_ZH
    return table.get(kind, kind)


def public_health_mark(kind: str | None, *, age: int | None = None) -> str:
    """The 基本公共卫生服务 mark beside a service (domain/public_health.py decides; the mark
    is the wording the rules require, so it stays Chinese in the English UI too)."""
    return public_health.public_health_mark(kind, age=age)


def due_item_mark(kind: str | None) -> str:
    """The same mark beside a due-list item (a check-up item is always for a 65+ resident)."""
    return public_health.due_item_mark(kind)


_PUSH_CHANNEL_EN = {"wechat": "WeChat", "sms": "SMS", "print": "Printed leaflet",
                    "in_person": "In person"}


_SURVEY_METHOD_EN = {"phone": "Phone", "in_person": "In person"}


def survey_method_label(code: str | None) -> str:
    from familydoc_desktop.domain.services import SURVEY_METHODS
    table = _SURVEY_METHOD_EN if _language == "en" else SURVEY_METHODS
    return table.get(code or "", code or "")


def push_channel_label(code: str | None) -> str:
    table = _PUSH_CHANNEL_EN if _language == "en" else PUSH_CHANNELS
    return table.get(code or "", code or "")


# Relations to the household head are stored as the paper form's Chinese words.
_RELATION_EN = {"户主": "Head", "配偶": "Spouse", "子女": "Child", "父母": "Parent",
                "孙辈": "Grandchild", "兄弟姐妹": "Sibling", "其他": "Other"}


def relation_label(relation: str | None) -> str:
    if not relation:
        return ""
    return _RELATION_EN.get(relation, relation) if _language == "en" else relation


# The self-care scale (domain/selfcare.py) in English.
_SELFCARE_ITEM_EN = {"eating": "Eating", "grooming": "Grooming", "dressing": "Dressing",
                     "toileting": "Toileting", "activity": "Moving about"}
_SELFCARE_SCALE_EN: dict[str, dict[int, str]] = {
    "eating": {0: "Independent", 3: "Needs help, e.g. food cut up or stirred",
               5: "Fully dependent"},
    "grooming": {0: "Independent", 1: "Washes, combs, brushes teeth alone; needs help bathing",
                 3: "With help and in time, does part of the grooming", 7: "Fully dependent"},
    "dressing": {0: "Independent", 3: "Needs help; dresses partly in time", 5: "Fully dependent"},
    "toileting": {0: "No help needed, continent", 1: "Occasionally incontinent, mostly manages",
                  5: "Often incontinent, manages with much prompting and help",
                  10: "Fully incontinent, fully dependent"},
    "activity": {0: "Independent in all activities",
                 1: "Stands, walks, uses stairs with a little help or an aid",
                 5: "Stands and walks only with much help; no stairs",
                 10: "Bedridden, fully dependent"},
}


def selfcare_item_label(item: str) -> str:
    from familydoc_desktop.domain import selfcare
    if _language == "en":
        return _SELFCARE_ITEM_EN.get(item, item)
    return selfcare.ITEMS[item][0]


def selfcare_choice_label(item: str, score: int) -> str:
    """A score with the scale's words: "3分 — 需要协助，如切碎、搅拌食物等"."""
    from familydoc_desktop.domain import selfcare
    if _language == "en":
        words = _SELFCARE_SCALE_EN.get(item, {}).get(score, "")
        return f"{score} — {words}" if words else str(score)
    words = selfcare.SCALE_ZH.get(item, {}).get(score, "")
    return f"{score}分 — {words}" if words else f"{score}分"


# Indicator names (domain/indicators.py) in English; per-population ones are built from the
# population's label.
_INDICATOR_EN = {
    "on_file": "Residents on file", "signed": "Signed residents", "coverage": "Signing rate",
    "key_population": "Key populations", "key_population_share": "Key population share",
    "key_population_signed": "Key populations signed",
    "key_population_coverage": "Key population signing rate",
    "renewal_due": "Contracts ending in the period", "renewed": "Renewed after ending",
    "renewal_rate": "Renewal rate", "ledger_red": "Ledger: red",
    "ledger_yellow": "Ledger: yellow", "ledger_green": "Ledger: green",
    "aged_80_signed": "Signed residents aged 80+",
    "aged_80_visited": "Aged 80+ annual visit done",
    "aged_80_visit_rate": "Aged 80+ annual visit rate",
    "annual_followup_done": "Signed residents followed up in the period",
    "annual_followup_rate": "Yearly follow-up rate of signed residents",
    "aged_65_signed": "Signed residents aged 65+",
    "checkup_65_done": "Aged 65+ with a check-up in the period",
    "checkup_65_rate": "Health check-up rate, aged 65+",
    "hypertension_managed": "Hypertension managed",
    "hypertension_standard": "Hypertension managed to standard",
    "hypertension_standard_rate": "Hypertension standard management rate",
    "hypertension_controlled": "Hypertension controlled",
    "hypertension_control_rate": "Hypertension control rate",
    "diabetes_managed": "Diabetes managed", "diabetes_standard": "Diabetes managed to standard",
    "diabetes_standard_rate": "Diabetes standard management rate",
    "diabetes_controlled": "Diabetes controlled", "diabetes_control_rate": "Diabetes control rate",
    "sickbed_open": "Home sickbeds open", "sickbed_admitted": "Sickbeds admitted in the period",
    "sickbed_discharged": "Sickbeds discharged in the period",
    "sickbed_days": "Sickbed days in the period", "referral_up": "Referrals up",
    "referral_down": "Referrals down", "referral_completed": "Referrals completed",
    "long_prescriptions": "Long prescriptions in use",
    "drug_shortages_open": "Drug shortages open", "points_earned": "Health points earned",
    "points_redeemed": "Health points redeemed", "survey_count": "Satisfaction surveys",
    "survey_satisfied": "Satisfied and very satisfied", "satisfaction_rate": "Satisfaction rate",
    "health_push_12": "Signed residents with 12+ health pushes this year",
    "health_push_12_rate": "Health pushes: 12 a year reached",
    "fee_public_health": "Fees: public-health fund", "fee_insurance": "Fees: insurance fund",
    "fee_personal": "Fees: personal", "fee_total": "Fees: total",
}
_UNIT_EN = {"人": "persons", "次": "times", "天": "days", "%": "%", "元": "yuan", "张": "beds",
            "条": "entries", "份": "surveys", "分": "points"}


def indicator_label(code: str, name_zh: str) -> str:
    """An indicator's name in the UI language (Chinese: the domain's name)."""
    if _language != "en":
        return name_zh
    if code in _INDICATOR_EN:
        return _INDICATOR_EN[code]
    for suffix, words in (("_coverage", " signing rate"), ("_signed", " signed"), ("", "")):
        if code.startswith("pop_") and code.endswith(suffix):
            pop = code[4:len(code) - len(suffix)] if suffix else code[4:]
            if pop in set(c.Population):
                return label(c.Population, pop) + words
    return name_zh


def unit_label(unit: str) -> str:
    return _UNIT_EN.get(unit, unit) if _language == "en" else unit


# Flags of the server's sync report (sync/protocol.py SYNC_FLAGS has the Chinese words).
_SYNC_FLAG_EN = {
    "no_device": "No PC registered", "not_synced": "Not synced for {days} days",
    "device_behind": "A PC not synced for {days} days", "sync_failed": "Last sync failed",
    "clock_offset": "PC clock off by more than 5 minutes", "refused": "Edits refused by the server",
    "digest_mismatch": "Data check mismatch", "old_version": "Old app version",
    "open_conflicts": "Open conflicts",
}


def sync_flag_label(flag: str, days: int = 7) -> str:
    from familydoc_desktop.sync.protocol import SYNC_FLAGS

    table = _SYNC_FLAG_EN if _language == "en" else SYNC_FLAGS
    return table.get(flag, flag).format(days=days)


def sync_flags_label(flags: list[str], days: int = 7) -> str:
    return ("; " if _language == "en" else "、").join(sync_flag_label(f, days) for f in flags)
