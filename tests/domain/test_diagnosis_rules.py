"""A diagnosis is never dated ahead; a pregnancy ends (derived when no end is recorded)."""
from datetime import date, timedelta

import pytest

from familydoc_desktop.domain.codes import Population
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.population import (
    POSTPARTUM_DAYS, PREGNANCY_DAYS, DiagnosisFact, PersonFacts, check_diagnosis,
    derive_populations, diagnosis_end)

TODAY = date(2026, 6, 30)


def test_future_diagnosis_refused():
    with pytest.raises(DomainError) as err:
        check_diagnosis("hypertension", date(2038, 1, 1), None, born=date(2000, 1, 1),
                        sex="male", today=TODAY)
    assert "不能晚于今天" in err.value.message
    assert check_diagnosis("hypertension", TODAY, None, born=None, sex=None, today=TODAY) is None


def test_other_rules():
    for args, words in (((date(2020, 1, 1), date(2019, 1, 1)), "结束日期"),
                        ((date(1990, 1, 1), None), "出生日期")):
        with pytest.raises(DomainError) as err:
            check_diagnosis("diabetes", *args, born=date(2000, 1, 1), sex="female", today=TODAY)
        assert words in err.value.message
    with pytest.raises(DomainError):
        check_diagnosis("pregnancy", TODAY, None, born=None, sex="male", today=TODAY)
    with pytest.raises(DomainError):
        check_diagnosis("flu", TODAY, None, born=None, sex=None, today=TODAY)


def test_pregnancy_end_is_derived_and_stops_counting():
    start = date(2025, 1, 1)
    end = check_diagnosis("pregnancy", start, None, born=None, sex="female", today=TODAY)
    assert end == start + timedelta(days=PREGNANCY_DAYS + POSTPARTUM_DAYS)
    given = date(2025, 6, 1)
    assert diagnosis_end("pregnancy", start, given) == given
    facts = PersonFacts(date(1995, 1, 1), "female", (DiagnosisFact("pregnancy", start),))
    assert Population.PREGNANT in derive_populations(facts, start + timedelta(days=300))
    assert Population.PREGNANT not in derive_populations(facts, end + timedelta(days=1))
    assert Population.PREGNANT not in derive_populations(facts, date(2030, 1, 1))
    # other conditions stay open without an end
    assert DiagnosisFact("hypertension", start).active_on(date(2040, 1, 1))
