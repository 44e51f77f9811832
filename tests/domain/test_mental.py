"""Severe mental disorder follow-up class (NBPHS-3), at each boundary of each input."""
from datetime import date

import pytest

from familydoc_desktop.domain.codes import MentalClass
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.mental import (
    MentalAssessment, next_mental_due, suggest_mental_class, urgent_reasons,
)

S, B, U = MentalClass.STABLE, MentalClass.BASICALLY_STABLE, MentalClass.UNSTABLE


@pytest.mark.parametrize("kw, expected", [
    ({}, S),
    ({"social_function": "fair"}, S),  # 一般 is still stable
    ({"risk_level": 1}, B),
    ({"risk_level": 2}, B),
    ({"risk_level": 3}, U),
    ({"risk_level": 5}, U),
    ({"symptoms": "some"}, B),
    ({"symptoms": "obvious"}, U),
    ({"insight": "partial"}, B),
    ({"insight": "none"}, U),
    ({"social_function": "poor"}, B),
    ({"severe_adverse_reaction": True}, U),
    ({"severe_physical_illness": True}, U),
    ({"risk_level": 2, "symptoms": "obvious"}, U),  # the worse aspect decides
])
def test_class_per_nbphs3(kw, expected):
    assert suggest_mental_class(MentalAssessment(**kw)) == expected


@pytest.mark.parametrize("kw", [{"risk_level": -1}, {"risk_level": 6}, {"symptoms": "mild"},
                                {"insight": "yes"}, {"social_function": "bad"}])
def test_invalid_values_are_refused_in_chinese(kw):
    with pytest.raises(DomainError) as err:
        MentalAssessment(**kw)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_urgent_reasons_only_for_unstable_findings():
    assert urgent_reasons(MentalAssessment(risk_level=2, insight="partial")) == []
    assert urgent_reasons(MentalAssessment(risk_level=3, insight="none")) == [
        "危险性评估3级", "自知力缺失"]


@pytest.mark.parametrize("cls, days", [(U, 14), (B, 14), (S, 90)])
def test_next_due(cls, days):
    assert (next_mental_due(date(2026, 1, 1), cls) - date(2026, 1, 1)).days == days
