from datetime import date

import pytest
from hypothesis import given, strategies as st

from familydoc_desktop.domain.codes import Sex
from familydoc_desktop.domain.errors import IdNumberError
from familydoc_desktop.domain.idcard import (
    check_digit, is_valid_id, mask_id, mask_phone, normalize_id, parse_id, upgrade_15)

SAMPLE = "11010519491231002X"  # domain.md sample


# Expected check chars derived by hand: sum(digit*weight) mod 11 -> "10X98765432".
# 11010519491231002: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 % 11 = 2 -> X
# 44030819900307123: 28+36+0+15+0+32+2+9+54+0+0+27+0+35+8+8+6 = 260; 260 % 11 = 7 -> 5
# 00000000000000000: 0 -> 1 ; 10000000000000000: 7 % 11 = 7 -> 5
@pytest.mark.parametrize("first17, expected", [
    ("11010519491231002", "X"),
    ("44030819900307123", "5"),
    ("00000000000000000", "1"),
    ("10000000000000000", "5"),
    ("01000000000000000", "3"),  # 9 % 11 = 9 -> 3
    ("00100000000000000", "2"),  # 10 % 11 = 10 -> 2
    ("00000000000000001", "X"),  # 2 % 11 = 2 -> X
])
def test_check_digit(first17, expected):
    assert check_digit(first17) == expected


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100a"])
def test_check_digit_rejects_non_17_digits(bad):
    with pytest.raises(IdNumberError):
        check_digit(bad)


@pytest.mark.parametrize("raw, expected", [
    (SAMPLE, SAMPLE),
    ("11010519491231002x", SAMPLE),
    (" 110105 1949 1231 002x\t", SAMPLE),
    ("\u3000110105\u300019491231002X\u3000", SAMPLE),
    ("１１０１０５１９４９１２３１００２Ｘ", SAMPLE),
    ("１１０１０５１９４９１２３１００２ｘ", SAMPLE),
    ("\ufeff11010519491231002X\u200b", SAMPLE),
    ("", ""),
])
def test_normalize_id(raw, expected):
    assert normalize_id(raw) == expected


@pytest.mark.parametrize("id15, expected", [
    ("110105491231002", SAMPLE),
    ("440308900307123", "440308199003071235"),
    ("１１０１０５４９１２３１００２", SAMPLE),
])
def test_upgrade_15(id15, expected):
    assert upgrade_15(id15) == expected


@pytest.mark.parametrize("raw, number, birth, sex", [
    (SAMPLE, SAMPLE, date(1949, 12, 31), Sex.FEMALE),  # 17th digit 2 -> female
    ("11010519491231002x", SAMPLE, date(1949, 12, 31), Sex.FEMALE),
    ("110105491231002", SAMPLE, date(1949, 12, 31), Sex.FEMALE),
    ("440308199003071235", "440308199003071235", date(1990, 3, 7), Sex.MALE),  # 3 odd
    ("440308900307123", "440308199003071235", date(1990, 3, 7), Sex.MALE),
])
def test_parse_id_valid(raw, number, birth, sex):
    info = parse_id(raw, today=date(2026, 1, 1))
    assert (info.number, info.area_code, info.birth_date, info.sex) == (
        number, number[:6], birth, sex)
    assert is_valid_id(raw, today=date(2026, 1, 1))


def _with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize("raw, code", [
    ("", "empty"),
    ("   \u3000", "empty"),
    ("11010519491231002Y", "chars"),
    ("1101051949-1231002X", "chars"),
    ("11010519491231002X1", "length"),
    ("1101051949123100", "length"),
    ("1101054912310X2", "chars"),  # X inside a 15-digit number
    ("110105194912310X2X", "chars"),  # X not in last place
    ("110105194912310021", "checksum"),  # correct is X
    ("110105199003071234", "checksum"),
    (_with_check("11010519490230002"), "birth_date"),  # Feb 30 does not exist
    (_with_check("11010519491301002"), "birth_date"),  # month 13
    (_with_check("11010519000229002"), "birth_date"),  # 1900 is not a leap year
    (_with_check("11010518791231002"), "birth_date"),  # before 1880
    (_with_check("11010520260102002"), "birth_date"),  # after today (2026-01-01)
    ("110105490230002", "birth_date"),  # 15-digit with impossible date
])
def test_parse_id_errors(raw, code):
    with pytest.raises(IdNumberError) as exc:
        parse_id(raw, today=date(2026, 1, 1))
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))  # Chinese message
    assert not is_valid_id(raw, today=date(2026, 1, 1))


def test_checksum_message():
    with pytest.raises(IdNumberError, match="身份证号校验位错误"):
        parse_id("110105194912310021")


@pytest.mark.parametrize("birth, ok", [("20000229", True), ("18800101", True),
                                       ("20260101", True)])
def test_birth_date_edges(birth, ok):
    assert is_valid_id(_with_check("110105" + birth + "002"), today=date(2026, 1, 1)) is ok


@pytest.mark.parametrize("number, masked", [
    (SAMPLE, "110105********002X"),
    ("110105491231002", "110105*****1002"),
    ("1234567890", "**********"),
    ("", ""),
])
def test_mask_id(number, masked):
    assert mask_id(number) == masked


@pytest.mark.parametrize("phone, masked", [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("0431-88886666", "043******6666"),
    ("1234567", "*******"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


_dates = st.dates(min_value=date(1880, 1, 1), max_value=date(2025, 12, 31))


@given(area=st.from_regex(r"\A[0-9]{6}\Z"), born=_dates, seq=st.from_regex(r"\A[0-9]{3}\Z"))
def test_generated_numbers_parse(area, born, seq):
    first17 = area + born.strftime("%Y%m%d") + seq
    info = parse_id(first17 + check_digit(first17), today=date(2026, 1, 1))
    assert info.birth_date == born
    assert info.sex == (Sex.MALE if int(seq[-1]) % 2 else Sex.FEMALE)


@given(st.from_regex(r"\A[0-9]{17}\Z"), st.sampled_from("0123456789X"))
def test_check_digit_agrees_with_independent_mod11_2(first17, last):
    # ISO 7064 MOD 11-2: weights are 2^(17-i) mod 11; a valid number sums to 1 mod 11.
    assert _sum_ok(first17 + last) == (check_digit(first17) == last)


def _sum_ok(number):  # independent MOD 11-2 check: sum over all 18 with X=10 is 1 mod 11
    weights = [2 ** (17 - i) % 11 for i in range(18)]
    values = [10 if c == "X" else int(c) for c in number]
    return sum(v * w for v, w in zip(values, weights)) % 11 == 1


@given(st.text(alphabet="0123456789xX１２３ｘ \u3000\t", max_size=30))
def test_normalize_is_idempotent(raw):
    once = normalize_id(raw)
    assert normalize_id(once) == once
    assert " " not in once and "x" not in once
