"""normalize_phone: every typed form of a mobile or landline -> one stored form; the rest is
refused with a Chinese message naming the value."""
import pytest

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.phone import PhoneError, normalize_phone


@pytest.mark.parametrize("typed, stored", [
    ("13800000001", "13800000001"),
    ("138 0000 0003", "13800000003"),
    ("138-0000-0003", "13800000003"),
    ("138.0000.0003", "13800000003"),
    (" 13800000003\u3000", "13800000003"),
    ("１３８０００００００１", "13800000001"),  # full-width digits
    ("+86 13800000004", "13800000004"),
    ("＋８６－１３８０００００００４", "13800000004"),
    ("0086 138 0000 0004", "13800000004"),
    ("8613800000004", "13800000004"),
    ("(+86)13800000004", "13800000004"),
    ("0431-81234567", "0431-81234567"),
    ("043181234567", "0431-81234567"),
    ("(0431)81234567", "0431-81234567"),
    ("（0431）8123 4567", "0431-81234567"),
    ("0431—8123456", "0431-8123456"),  # em dash, 7-digit number
    ("010-62345678", "010-62345678"),
    ("01062345678", "010-62345678"),  # 010 is a 3-digit area code
    ("02162345678", "021-62345678"),
    ("81234567", "81234567"),
    ("8123456", "8123456"),
    ("0431-81234567-123", "0431-81234567-123"),
    ("0431-81234567转123", "0431-81234567-123"),
    ("0431 81234567 分机 8", "0431-81234567-8"),
    ("0431-81234567 ext. 123456", "0431-81234567-123456"),
    ("81234567-12", "81234567-12"),
])
def test_accepted_forms(typed, stored):
    assert normalize_phone(typed) == stored
    assert len(stored) <= 20  # fits resident.phone VARCHAR(20)


@pytest.mark.parametrize("typed", [
    "abc", "12345", "1380000000", "138000000012", "23800000001", "+86 23800000001",
    "86 1380000000", "1234567", "0123-81234567", "0431-123", "0431-81234567-1234567",
    "13800000001转12", "1" * 22, "13800000001/13900000002", "138****1111", "电话13800000001",
    "\u0661" * 11,  # Arabic-Indic digits: NFKC keeps them, the database must not
])
def test_refused_forms_name_the_value(typed):
    with pytest.raises(PhoneError) as info:
        normalize_phone(typed)
    assert isinstance(info.value, DomainError) and info.value.code == "phone"
    assert f"“{typed}”" in info.value.message and "手机号" in info.value.message


@pytest.mark.parametrize("typed", ["", "   "])
def test_empty(typed):
    with pytest.raises(PhoneError, match="不能为空"):
        normalize_phone(typed)
