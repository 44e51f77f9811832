"""Key populations (重点人群) derived "as of" a date (seed 001 item 23, seed 002 §4.7).

Age groups come from the birth date on the given day, never stored; disease groups from
diagnoses active that day; memberships (disabled, poverty, FP special) map directly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from familydoc_desktop.domain.codes import Condition, Membership, Population, Sex
from familydoc_desktop.domain.dates import age_on

CONDITION_POPULATION: dict[Condition, Population] = {
    Condition.HYPERTENSION: Population.HYPERTENSION,
    Condition.DIABETES: Population.DIABETES,
    Condition.TUBERCULOSIS: Population.TUBERCULOSIS,
    Condition.SEVERE_MENTAL: Population.SEVERE_MENTAL,
    Condition.COPD: Population.COPD,
    Condition.PREGNANCY: Population.PREGNANT,
}
MEMBERSHIP_POPULATION: dict[Membership, Population] = {
    Membership.DISABLED: Population.DISABLED,
    Membership.POVERTY: Population.POVERTY,
    Membership.FP_SPECIAL: Population.FP_SPECIAL,
}


@dataclass(frozen=True)
class DiagnosisFact:
    condition: Condition
    start: date
    end: date | None = None  # pregnancy: end of postpartum period; TB: cure

    def active_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date | None
    sex: Sex | None
    diagnoses: tuple[DiagnosisFact, ...] = ()
    memberships: tuple[Membership, ...] = ()


def derive_populations(facts: PersonFacts, on: date) -> frozenset[Population]:
    result: set[Population] = set()
    if facts.birth_date is not None and facts.birth_date <= on:
        age = age_on(facts.birth_date, on)
        if age >= 65:
            result.add(Population.AGED_65)
        if age >= 80:
            result.add(Population.AGED_80)  # also in aged_65
        if age <= 6:  # 0-6 years = under 7
            result.add(Population.CHILD_0_6)
    for dx in facts.diagnoses:
        pop = CONDITION_POPULATION.get(dx.condition)
        if pop is None or not dx.active_on(on):
            continue
        if pop == Population.PREGNANT and facts.sex == Sex.MALE:
            continue  # pregnancy only for women (unknown sex is given the benefit of doubt)
        result.add(pop)
    result.update(MEMBERSHIP_POPULATION[Membership(m)] for m in facts.memberships)
    return frozenset(result)


def is_key_population(facts: PersonFacts, on: date) -> bool:
    return bool(derive_populations(facts, on))
