"""Hypertension / type-2 diabetes follow-up classification and scheduling (NBPHS-3).

Thresholds and intervals come from a rule-set dict (resources/rulesets/visits_default.json
and the ledger's `interval_days`); DEFAULTS below mirror domain.md and are used for any key
the given dict lacks.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, Mapping

from familydoc_desktop.domain.codes import Colour, VisitClass

DEFAULTS: dict = {
    "hypertension_target": {"sbp": 140, "dbp": 90},  # NBPHS-3: <140/90 satisfactory
    "hypertension_elderly_target": {"age": 65, "sbp": 150, "dbp": 90},  # NBPHS-3: 65+ <150/90
    "diabetes_glucose_target": 7.0,  # NBPHS-3: fasting glucose <7.0 mmol/L
    "urgent": {"sbp": 180, "dbp": 110, "glucose_high": 16.7, "glucose_low": 3.9},  # NBPHS-3
    "revisit_days": 14,  # NBPHS-3: revisit within 2 weeks
    # NBPHS-3 also asks for a 2-week follow-up after an adverse reaction or complication.
    "revisit_classes": ["unsatisfactory", "adverse_reaction", "complication"],
    "chronic_interval_days": 90,  # NBPHS-3: at least quarterly
    "interval_days": {"red": 14, "yellow": 30, "green": 90},  # domain.md ledger default
}


def setting(ruleset: Mapping | None, key: str):
    """Value of `key` from the rule set, falling back to DEFAULTS."""
    if ruleset and key in ruleset:
        return ruleset[key]
    return DEFAULTS[key]


def _classify(unsatisfactory: bool, adverse_reaction: bool, new_complication: bool) -> VisitClass:
    # NBPHS-3 order: complication > adverse reaction > unsatisfactory > satisfactory
    if new_complication:
        return VisitClass.COMPLICATION
    if adverse_reaction:
        return VisitClass.ADVERSE_REACTION
    return VisitClass.UNSATISFACTORY if unsatisfactory else VisitClass.SATISFACTORY


def hypertension_target(age: int | None = None, ruleset: Mapping | None = None) -> tuple[int, int]:
    """(sbp, dbp) from which control is unsatisfactory; the 65+ target applies when age known."""
    elderly = setting(ruleset, "hypertension_elderly_target")
    target = elderly if age is not None and age >= elderly["age"] else setting(
        ruleset, "hypertension_target")
    return target["sbp"], target["dbp"]


def suggest_hypertension_class(sbp: int, dbp: int, *, adverse_reaction: bool = False,
                               new_complication: bool = False, age: int | None = None,
                               ruleset: Mapping | None = None) -> VisitClass:
    t_sbp, t_dbp = hypertension_target(age, ruleset)
    return _classify(sbp >= t_sbp or dbp >= t_dbp, adverse_reaction, new_complication)


def suggest_diabetes_class(fasting_glucose: float, *, adverse_reaction: bool = False,
                           new_complication: bool = False,
                           ruleset: Mapping | None = None) -> VisitClass:
    target = setting(ruleset, "diabetes_glucose_target")
    return _classify(fasting_glucose >= target, adverse_reaction, new_complication)


def urgent_referral_reasons(*, sbp=None, dbp=None, fasting_glucose=None,
                            ruleset: Mapping | None = None) -> list[str]:
    """Chinese reasons for an urgent referral prompt (NBPHS-3 紧急转诊); empty if none."""
    u = setting(ruleset, "urgent")
    reasons = []
    if sbp is not None and sbp >= u["sbp"]:
        reasons.append(f"收缩压≥{u['sbp']} mmHg")
    if dbp is not None and dbp >= u["dbp"]:
        reasons.append(f"舒张压≥{u['dbp']} mmHg")
    if fasting_glucose is not None and fasting_glucose >= u["glucose_high"]:
        reasons.append(f"空腹血糖≥{u['glucose_high']} mmol/L")
    if fasting_glucose is not None and fasting_glucose <= u["glucose_low"]:
        reasons.append(f"血糖≤{u['glucose_low']} mmol/L")
    return reasons


def needs_referral_after(classes: Iterable[VisitClass]) -> bool:
    """Two consecutive unsatisfactory follow-ups (most recent last) -> referral prompt."""
    last_two = list(classes)[-2:]
    return len(last_two) == 2 and all(c == VisitClass.UNSATISFACTORY for c in last_two)


def is_revisit_class(visit_class: VisitClass | None, ruleset: Mapping | None = None) -> bool:
    return visit_class is not None and str(visit_class) in setting(ruleset, "revisit_classes")


def next_due(visit_date: date, visit_class: VisitClass | None, colour: Colour | None,
             ruleset: Mapping | None = None) -> date:
    """Next follow-up date: 2-week revisit after an unsatisfactory (etc.) visit, otherwise
    the colour's interval (red 14 / yellow 30 / green 90 days), quarterly if no colour."""
    if colour is None:
        days = setting(ruleset, "chronic_interval_days")
    else:
        days = setting(ruleset, "interval_days")[str(colour)]
    if is_revisit_class(visit_class, ruleset):
        days = min(days, setting(ruleset, "revisit_days"))
    return visit_date + timedelta(days=days)
