import pytest

from familydoc_desktop.domain.errors import VitalsError
from familydoc_desktop.domain.vitals import bmi, check_vitals, require_valid_vitals

# Warning margin = 5 % of the range width: SBP 11, DBP 7.5, glucose 1.7, HR 9.5,
# weight 12.4, height 9.5.
OK, WARN, ERR = None, "warning", "error"


@pytest.mark.parametrize("field, value, level", [
    ("sbp", 59, ERR), ("sbp", 60, WARN), ("sbp", 71, WARN), ("sbp", 72, OK),
    ("sbp", 268, OK), ("sbp", 269, WARN), ("sbp", 280, WARN), ("sbp", 281, ERR),
    ("dbp", 29, ERR), ("dbp", 30, WARN), ("dbp", 37.5, WARN), ("dbp", 38, OK),
    ("dbp", 172, OK), ("dbp", 172.5, WARN), ("dbp", 180, WARN), ("dbp", 181, ERR),
    ("fasting_glucose", 0.9, ERR), ("fasting_glucose", 1.0, WARN),
    ("fasting_glucose", 2.7, WARN), ("fasting_glucose", 2.8, OK),
    ("fasting_glucose", 3.9, OK), ("fasting_glucose", 16.7, OK),
    ("fasting_glucose", 33.2, OK), ("fasting_glucose", 33.3, WARN),
    ("fasting_glucose", 35, WARN), ("fasting_glucose", 35.1, ERR),
    ("heart_rate", 29, ERR), ("heart_rate", 30, WARN), ("heart_rate", 39.5, WARN),
    ("heart_rate", 40, OK), ("heart_rate", 210, OK), ("heart_rate", 210.5, WARN),
    ("heart_rate", 220, WARN), ("heart_rate", 221, ERR),
    ("weight", 1.9, ERR), ("weight", 2, WARN), ("weight", 14.4, WARN), ("weight", 14.5, OK),
    ("weight", 237.5, OK), ("weight", 237.6, WARN), ("weight", 250, WARN),
    ("weight", 250.1, ERR),
    ("height", 39, ERR), ("height", 40, WARN), ("height", 49.5, WARN), ("height", 50, OK),
    ("height", 220, OK), ("height", 220.5, WARN), ("height", 230, WARN), ("height", 231, ERR),
    ("sbp", float("nan"), ERR), ("sbp", "120", ERR), ("sbp", True, ERR),
])
def test_single_field_levels(field, value, level):
    issues = check_vitals(**{field: value})
    if level is None:
        assert issues == []
    else:
        assert [(i.field, i.level) for i in issues] == [(field, level)]
        assert "请核实" in issues[0].message or "不是有效数字" in issues[0].message


def test_none_means_not_measured():
    assert check_vitals() == []


@pytest.mark.parametrize("sbp, dbp, bad", [
    (120, 80, False), (120, 119, False), (120, 120, True), (100, 110, True),
])
def test_dbp_must_be_below_sbp(sbp, dbp, bad):
    errors = [i for i in check_vitals(sbp=sbp, dbp=dbp) if i.level == "error"]
    assert bool(errors) is bad
    if bad:
        assert errors[0].field == "dbp" and "舒张压应低于收缩压" in errors[0].message


def test_require_valid_vitals_raises_with_joined_messages():
    with pytest.raises(VitalsError) as exc:
        require_valid_vitals(sbp=300, fasting_glucose=0.5, heart_rate=75)
    assert exc.value.code == "vitals"
    assert "收缩压" in str(exc.value) and "空腹血糖" in str(exc.value) and "；" in str(exc.value)
    assert {i.field for i in exc.value.issues} == {"sbp", "fasting_glucose"}


def test_require_valid_vitals_returns_warnings():
    warnings = require_valid_vitals(sbp=275, dbp=80, weight=60)
    assert [(w.field, w.level) for w in warnings] == [("sbp", "warning")]
    assert require_valid_vitals(sbp=130, dbp=80) == []


@pytest.mark.parametrize("weight, height, expected", [
    (70, 175, 22.9), (50, 160, 19.5), (100, 200, 25.0),
])
def test_bmi(weight, height, expected):
    assert bmi(weight, height) == expected


@pytest.mark.parametrize("weight, height", [(70, 0), (0, 170), (None, 170), (70, -1)])
def test_bmi_rejects(weight, height):
    with pytest.raises(VitalsError):
        bmi(weight, height)
