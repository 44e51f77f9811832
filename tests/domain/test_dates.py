from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from familydoc_desktop.domain.dates import age_on, parse_date
from familydoc_desktop.domain.errors import DomainError


@pytest.mark.parametrize("value, expected", [
    (date(1949, 12, 31), date(1949, 12, 31)),
    (datetime(1949, 12, 31, 23, 59), date(1949, 12, 31)),
    ("1949/12/31", date(1949, 12, 31)),
    ("1949-12-31", date(1949, 12, 31)),
    ("1949.12.31", date(1949, 12, 31)),
    ("19491231", date(1949, 12, 31)),
    ("1949年12月31日", date(1949, 12, 31)),
    ("1949年1月5日", date(1949, 1, 5)),
    ("1949年1月5", date(1949, 1, 5)),
    ("1949-1-5", date(1949, 1, 5)),
    ("1949/1/05", date(1949, 1, 5)),
    ("  1949 - 12 - 31 ", date(1949, 12, 31)),
    ("１９４９－１２－３１", date(1949, 12, 31)),
    ("１９４９年１２月３１日", date(1949, 12, 31)),
    ("\u30001949／12／31\u3000", date(1949, 12, 31)),
    ("2020-01-01 00:00:00", date(2020, 1, 1)),
    ("2020-01-01T08:30", date(2020, 1, 1)),
    ("2000-02-29", date(2000, 2, 29)),
    # Excel 1900 date system (serial 1 = 1900-01-01, 60 = fictitious 1900-02-29)
    (1, date(1900, 1, 1)),
    (59, date(1900, 2, 28)),
    (61, date(1900, 3, 1)),
    (18264, date(1950, 1, 1)),  # 50*365 + 12 leap days + 2
    (43831, date(2020, 1, 1)),
    (43831.99, date(2020, 1, 1)),
    (Decimal("45658"), date(2025, 1, 1)),
    (2958465, date(9999, 12, 31)),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [
    "1949-02-30", "19490230", "1949年2月30日", "1900-02-29", "2023-02-29", "1949-13-01",
    "1949-00-10", "1949-12-32", "", "   ", "abc", "49-12-31", "1949/12", "1949-12-31x",
    None, True, 0, 60, -5, 2958466, float("nan"), float("inf"), "1799-12-31", [1949, 12, 31],
])
def test_parse_date_rejects(value):
    with pytest.raises(DomainError) as exc:
        parse_date(value)
    assert exc.value.code == "date"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_parse_date_future_with_today():
    today = date(2026, 1, 1)
    assert parse_date("2026-01-01", today=today) == today
    with pytest.raises(DomainError) as exc:
        parse_date("2026-01-02", today=today)
    assert exc.value.code == "date_future"


@pytest.mark.parametrize("birth, on, age", [
    (date(1946, 5, 10), date(2026, 5, 9), 79),  # day before 80th birthday
    (date(1946, 5, 10), date(2026, 5, 10), 80),  # the birthday
    (date(1946, 5, 10), date(2026, 5, 11), 80),
    (date(2000, 2, 29), date(2001, 2, 28), 0),  # Feb 29 birthday, common year
    (date(2000, 2, 29), date(2001, 3, 1), 1),
    (date(2000, 2, 29), date(2004, 2, 28), 3),
    (date(2000, 2, 29), date(2004, 2, 29), 4),
    (date(2020, 1, 1), date(2020, 1, 1), 0),
    (date(1949, 12, 31), date(2026, 1, 1), 76),
])
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


def test_age_on_before_birth():
    with pytest.raises(DomainError):
        age_on(date(2020, 1, 2), date(2020, 1, 1))


@given(st.dates(min_value=date(1800, 1, 1)))
def test_iso_text_round_trip(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%Y%m%d")) == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d


@given(st.integers(min_value=61, max_value=2958465))
def test_excel_serial_is_days_since_1899_12_30(serial):
    assert (parse_date(serial) - date(1899, 12, 30)).days == serial
