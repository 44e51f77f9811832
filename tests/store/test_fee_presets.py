"""A fee preset is a fee rule set: anything else is refused in Chinese, nothing signed."""
from __future__ import annotations

from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.contracts import require_fee_ruleset
from familydoc_desktop.domain.errors import ContractError
from familydoc_desktop.domain.models import Contract
from familydoc_desktop.store import contracts, residents


def _resident(db):
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="王秀英",
                                      id_number="11010519491231002X")
        contracts.seed_package_catalogue(s, db.clinic_id)
        return r.id


def _contracts(db) -> int:
    from sqlmodel import select
    with db.session() as s:
        return len(list(s.exec(select(Contract))))


@pytest.mark.parametrize("preset, words", [
    ("ledger_default", "不是签约服务费标准"), ("visits_default", "不是签约服务费标准"),
    ("fees_nowhere", "找不到收费标准"), ("../fees_jilin", "找不到收费标准")])
def test_non_fee_or_unknown_preset_is_refused(db, preset, words):
    rid = _resident(db)
    with pytest.raises(ContractError) as err, db.session() as s:
        contracts.sign_contract(s, resident_id=rid, start=date.today(), years=1,
                                consent_by="resident", fee_preset=preset)
    assert words in err.value.message
    assert _contracts(db) == 0


def test_fee_presets_sign_with_their_amounts(db):
    rid = _resident(db)
    with db.session() as s:
        c = contracts.sign_contract(s, resident_id=rid, start=date.today(), years=1,
                                    consent_by="resident", fee_preset="fees_jilin.json")
        assert (c.fee_public_health_fen, c.fee_insurance_fen) == (3000, 2000)
        assert c.fee_preset == "fees_jilin"


def test_rule_needs_the_fees_kind_and_amounts():
    with pytest.raises(ContractError):
        require_fee_ruleset("x", {"kind": "ledger", "red": []})
    with pytest.raises(ContractError) as err:
        require_fee_ruleset("x", {"kind": "fees", "public_health": "30"})
    assert "insurance" in err.value.message
    assert require_fee_ruleset("x", {"kind": "fees", "public_health": "30", "insurance": "20",
                                     "personal": "0"})


def test_cli_refuses_a_ledger_preset_in_chinese(cli_db, capsys):
    rid = _resident(cli_db)
    code = main(["--data-dir", str(cli_db.path.parent), "contract", "sign", rid,
                 "--fee-preset", "ledger_default"])
    err = capsys.readouterr().err
    assert code != 0
    assert "不是签约服务费标准" in err and "Traceback" not in err
    assert _contracts(cli_db) == 0
