"""The one rule saying which services carry the 基本公共卫生服务 mark (seed 001 item 5), and
the push rules of domain/services.py."""
from __future__ import annotations

from datetime import date

import pytest

from familydoc_desktop.domain import services as rules
from familydoc_desktop.domain.codes import VisitKind
from familydoc_desktop.domain.due import KIND_ZH
from familydoc_desktop.domain.public_health import (
    PUBLIC_HEALTH_MARK, is_basic_public_health, public_health_mark,
)


@pytest.mark.parametrize("kind, expected", [
    (VisitKind.HYPERTENSION, True), (VisitKind.DIABETES, True),
    (VisitKind.SEVERE_MENTAL, True),
    (VisitKind.ELDERLY_80, False),  # a contract item (seed 001 item 22), not NBPHS-3
    (VisitKind.GENERAL, False),  # the yearly follow-up of every signed resident
    ("health_push", True),  # health education
    ("long_prescription", False), ("health_points", False), ("satisfaction_survey", False),
    ("drug_shortage", False), ("referral", False), ("sickbed", False), (None, False), ("", False),
])
def test_kinds(kind, expected):
    assert is_basic_public_health(kind) is expected
    assert public_health_mark(kind) == (PUBLIC_HEALTH_MARK if expected else "")


def test_every_visit_kind_and_due_kind_is_decided():
    """Each due-list kind: only the follow-ups of NBPHS-3 patients are marked."""
    marked = {k for k in KIND_ZH if is_basic_public_health(k)}
    assert marked == {"chronic_followup", "revisit"}
    assert {k for k in VisitKind if is_basic_public_health(k)} == {
        "hypertension", "diabetes", "severe_mental"}


def test_due_list_marks_the_check_up_items():
    """The check-up due list asks only the 65+ (domain/checkup.py), so its items carry the
    mark (the home list once showed them without it); the other due kinds as above."""
    from familydoc_desktop.domain.public_health import due_item_mark

    assert {k for k in KIND_ZH if due_item_mark(k)} == {"chronic_followup", "revisit",
                                                       "checkup"}


@pytest.mark.parametrize("age, expected", [(64, False), (65, True), (90, True), (None, False)])
def test_checkup_is_public_health_from_65(age, expected):
    assert is_basic_public_health("health_checkup", age=age) is expected
    assert is_basic_public_health("checkup", age=age) is expected


@pytest.mark.parametrize("channel", ["wechat", "sms", "print", "in_person"])
def test_channels(channel):
    assert rules.check_channel(channel) == channel


@pytest.mark.parametrize("call, message", [
    (lambda: rules.check_channel("email"), "推送方式只能是"),
    (lambda: rules.check_channel(""), "推送方式只能是"),
    (lambda: rules.check_topic(" \t"), "请填写推送主题"),
    (lambda: rules.check_topic("x" * 201), "不能超过200个字"),
    (lambda: rules.check_push_date(date(2026, 6, 2), date(2026, 6, 1)), "不能晚于今天"),
    (lambda: rules.check_push_residents([], {"c"}, 0), "请至少选择一位居民"),
    (lambda: rules.check_push_residents(
        [("1", "甲", "c"), *[(str(n), f"乙{n}", "x") for n in range(5)]], {"c"}, 6),
        "居民乙0、乙1、乙2等5人不属于本卫生室"),
])
def test_bad_push_input(call, message):
    with pytest.raises(rules.ServiceError, match=message):
        call()


def test_pushes_short():
    assert [rules.pushes_short(n) for n in (0, 11, 12, 30)] == [12, 1, 0, 0]
    assert rules.check_topic("  冬季  防滑 ") == "冬季 防滑"
    rules.check_push_residents([("1", "甲", "c")], {"c"}, 1)  # in the clinic: accepted
