from datetime import date

import pytest

from familydoc_desktop.domain.codes import Condition, Membership, Population as P, Sex
from familydoc_desktop.domain.population import (
    DiagnosisFact, PersonFacts, derive_populations, is_key_population)

ON = date(2026, 5, 10)


def person(birth=None, sex=Sex.FEMALE, diagnoses=(), memberships=()):
    return PersonFacts(birth, sex, tuple(diagnoses), tuple(memberships))


@pytest.mark.parametrize("birth, expected", [
    (date(1961, 5, 11), set()),  # 64, turns 65 tomorrow
    (date(1961, 5, 10), {P.AGED_65}),  # 65th birthday
    (date(1946, 5, 11), {P.AGED_65}),  # 79 on the day before the 80th birthday
    (date(1946, 5, 10), {P.AGED_65, P.AGED_80}),  # 80th birthday
    (date(1920, 1, 1), {P.AGED_65, P.AGED_80}),
    (date(2026, 5, 10), {P.CHILD_0_6}),  # born today
    (date(2019, 5, 11), {P.CHILD_0_6}),  # 6, turns 7 tomorrow
    (date(2019, 5, 10), set()),  # 7th birthday
    (date(2026, 5, 11), set()),  # birth date after `on`
    (None, set()),
])
def test_age_groups(birth, expected):
    assert derive_populations(person(birth), ON) == frozenset(expected)


@pytest.mark.parametrize("birth, on, expected", [
    (date(1944, 2, 29), date(2024, 2, 28), set()),  # Feb 29 birth, leap 80th: day before
    (date(1944, 2, 29), date(2024, 2, 29), {P.AGED_80}),
    (date(1946, 2, 28), date(2026, 2, 28), {P.AGED_80}),
    (date(1948, 2, 29), date(2028, 2, 28), set()),
    (date(1948, 2, 29), date(2028, 2, 29), {P.AGED_80}),
    (date(1945, 3, 1), date(2025, 2, 28), set()),
    (date(1945, 3, 1), date(2025, 3, 1), {P.AGED_80}),
])
def test_aged_80_boundaries(birth, on, expected):
    assert derive_populations(person(birth), on) - {P.AGED_65} == frozenset(expected)


@pytest.mark.parametrize("on, expected", [
    (date(2025, 2, 28), set()),  # 65th birthday of a Feb 29 birth falls in a common year
    (date(2025, 3, 1), {P.AGED_65}),  # reached on Mar 1
])
def test_feb_29_birthday_in_common_year_reached_on_march_1(on, expected):
    assert derive_populations(person(date(1960, 2, 29)), on) == frozenset(expected)


@pytest.mark.parametrize("dx, sex, expected", [
    (DiagnosisFact(Condition.HYPERTENSION, date(2020, 1, 1)), Sex.MALE, {P.HYPERTENSION}),
    (DiagnosisFact(Condition.DIABETES, ON), Sex.MALE, {P.DIABETES}),  # starts today
    (DiagnosisFact(Condition.DIABETES, date(2026, 5, 11)), Sex.MALE, set()),  # starts tomorrow
    (DiagnosisFact(Condition.TUBERCULOSIS, date(2026, 1, 1), ON), Sex.MALE, {P.TUBERCULOSIS}),
    (DiagnosisFact(Condition.TUBERCULOSIS, date(2026, 1, 1), date(2026, 5, 9)), Sex.MALE,
     set()),  # cured yesterday
    (DiagnosisFact(Condition.SEVERE_MENTAL, date(2010, 1, 1)), Sex.FEMALE, {P.SEVERE_MENTAL}),
    (DiagnosisFact(Condition.COPD, date(2010, 1, 1)), Sex.FEMALE, {P.COPD}),
    (DiagnosisFact(Condition.OTHER, date(2010, 1, 1)), Sex.FEMALE, set()),
    (DiagnosisFact(Condition.PREGNANCY, date(2025, 9, 1), date(2026, 7, 1)), Sex.FEMALE,
     {P.PREGNANT}),
    (DiagnosisFact(Condition.PREGNANCY, date(2025, 9, 1), ON), Sex.FEMALE, {P.PREGNANT}),
    (DiagnosisFact(Condition.PREGNANCY, date(2025, 1, 1), date(2026, 5, 9)), Sex.FEMALE,
     set()),  # postpartum period over
    (DiagnosisFact(Condition.PREGNANCY, date(2025, 9, 1), date(2026, 7, 1)), Sex.MALE, set()),
])
def test_diagnoses(dx, sex, expected):
    p = person(date(1990, 1, 1), sex, [dx])
    assert derive_populations(p, ON) == frozenset(expected)


def test_memberships_and_several_groups():
    p = person(date(1940, 1, 1), Sex.MALE,
               [DiagnosisFact(Condition.HYPERTENSION, date(2000, 1, 1)),
                DiagnosisFact(Condition.DIABETES, date(2005, 1, 1))],
               [Membership.DISABLED, Membership.POVERTY, Membership.FP_SPECIAL])
    assert derive_populations(p, ON) == {P.AGED_65, P.AGED_80, P.HYPERTENSION, P.DIABETES,
                                         P.DISABLED, P.POVERTY, P.FP_SPECIAL}
    assert is_key_population(p, ON)


def test_not_key_population():
    assert not is_key_population(person(date(1990, 1, 1)), ON)
