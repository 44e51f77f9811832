"""Key populations (重点人群) derived "as of" a date (seed 001 item 23, seed 002 §4.7).

Age groups come from the birth date on the given day, never stored; disease groups from
diagnoses active that day; memberships (disabled, poverty, FP special) map directly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from familydoc_desktop.domain.codes import Condition, Membership, Population, Sex
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError

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


# A pregnancy (孕产妇) lasts to the end of the postpartum period: 40 weeks of pregnancy and
# 42 days after birth from its start when no end is recorded. It never counts forever.
PREGNANCY_DAYS = 280
POSTPARTUM_DAYS = 42
PREGNANCY_SQL_DAYS = PREGNANCY_DAYS + POSTPARTUM_DAYS  # for queries over rows without an end


def diagnosis_end(condition: str, start: date, end: date | None) -> date | None:
    """The day a diagnosis stops counting: its recorded end; for a pregnancy without one,
    derived from the start (end of the postpartum period); otherwise open."""
    if end is None and condition == Condition.PREGNANCY:
        return start + timedelta(days=PREGNANCY_DAYS + POSTPARTUM_DAYS)
    return end


def check_diagnosis(condition: str, start: date, end: date | None, *, born: date | None,
                    sex: str | None, today: date) -> date | None:
    """The rule for a diagnosis a person records: never in the future, not before birth,
    not ending before it starts, pregnancy only for women. Returns the end to store (a
    pregnancy's derived from its start when none is given)."""
    if condition not in set(Condition):
        raise DomainError("condition", f"未知的疾病类别：{condition}")
    if start > today:
        raise DomainError("diagnosis_dates", f"诊断日期（{start.isoformat()}）不能晚于今天")
    if end is not None and end < start:
        raise DomainError("diagnosis_dates", "结束日期不能早于诊断日期")
    if born is not None and start < born:
        raise DomainError("diagnosis_dates", "诊断日期不能早于出生日期")
    if condition == Condition.PREGNANCY and sex == Sex.MALE:
        raise DomainError("pregnancy_sex", "男性居民不能登记孕产期")
    return diagnosis_end(condition, start, end)


@dataclass(frozen=True)
class DiagnosisFact:
    condition: Condition
    start: date
    end: date | None = None  # pregnancy: end of postpartum period (derived when None); TB: cure

    def active_on(self, on: date) -> bool:
        end = diagnosis_end(self.condition, self.start, self.end)
        return self.start <= on and (end is None or on <= end)


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date | None
    sex: Sex | None
    diagnoses: tuple[DiagnosisFact, ...] = ()
    memberships: tuple[Membership, ...] = ()


# Code -> member: a dict look-up, not an Enum call per row (60,000 residents at township size).
_CONDITIONS = {c.value: c for c in Condition}
_MEMBERSHIPS = {m.value: m for m in Membership}
_SEXES = {s.value: s for s in Sex}


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def facts_from_rows(residents: Iterable[tuple], diagnoses: Iterable[tuple],
                    memberships: Iterable[tuple], on: date) -> dict[str, PersonFacts]:
    """PersonFacts per resident from plain rows (residents: id, birth_date, sex; diagnoses:
    resident_id, condition, start_date, end_date; memberships: resident_id, membership,
    start_date, end_date; dates as date or ISO text): diagnoses started by `on`, memberships
    in force on it, unknown codes left out. Residents' non-deleted rows only."""
    facts = _FactRows(diagnoses, memberships, on)
    return {rid: facts.person(born, sex, rid) for rid, born, sex in residents}


class _FactRows:
    """Diagnoses started by `on` and memberships in force on it, by resident."""

    def __init__(self, diagnoses: Iterable[tuple], memberships: Iterable[tuple], on: date) -> None:
        days: dict[Any, date | None] = {}  # the same few hundred days recur: parsed once each

        def day(value: Any) -> date | None:
            got = days.get(value, days)
            if got is days:
                got = days[value] = _date(value)
            return got

        self.dx: dict[str, list] = {}
        for rid, cond, start, end in diagnoses:
            start, condition = day(start), _CONDITIONS.get(cond)
            if condition is not None and start is not None and start <= on:
                self.dx.setdefault(rid, []).append(DiagnosisFact(condition, start, day(end)))
        self.ms: dict[str, list] = {}
        for rid, membership, start, end in memberships:
            start, end, member = day(start), day(end), _MEMBERSHIPS.get(membership)
            if (member is not None and start is not None and start <= on
                    and (end is None or end >= on)):
                self.ms.setdefault(rid, []).append(member)

    def person(self, born: Any, sex: Any, rid: str) -> PersonFacts:
        return PersonFacts(_date(born), _SEXES.get(sex), tuple(self.dx.get(rid, ())),
                           tuple(self.ms.get(rid, ())))


class PopulationsOn:
    """populations_from_rows one resident at a time, for a caller that already walks the
    residents and knows each one's age on `on` (domain/report_tally): `of(rid, born, sex,
    age)` is derive_populations of the resident's facts; a resident without any diagnosis or
    membership has only age groups, derived once per age."""

    def __init__(self, diagnoses: Iterable[tuple], memberships: Iterable[tuple], on: date) -> None:
        self.on = on
        self._facts = _FactRows(diagnoses, memberships, on)
        self.dx, self.ms = self._facts.dx, self._facts.ms
        self.by_age: dict[int | None, frozenset[Population]] = {}

    def of(self, rid: str, born: date | None, sex: Any, age: int | None) -> frozenset[Population]:
        """`born` a date (or None) and `age` its whole years on `on` (None if unborn)."""
        if rid in self.dx or rid in self.ms:
            return derive_populations(self._facts.person(born, sex, rid), self.on)
        return self.of_age(born, age)

    def of_age(self, born: date | None, age: int | None) -> frozenset[Population]:
        """The populations of a resident without diagnoses or memberships (age groups)."""
        pops = self.by_age.get(age)
        if pops is None:
            pops = self.by_age[age] = derive_populations(PersonFacts(born, None), self.on)
        return pops


def populations_from_rows(residents: Iterable[tuple], diagnoses: Iterable[tuple],
                          memberships: Iterable[tuple], on: date) -> dict[str, frozenset[Population]]:
    """derive_populations(facts, on) for every resident of the rows (as facts_from_rows takes
    them), the same rule, faster at township size (PopulationsOn)."""
    rule = PopulationsOn(diagnoses, memberships, on)
    out: dict[str, frozenset[Population]] = {}
    for rid, born, sex in residents:
        born = _date(born)
        age = age_on(born, on) if born is not None and born <= on else None
        out[rid] = rule.of(rid, born, sex, age)
    return out


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
