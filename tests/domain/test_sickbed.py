from datetime import date

import pytest

from familydoc_desktop.domain.codes import SickbedOutcome as O, SickbedType as T
from familydoc_desktop.domain.errors import SickbedError
from familydoc_desktop.domain.sickbed import (
    bed_days, days_in_year, episode_end_limit, validate_admission, validate_discharge,
    year_limit_warning)

A = date(2026, 1, 1)


@pytest.mark.parametrize("kwargs, code", [
    ({"type": T.TREATMENT}, None),
    ({"type": T.PALLIATIVE, "diagnosis": "脑梗死后遗症", "doctor_id": "d1",
      "today": A}, None),
    ({"type": None}, "sickbed_type"),
    ({"type": "icu"}, "sickbed_type"),
    ({"type": T.REHABILITATION, "today": date(2025, 12, 31)}, "sickbed_date"),
    ({"type": T.REHABILITATION, "diagnosis": " "}, "sickbed_diagnosis"),
    ({"type": T.REHABILITATION, "doctor_id": ""}, "sickbed_doctor"),
    ({"type": T.REHABILITATION, "open_episode": True}, "sickbed_open"),
])
def test_validate_admission(kwargs, code):
    if code is None:
        validate_admission(A, **kwargs)
    else:
        with pytest.raises(SickbedError) as exc:
            validate_admission(A, **kwargs)
        assert exc.value.code == code


@pytest.mark.parametrize("discharged, days", [
    (date(2026, 1, 1), 1), (date(2026, 1, 2), 2), (date(2026, 3, 31), 90),
    (date(2026, 4, 1), 91), (date(2026, 12, 31), 365),
])
def test_bed_days(discharged, days):
    assert bed_days(A, discharged) == days


@pytest.mark.parametrize("discharged, outcome, warnings", [
    (date(2026, 1, 1), O.CURED, 0),
    (date(2026, 3, 31), O.IMPROVED, 0),  # 90 days: at the limit
    (date(2026, 4, 1), O.UNCHANGED, 1),  # 91 days: warning, not error
    (date(2026, 6, 1), O.DIED, 1),
])
def test_validate_discharge(discharged, outcome, warnings):
    result = validate_discharge(A, discharged, outcome)
    assert len(result) == warnings
    if warnings:
        assert "超过单次 90 天" in result[0]


def test_validate_discharge_errors():
    with pytest.raises(SickbedError) as exc:
        validate_discharge(A, date(2025, 12, 31), O.CURED)
    assert exc.value.code == "sickbed_date"
    with pytest.raises(SickbedError) as exc:
        validate_discharge(A, date(2026, 2, 1), None)
    assert exc.value.code == "sickbed_outcome"


def test_configurable_episode_limit():
    assert validate_discharge(A, date(2026, 1, 31), O.CURED, max_episode_days=30)
    assert episode_end_limit(A) == date(2026, 3, 31)


@pytest.mark.parametrize("episodes, year, today, days", [
    ([], 2026, date(2026, 6, 1), 0),
    ([(date(2026, 1, 1), date(2026, 1, 10))], 2026, date(2026, 6, 1), 10),
    ([(date(2025, 12, 20), date(2026, 1, 10))], 2026, date(2026, 6, 1), 10),  # crosses year
    ([(date(2025, 12, 20), date(2026, 1, 10))], 2025, date(2026, 6, 1), 12),
    ([(date(2026, 5, 1), None)], 2026, date(2026, 5, 31), 31),  # open: runs to today
    ([(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 6, 1), None)], 2026,
     date(2026, 6, 30), 120),
    ([(date(2026, 12, 1), None)], 2026, date(2027, 2, 1), 31),
    ([(date(2027, 1, 1), None)], 2026, date(2027, 2, 1), 0),
])
def test_days_in_year(episodes, year, today, days):
    assert days_in_year(episodes, year, today) == days


@pytest.mark.parametrize("days, warn", [(180, False), (181, True)])
def test_year_limit_warning(days, warn):
    assert (year_limit_warning(days) is not None) is warn
