"""Yearly follow-up and 65+ health check-up rules (seed 002 §4.1, seed 003 §2, seed 000)."""
from datetime import date

import pytest

from familydoc_desktop.domain import due
from familydoc_desktop.domain.checkup import checkup_bmi, contract_year, validate_checkup
from familydoc_desktop.domain.errors import DomainError

ON = date(2026, 12, 3)


def test_contract_year_of_a_three_year_contract():
    start, end = date(2025, 3, 1), date(2028, 2, 29)
    assert contract_year(start, end, date(2025, 3, 1)) == (date(2025, 3, 1), date(2026, 2, 28))
    assert contract_year(start, end, date(2026, 2, 28)) == (date(2025, 3, 1), date(2026, 2, 28))
    assert contract_year(start, end, ON) == (date(2026, 3, 1), date(2027, 2, 28))
    assert contract_year(start, end, date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))
    with pytest.raises(DomainError):
        contract_year(start, end, date(2028, 3, 1))


def test_contract_year_from_feb_29():
    start, end = date(2024, 2, 29), date(2027, 2, 28)
    assert contract_year(start, end, date(2025, 2, 28)) == (date(2024, 2, 29), date(2025, 2, 28))
    assert contract_year(start, end, date(2025, 3, 1)) == (date(2025, 3, 1), date(2026, 2, 28))


def test_checkup_64_not_due_65_signed_today_due_on_signing_day():
    assert due.checkup_due("a", date(1961, 12, 4), ON, (), ON) is None  # 64 until tomorrow
    item = due.checkup_due("b", date(1961, 12, 3), ON, (), ON)  # 65 today, signed today
    assert (item.kind, item.due_date, item.overdue_days) == ("checkup", ON, 0)
    assert "签约健康体检" in item.detail


def test_checkup_this_year_not_due_last_year_due_by_dec_31():
    born, signed = date(1950, 5, 1), date(2025, 3, 1)
    assert due.checkup_due("a", born, signed, [date(2026, 2, 10)], ON) is None
    item = due.checkup_due("a", born, signed, [date(2025, 11, 30)], ON)
    assert (item.due_date, item.overdue_days) == (date(2026, 12, 31), 0)
    assert "2026年尚未做年度健康体检" in item.detail


def test_checkup_not_signed_or_no_birth_date_not_due():
    assert due.checkup_due("a", date(1950, 1, 1), None, (), ON) is None
    assert due.checkup_due("a", None, ON, (), ON) is None


def test_checkup_at_signing_overdue_counts_from_signing_day():
    item = due.checkup_due("a", date(1950, 1, 1), date(2026, 11, 3), (), ON)
    assert (item.due_date, item.overdue_days) == (date(2026, 11, 3), 30)


def test_annual_followup_due_in_the_last_90_days_of_the_contract_year():
    start, end = date(2025, 3, 1), date(2028, 2, 29)
    # contract year 2026-03-01 .. 2027-02-28: listed from 2026-11-30
    item = due.annual_followup_due("a", start, end, [date(2025, 6, 1)], ON)  # last year
    assert (item.kind, item.due_date) == ("annual_followup", date(2027, 2, 28))
    assert "2026-03-01 至 2027-02-28" in item.detail
    assert due.annual_followup_due("a", start, end, [date(2026, 3, 1)], ON) is None  # this year
    assert due.annual_followup_due("a", start, end, [], date(2026, 11, 29)) is None
    assert due.annual_followup_due("a", start, end, [], date(2026, 11, 29), horizon_days=1)
    assert due.annual_followup_due("a", start, end, [], date(2026, 4, 1), window_days=None)


def test_annual_followup_not_due_outside_the_contract():
    assert due.annual_followup_due("a", date(2027, 1, 1), date(2027, 12, 31), [], ON) is None
    assert due.annual_followup_due("a", date(2025, 1, 1), date(2025, 12, 31), [], ON) is None


@pytest.mark.parametrize("conclusion, findings, message", [
    (None, None, "须填写健康评价"),
    ("fine", None, "健康评价无效"),
    ("abnormal", "  ", "须在体检主要结果中写明异常"),
])
def test_checkup_bad_conclusion(conclusion, findings, message):
    with pytest.raises(DomainError, match=message):
        validate_checkup(conclusion=conclusion, findings=findings)


def test_checkup_text_too_long_and_good_ones():
    with pytest.raises(DomainError, match="健康指导最多500字"):
        validate_checkup(conclusion="normal", findings=None, advice="多" * 501)
    assert validate_checkup(conclusion="abnormal", findings="血压偏高") == "abnormal"
    assert validate_checkup(conclusion="normal", findings=None) == "normal"


def test_checkup_bmi():
    assert checkup_bmi(60, 160) == 23.4  # 60 / 1.6^2 = 23.44
    assert checkup_bmi(None, 160) is None
