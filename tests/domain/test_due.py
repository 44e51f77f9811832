from datetime import date

import pytest

from familydoc_desktop.domain.codes import (
    Colour, ContractStatus, VisitClass as VC, VisitKind, VisitMethod as M)
from familydoc_desktop.domain.due import (
    chronic_followup_due, contract_expiring_due, elderly_visit_due, revisit_due,
    sickbed_round_due)
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.rulesets import load_ruleset

ON = date(2026, 5, 10)
RS = load_ruleset("visits_default")
BORN_80 = date(1946, 5, 10)  # 80 on ON


@pytest.mark.parametrize("birth, signed, visits, due", [
    (BORN_80, True, [], True),
    (date(1946, 5, 11), True, [], False),  # 79 on the day before the birthday
    (BORN_80, False, [], False),  # not signed
    (None, True, [], False),
    (BORN_80, True, [(date(2026, 2, 1), M.PHONE)], True),  # phone does not count
    (BORN_80, True, [(date(2026, 2, 1), M.HOME)], False),
    (BORN_80, True, [(date(2026, 1, 1), M.CLINIC)], False),
    (BORN_80, True, [(date(2025, 12, 31), M.HOME)], True),  # previous year
    (BORN_80, True, [(date(2025, 6, 1), M.CLINIC), (date(2026, 3, 1), M.PHONE)], True),
    (date(1944, 2, 29), True, [], True),
])
def test_elderly_visit_due(birth, signed, visits, due):
    item = elderly_visit_due("r1", birth, signed, visits, ON)
    if not due:
        assert item is None
    else:
        assert (item.kind, item.resident_id, item.due_date, item.overdue_days) == (
            "elderly_80", "r1", date(2026, 12, 31), 0)
        assert "电话" in item.detail


HT, DM = VisitKind.HYPERTENSION, VisitKind.DIABETES
S, U = VC.SATISFACTORY, VC.UNSATISFACTORY


@pytest.mark.parametrize("last, cls, anchor, colour, horizon, expected", [
    # never followed up: due on signing date
    (None, None, date(2026, 5, 10), None, 0, ("chronic_followup", date(2026, 5, 10), 0)),
    (None, None, date(2026, 5, 11), None, 0, None),
    (None, None, date(2026, 5, 11), None, 1, ("chronic_followup", date(2026, 5, 11), 0)),
    (None, None, date(2026, 4, 10), None, 0, ("chronic_followup", date(2026, 4, 10), 30)),
    # quarterly: last + 90 days
    (date(2026, 2, 9), S, date(2025, 1, 1), None, 0, ("chronic_followup", date(2026, 5, 10), 0)),
    (date(2026, 2, 10), S, date(2025, 1, 1), None, 0, None),
    (date(2026, 2, 10), S, date(2025, 1, 1), None, 7, ("chronic_followup", date(2026, 5, 11), 0)),
    (date(2026, 1, 1), S, date(2025, 1, 1), None, 0, ("chronic_followup", date(2026, 4, 1), 39)),
    # by colour
    (date(2026, 4, 10), S, date(2025, 1, 1), Colour.YELLOW, 0,
     ("chronic_followup", date(2026, 5, 10), 0)),
    (date(2026, 4, 26), S, date(2025, 1, 1), Colour.RED, 0,
     ("chronic_followup", date(2026, 5, 10), 0)),
    (date(2026, 4, 27), S, date(2025, 1, 1), Colour.RED, 0, None),
    (date(2026, 4, 27), S, date(2025, 1, 1), Colour.GREEN, 0, None),
    # unsatisfactory: revisit in 14 days
    (date(2026, 4, 26), U, date(2025, 1, 1), None, 0, ("revisit", date(2026, 5, 10), 0)),
    (date(2026, 4, 20), U, date(2025, 1, 1), Colour.GREEN, 0, ("revisit", date(2026, 5, 4), 6)),
    (date(2026, 4, 27), U, date(2025, 1, 1), None, 0, None),
])
def test_chronic_followup_due(last, cls, anchor, colour, horizon, expected):
    for kind in (HT, DM):
        item = chronic_followup_due("r1", kind, last, cls, anchor, colour, ON, RS, horizon)
        if expected is None:
            assert item is None
        else:
            assert (item.kind, item.due_date, item.overdue_days) == expected
            assert item.detail


def test_chronic_followup_due_rejects_other_kinds():
    with pytest.raises(DomainError):
        chronic_followup_due("r1", VisitKind.ELDERLY_80, None, None, ON, None, ON, RS)


@pytest.mark.parametrize("last, cls, expected", [
    (date(2026, 4, 26), U, date(2026, 5, 10)),
    (date(2026, 4, 1), U, date(2026, 4, 15)),
    (date(2026, 4, 27), U, None),  # not yet due
    (date(2026, 4, 1), S, None),
    (None, None, None),
])
def test_revisit_due(last, cls, expected):
    item = revisit_due("r1", HT, last, cls, ON, RS)
    assert (item.due_date if item else None) == expected
    if item:
        assert item.kind == "revisit" and item.overdue_days == (ON - expected).days


@pytest.mark.parametrize("admitted, last_round, interval, horizon, expected", [
    (date(2026, 5, 3), None, 7, 0, (date(2026, 5, 10), 0)),  # a week after admission
    (date(2026, 5, 4), None, 7, 0, None),
    (date(2026, 5, 4), None, 7, 1, (date(2026, 5, 11), 0)),
    (date(2026, 4, 1), date(2026, 5, 3), 7, 0, (date(2026, 5, 10), 0)),
    (date(2026, 4, 1), date(2026, 5, 4), 7, 0, None),
    (date(2026, 4, 1), date(2026, 4, 20), 7, 0, (date(2026, 4, 27), 13)),
    (date(2026, 5, 7), None, 3, 0, (date(2026, 5, 10), 0)),
])
def test_sickbed_round_due(admitted, last_round, interval, horizon, expected):
    item = sickbed_round_due("r1", admitted, last_round, ON, interval, horizon)
    if expected is None:
        assert item is None
    else:
        assert (item.kind, item.due_date, item.overdue_days) == ("sickbed_round", *expected)


@pytest.mark.parametrize("end, status, expected", [
    (date(2026, 5, 10), ContractStatus.ACTIVE, True),  # ends today
    (date(2026, 6, 9), ContractStatus.ACTIVE, True),  # 30 days
    (date(2026, 6, 10), ContractStatus.ACTIVE, False),  # 31 days
    (date(2026, 5, 9), ContractStatus.ACTIVE, False),  # already ended
    (date(2026, 5, 20), ContractStatus.TERMINATED, False),
    (date(2026, 5, 20), ContractStatus.RENEWED, False),
])
def test_contract_expiring_due(end, status, expected):
    item = contract_expiring_due("r1", end, status, ON, RS["contract_expiry_window_days"])
    assert (item is not None) is expected
    if item:
        assert (item.kind, item.due_date, item.overdue_days) == ("contract_expiring", end, 0)
        assert f"剩余{(end - ON).days}天" in item.detail


def test_visits_ruleset_values():
    assert {k: RS[k] for k in ("chronic_interval_days", "revisit_days", "sickbed_round_days",
                               "contract_expiry_window_days", "sickbed_max_episode_days",
                               "sickbed_max_days_per_year")} == {
        "chronic_interval_days": 90, "revisit_days": 14, "sickbed_round_days": 7,
        "contract_expiry_window_days": 30, "sickbed_max_episode_days": 90,
        "sickbed_max_days_per_year": 180}
    assert RS["version"]
