"""The one rule for what a synced value must be for every PC to hold it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from familydoc_desktop.domain.wire_values import (
    date_problem,
    datetime_problem,
    json_problem,
    text_problem,
)


def test_text_with_controls_nul_or_surrogates_is_refused_tabs_and_line_breaks_are_not():
    assert text_problem("王小明 一组\t12号\r\n") is None
    assert text_problem("王\x00") == "含有空字符（NUL）"
    assert text_problem("王\x1b[31m") == "含有控制字符"
    assert text_problem("王\x7f") == "含有控制字符"
    assert text_problem("王\ud800") == "含有无法编码的字符（孤立代理项）"
    assert text_problem("😀") is None  # a real pair decodes to one code point


def test_dates_and_datetimes_are_bounded_after_normalising_to_utc():
    assert date_problem(date(1800, 1, 1)) is None and date_problem(date(2200, 12, 31)) is None
    assert date_problem(date(1799, 12, 31)) and date_problem(date(2201, 1, 1))
    plus1 = timezone(timedelta(minutes=1))
    assert datetime_problem(datetime(1800, 1, 1, 0, 0, tzinfo=plus1))  # 1799 in UTC
    assert datetime_problem(datetime(1, 1, 1, 0, 0, tzinfo=plus1))  # year 0: OverflowError
    minus = timezone(-timedelta(hours=23, minutes=59))
    assert datetime_problem(datetime(9999, 12, 31, 23, 59, 59, tzinfo=minus))
    assert datetime_problem(datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) is None
    assert datetime_problem(datetime(2025, 1, 2, 3, 4, 5)) is None


def test_ledger_reasons_must_be_the_json_list_the_ledger_reads():
    ok = '[{"code": "bp_high", "text": "血压≥180/110"}]'
    assert json_problem("ledger_assessment", "reasons", ok) is None
    assert json_problem("ledger_assessment", "reasons", "[]") is None
    assert json_problem("ledger_assessment", "reasons", "not json") == "不是有效的 JSON"
    assert json_problem("ledger_assessment", "reasons", '{"code": 1}') == "应为原因列表（JSON）"
    assert json_problem("ledger_assessment", "reasons", '[{"code": 1}]')
    assert json_problem("ledger_assessment", "reasons", "[" * 100000 + "]" * 100000)
    assert json_problem("resident", "name", "not json") is None  # not a JSON column


def test_printable_replaces_only_what_text_problem_refuses():
    from familydoc_desktop.domain.wire_values import printable, text_problem

    assert printable("王五\t一组\n") == "王五\t一组\n"
    assert printable("王\x00五\x7f\x85\ud800") == "王\ufffd五\ufffd\ufffd\ufffd"
    assert text_problem(printable("a\x01\udfff")) is None
