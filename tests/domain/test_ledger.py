import copy

import pytest

from familydoc_desktop.domain.codes import Colour, Population as P, VisitClass as VC
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.ledger import (
    LedgerFacts, Reason, evaluate, interval_for, validate_ruleset)
from familydoc_desktop.rulesets import load_ruleset

RS = load_ruleset("ledger_default")
U, S = VC.UNSATISFACTORY, VC.SATISFACTORY
HT = frozenset({P.HYPERTENSION})
DM = frozenset({P.DIABETES})


def facts(**kw):
    return LedgerFacts(**kw)


@pytest.mark.parametrize("f, colour, codes", [
    (facts(populations=HT, last_bp=(130, 80)), Colour.GREEN, ["none"]),
    (facts(populations=HT, last_bp=(139, 89)), Colour.GREEN, ["none"]),
    (facts(populations=HT, last_bp=(140, 80)), Colour.YELLOW, ["bp_high"]),
    (facts(populations=HT, last_bp=(130, 90)), Colour.YELLOW, ["bp_high"]),
    (facts(populations=HT, last_bp=(179, 109)), Colour.YELLOW, ["bp_high"]),
    (facts(populations=HT, last_bp=(180, 100)), Colour.RED, ["bp_severe"]),
    (facts(populations=HT, last_bp=(170, 110)), Colour.RED, ["bp_severe"]),
    (facts(populations=DM, last_glucose=6.9), Colour.GREEN, ["none"]),
    (facts(populations=DM, last_glucose=7.0), Colour.YELLOW, ["glucose_high"]),
    (facts(populations=DM, last_glucose=16.6), Colour.YELLOW, ["glucose_high"]),
    (facts(populations=DM, last_glucose=16.7), Colour.RED, ["glucose_extreme"]),
    (facts(populations=DM, last_glucose=4.0), Colour.GREEN, ["none"]),
    (facts(populations=DM, last_glucose=3.9), Colour.RED, ["glucose_extreme"]),
    (facts(recent_classes=(S,)), Colour.GREEN, ["none"]),
    (facts(recent_classes=(U,)), Colour.YELLOW, ["last_unsatisfactory"]),
    (facts(recent_classes=(U, S)), Colour.GREEN, ["none"]),
    (facts(recent_classes=(U, U)), Colour.RED, ["two_unsatisfactory"]),
    (facts(recent_classes=(U, U, S)), Colour.GREEN, ["none"]),
    (facts(recent_classes=(S, U, U)), Colour.RED, ["two_unsatisfactory"]),
    (facts(new_complication=True), Colour.RED, ["new_complication"]),
    (facts(adverse_reaction=True), Colour.YELLOW, ["adverse_reaction"]),
    (facts(selfcare_total=8), Colour.GREEN, ["none"]),
    (facts(selfcare_total=9), Colour.YELLOW, ["selfcare_moderate"]),
    (facts(selfcare_total=18), Colour.YELLOW, ["selfcare_moderate"]),
    (facts(selfcare_total=19), Colour.RED, ["selfcare_dependent"]),
    (facts(severe_mental_unstable=True), Colour.RED, ["mental_unstable"]),
    (facts(open_sickbed=True), Colour.RED, ["open_sickbed"]),
    (facts(followup_overdue=True), Colour.YELLOW, ["followup_overdue"]),
    (facts(populations=frozenset({P.AGED_65})), Colour.GREEN, ["none"]),
    (facts(populations=frozenset({P.AGED_65, P.AGED_80})), Colour.YELLOW, ["aged_80"]),
    # several red reasons are all listed, in rule-set order
    (facts(populations=HT, last_bp=(190, 115), recent_classes=(U, U), open_sickbed=True),
     Colour.RED, ["bp_severe", "two_unsatisfactory", "open_sickbed"]),
    (facts(populations=frozenset({P.AGED_80}), followup_overdue=True, adverse_reaction=True),
     Colour.YELLOW, ["adverse_reaction", "aged_80", "followup_overdue"]),
])
def test_default_rules(f, colour, codes):
    result = evaluate(f, RS)
    assert result.colour == colour
    assert [r.code for r in result.reasons] == codes
    assert result.ruleset_version == "default-2026.1"


def test_texts_are_chinese_and_green_reason():
    assert evaluate(facts(), RS).reasons == (Reason("none", "无异常指标"),)
    red = evaluate(facts(last_bp=(185, 100)), RS)
    assert red.reasons == (Reason("bp_severe", "血压≥180/110 mmHg"),)


def test_lower_colour_reasons_kept_separately():
    result = evaluate(facts(last_bp=(185, 95), recent_classes=(U,)), RS)
    assert result.colour == Colour.RED
    assert [r.code for r in result.other_reasons] == ["last_unsatisfactory", "bp_high"]


def test_default_texts_when_rules_have_no_code_or_text():
    rs = {"version": "t1", "red": [{"when": "flag", "flag": "new_complication"},
                                   {"when": "bp_at_least", "sbp": 180, "dbp": 110}],
          "yellow": [{"when": "population", "population": "aged_80"}]}
    result = evaluate(facts(new_complication=True, last_bp=(200, 100)), rs)
    assert result.reasons == (Reason("flag:new_complication", "新发并发症或原有并发症加重"),
                              Reason("bp_at_least", "血压≥180/110 mmHg"))
    assert evaluate(facts(populations=frozenset({P.AGED_80})), rs).reasons[0].text == \
        "80岁及以上老年人"


def test_only_for_restricts_a_rule_to_a_population():
    rs = {"version": "t2", "red": [{"code": "bp", "when": "bp_at_least", "sbp": 180,
                                    "dbp": 110, "only_for": "hypertension"}], "yellow": []}
    assert evaluate(facts(last_bp=(190, 100)), rs).colour == Colour.GREEN
    assert evaluate(facts(populations=HT, last_bp=(190, 100)), rs).colour == Colour.RED


def _broken(path, value):
    rs = copy.deepcopy(RS)
    target = rs
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return rs


@pytest.mark.parametrize("rs", [
    _broken(("red", 0, "when"), "bp_above"),  # unknown kind
    _broken(("yellow", 0, "when"), None),
    _broken(("red", 0, "sbp"), KeyError),  # missing parameter
    _broken(("red", 0, "sbp"), "180"),  # wrong type
    _broken(("red", 3, "flag"), "smoker"),  # unknown flag
    _broken(("red", 2, "class"), "bad"),
    _broken(("yellow", 5, "population"), "aged_90"),
    _broken(("version",), KeyError),
    _broken(("version",), ""),
    _broken(("red",), {"when": "flag"}),
    _broken(("interval_days", "red"), 0),
    _broken(("interval_days", "green"), KeyError),
    "not a dict",
])
def test_validate_ruleset_rejects(rs):
    with pytest.raises(DomainError) as exc:
        validate_ruleset(rs)
    assert exc.value.code == "ruleset"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_unknown_kind_fails_at_validation_even_if_unreachable():
    rs = {"version": "t3", "red": [], "yellow": [{"when": "moon_phase"}]}
    with pytest.raises(DomainError, match="未知的条件类型"):
        validate_ruleset(rs)


def test_default_ruleset_valid_and_intervals():
    validate_ruleset(RS)
    assert [interval_for(c, RS) for c in (Colour.RED, Colour.YELLOW, Colour.GREEN)] == \
        [14, 30, 90]
    assert interval_for(Colour.YELLOW, {"version": "x"}) == 30
