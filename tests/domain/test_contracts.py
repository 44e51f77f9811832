from datetime import date
from decimal import Decimal

import pytest

from familydoc_desktop.domain.codes import ConsentBy, ContractStatus as CS, TerminationReason as TR
from familydoc_desktop.domain.contracts import (
    FeeSplit, contract_end, fee_split, personalised_price_split, renewal_rate, renewal_start,
    status_on, validate_signing, validate_termination)
from familydoc_desktop.domain.errors import ContractError
from familydoc_desktop.rulesets import load_ruleset


@pytest.mark.parametrize("start, years, end", [
    (date(2026, 1, 1), 1, date(2026, 12, 31)),
    (date(2026, 1, 1), 2, date(2027, 12, 31)),
    (date(2026, 1, 1), 3, date(2028, 12, 31)),
    (date(2025, 12, 31), 2, date(2027, 12, 30)),
    (date(2023, 3, 1), 1, date(2024, 2, 29)),  # ends on Feb 29
    (date(2021, 3, 1), 3, date(2024, 2, 29)),
    (date(2024, 3, 1), 1, date(2025, 2, 28)),
    (date(2023, 2, 28), 1, date(2024, 2, 27)),
    (date(2024, 2, 29), 1, date(2025, 2, 28)),  # Feb 29 start: anniversary Mar 1
    (date(2024, 2, 29), 2, date(2026, 2, 28)),
    (date(2024, 2, 29), 3, date(2027, 2, 28)),
])
def test_contract_end(start, years, end):
    assert contract_end(start, years) == end
    assert renewal_start(end) == date.fromordinal(end.toordinal() + 1)


@pytest.mark.parametrize("years", [0, 4, -1, 5, True, 1.0, "1", None])
def test_contract_end_rejects_other_terms(years):
    with pytest.raises(ContractError) as exc:
        contract_end(date(2026, 1, 1), years)
    assert exc.value.code == "term" and "1年、2年或3年" in exc.value.message


@pytest.mark.parametrize("prev_end, start", [
    (date(2026, 12, 31), date(2027, 1, 1)), (date(2024, 2, 28), date(2024, 2, 29)),
    (date(2025, 2, 28), date(2025, 3, 1)),
])
def test_renewal_start(prev_end, start):
    assert renewal_start(prev_end) == start


@pytest.mark.parametrize("consent, guardian, code", [
    (ConsentBy.RESIDENT, None, None),
    (ConsentBy.GUARDIAN, "张三", None),
    (None, None, "consent"),
    (ConsentBy.GUARDIAN, None, "guardian"),
    (ConsentBy.GUARDIAN, "  \u3000", "guardian"),
])
def test_validate_signing(consent, guardian, code):
    if code is None:
        assert validate_signing(date(2026, 1, 1), 1, consent, guardian) == date(2026, 12, 31)
    else:
        with pytest.raises(ContractError) as exc:
            validate_signing(date(2026, 1, 1), 1, consent, guardian)
        assert exc.value.code == code


def test_validate_signing_checks_term():
    with pytest.raises(ContractError):
        validate_signing(date(2026, 1, 1), 5, ConsentBy.RESIDENT, None)


START, END = date(2026, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize("reason, consent, note, on, code", [
    (TR.MOVED_AWAY, ConsentBy.RESIDENT, None, date(2026, 6, 1), None),
    (TR.OWN_REQUEST, ConsentBy.GUARDIAN, "", START, None),
    (TR.OTHER, ConsentBy.RESIDENT, "外出务工", END, None),
    (TR.DIED, None, None, date(2026, 6, 1), None),  # no consent possible
    (TR.NO_CONTACT, None, None, date(2026, 6, 1), None),
    (None, ConsentBy.RESIDENT, None, date(2026, 6, 1), "termination_reason"),
    (TR.OTHER, ConsentBy.RESIDENT, None, date(2026, 6, 1), "termination_note"),
    (TR.OTHER, ConsentBy.RESIDENT, "  ", date(2026, 6, 1), "termination_note"),
    (TR.OWN_REQUEST, None, None, date(2026, 6, 1), "consent"),
    (TR.MOVED_AWAY, ConsentBy.RESIDENT, None, date(2025, 12, 31), "termination_date"),
    (TR.MOVED_AWAY, ConsentBy.RESIDENT, None, date(2027, 1, 1), "termination_date"),
])
def test_validate_termination(reason, consent, note, on, code):
    if code is None:
        validate_termination(reason, consent, note, on, START, END)
    else:
        with pytest.raises(ContractError) as exc:
            validate_termination(reason, consent, note, on, START, END)
        assert exc.value.code == code


@pytest.mark.parametrize("terminated, renewed, on, status", [
    (None, False, date(2025, 12, 31), CS.PENDING),
    (None, False, START, CS.ACTIVE),
    (None, False, END, CS.ACTIVE),
    (None, False, date(2027, 1, 1), CS.EXPIRED),
    (None, True, date(2027, 1, 1), CS.RENEWED),
    (None, True, END, CS.ACTIVE),
    (date(2026, 6, 1), False, date(2026, 5, 31), CS.ACTIVE),
    (date(2026, 6, 1), False, date(2026, 6, 1), CS.TERMINATED),
    (date(2026, 6, 1), False, date(2027, 6, 1), CS.TERMINATED),
])
def test_status_on(terminated, renewed, on, status):
    assert status_on(START, END, terminated, renewed, on) == status


@pytest.mark.parametrize("expired, resigned, rate", [
    (set(), {"a"}, None),
    ({"a", "b", "c", "d"}, {"a", "c", "x"}, 0.5),
    ({"a"}, set(), 0.0),
    ({"a", "b"}, {"a", "b"}, 1.0),
])
def test_renewal_rate(expired, resigned, rate):
    assert renewal_rate(expired, resigned) == rate


@pytest.mark.parametrize("name, split, total", [
    ("fees_jilin", (30, 20, 0), 50),  # seed 003 §3
    ("fees_yueyang", (20, 12, 8), 40),  # seed 004
])
def test_fee_presets(name, split, total):
    preset = load_ruleset(name)
    assert preset["version"]
    fs = fee_split(preset)
    assert fs == FeeSplit(*(Decimal(v) for v in split))
    assert fs.total == Decimal(total)


@pytest.mark.parametrize("preset, code", [
    ({"public_health": "30", "insurance": "10", "min_total": "50"}, "fee_total"),
    ({"public_health": "-1", "insurance": "20"}, "fee"),
    ({"public_health": "abc"}, "fee"),
    ({"public_health": "NaN"}, "fee"),
])
def test_fee_split_rejects(preset, code):
    with pytest.raises(ContractError) as exc:
        fee_split(preset)
    assert exc.value.code == code


def test_fee_split_accepts_numbers_and_exact_minimum():
    assert fee_split({"public_health": 30.5, "insurance": 19.5, "min_total": 50}).total == 50


@pytest.mark.parametrize("price, share, cap, personal, insurance", [
    ("200", "0.40", 40, "80.00", "40"),
    ("200", "0.50", 40, "100.00", "40"),
    ("50", "0.45", 40, "22.50", "27.50"),  # rest below the cap
    ("100", "0.40", 40, "40.00", "40"),
    ("99.99", "0.45", 40, "45.00", "40"),  # 44.9955 rounds half up to 45.00
    ("300", "0.40", 30, "120.00", "30"),
])
def test_personalised_price_split(price, share, cap, personal, insurance):
    fs = personalised_price_split(Decimal(price), Decimal(share), Decimal(cap))
    assert (fs.public_health, fs.personal, fs.insurance) == (
        Decimal(0), Decimal(personal), Decimal(insurance))


@pytest.mark.parametrize("share", ["0.39", "0.399", "0.51", "0", "1"])
def test_personalised_share_out_of_range(share):
    with pytest.raises(ContractError) as exc:
        personalised_price_split(Decimal("200"), Decimal(share))
    assert exc.value.code == "personal_share" and "40%—50%" in exc.value.message
