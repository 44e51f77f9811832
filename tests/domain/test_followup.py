from datetime import date

import pytest

from familydoc_desktop.domain.codes import Colour, VisitClass as VC
from familydoc_desktop.domain.followup import (
    DEFAULTS, needs_referral_after, next_due, suggest_diabetes_class,
    suggest_hypertension_class, urgent_referral_reasons)
from familydoc_desktop.rulesets import load_ruleset

S, U, A, C = VC.SATISFACTORY, VC.UNSATISFACTORY, VC.ADVERSE_REACTION, VC.COMPLICATION


@pytest.mark.parametrize("sbp, dbp, kwargs, expected", [
    (139, 89, {}, S), (140, 80, {}, U), (130, 90, {}, U), (139, 89, {"age": 64}, S),
    (145, 85, {"age": 64}, U), (145, 85, {"age": 65}, S), (149, 89, {"age": 80}, S),
    (150, 85, {"age": 65}, U), (140, 90, {"age": 65}, U),  # DBP target stays 90
    (120, 70, {"adverse_reaction": True}, A),
    (160, 95, {"adverse_reaction": True}, A),
    (160, 95, {"adverse_reaction": True, "new_complication": True}, C),
    (120, 70, {"new_complication": True}, C),
    (135, 85, {"ruleset": {"hypertension_target": {"sbp": 130, "dbp": 80}}}, U),
])
def test_hypertension_class(sbp, dbp, kwargs, expected):
    assert suggest_hypertension_class(sbp, dbp, **kwargs) == expected


@pytest.mark.parametrize("glucose, kwargs, expected", [
    (6.9, {}, S), (7.0, {}, U), (12.0, {}, U),
    (6.0, {"adverse_reaction": True}, A),
    (9.0, {"adverse_reaction": True, "new_complication": True}, C),
    (6.9, {"ruleset": {"diabetes_glucose_target": 6.5}}, U),
])
def test_diabetes_class(glucose, kwargs, expected):
    assert suggest_diabetes_class(glucose, **kwargs) == expected


@pytest.mark.parametrize("kwargs, reasons", [
    ({}, []),
    ({"sbp": 179, "dbp": 109}, []),
    ({"sbp": 180, "dbp": 100}, ["收缩压≥180 mmHg"]),
    ({"sbp": 170, "dbp": 110}, ["舒张压≥110 mmHg"]),
    ({"sbp": 200, "dbp": 120}, ["收缩压≥180 mmHg", "舒张压≥110 mmHg"]),
    ({"fasting_glucose": 16.6}, []),
    ({"fasting_glucose": 16.7}, ["空腹血糖≥16.7 mmol/L"]),
    ({"fasting_glucose": 4.0}, []),
    ({"fasting_glucose": 3.9}, ["血糖≤3.9 mmol/L"]),
])
def test_urgent_referral(kwargs, reasons):
    assert urgent_referral_reasons(**kwargs) == reasons


@pytest.mark.parametrize("classes, expected", [
    ([], False), ([U], False), ([S, U], False), ([U, S], False), ([U, U], True),
    ([S, U, U], True), ([U, U, S], False), ([U, A], False), ([A, A], False),
])
def test_needs_referral_after(classes, expected):
    assert needs_referral_after(classes) is expected


D = date(2026, 1, 10)


@pytest.mark.parametrize("cls, colour, expected", [
    (S, None, date(2026, 4, 10)),  # quarterly: +90 days
    (S, Colour.GREEN, date(2026, 4, 10)),
    (S, Colour.YELLOW, date(2026, 2, 9)),  # +30
    (S, Colour.RED, date(2026, 1, 24)),  # +14
    (U, None, date(2026, 1, 24)),  # revisit in 2 weeks
    (U, Colour.GREEN, date(2026, 1, 24)),
    (A, Colour.YELLOW, date(2026, 1, 24)),  # NBPHS-3: 2-week follow-up after adverse reaction
    (C, None, date(2026, 1, 24)),
    (None, None, date(2026, 4, 10)),
])
def test_next_due(cls, colour, expected):
    assert next_due(D, cls, colour, None) == expected
    assert next_due(D, cls, colour, load_ruleset("visits_default")) == expected


def test_next_due_uses_ruleset_intervals():
    rs = {"interval_days": {"red": 7, "yellow": 21, "green": 60}, "chronic_interval_days": 91}
    assert next_due(D, S, Colour.YELLOW, rs) == date(2026, 1, 31)
    assert next_due(D, U, Colour.RED, rs) == date(2026, 1, 17)  # colour shorter than revisit
    assert next_due(D, S, None, rs) == date(2026, 4, 11)


def test_json_defaults_match_code_defaults():
    visits = load_ruleset("visits_default")
    ledger = load_ruleset("ledger_default")
    for key, value in DEFAULTS.items():
        assert (ledger if key == "interval_days" else visits)[key] == value
