import pytest

from familydoc_desktop.domain.errors import (
    ContractError, DomainError, IdNumberError, RulesetError, SickbedError, VitalsError)


@pytest.mark.parametrize("cls", [DomainError, IdNumberError, VitalsError, ContractError,
                                 RulesetError, SickbedError])
def test_error_carries_code_and_chinese_message(cls):
    err = cls("checksum", "身份证号校验位错误")
    assert isinstance(err, ValueError) and isinstance(err, DomainError)
    assert err.code == "checksum"
    assert err.message == str(err) == "身份证号校验位错误"
