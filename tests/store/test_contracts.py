"""Sign / renew / terminate / expire contracts; fees from the regional preset; catalogue."""
from datetime import date

import pytest

from familydoc_desktop.domain.errors import ContractError, DomainError
from familydoc_desktop.store import contracts, residents

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    with db.session() as s:
        contracts.seed_package_catalogue(s, db.clinic_id)
        return residents.create_resident(s, org_id=db.clinic_id, name="王秀英",
                                         id_number="11010519491231002X", today=TODAY).id


def sign(s, rid, **kw):
    kw.setdefault("start", date(2026, 1, 1))
    kw.setdefault("years", 1)
    kw.setdefault("consent_by", "resident")
    return contracts.sign_contract(s, resident_id=rid, today=TODAY, **kw)


def test_sign_sets_term_fees_team_and_basic_package(db, rid):
    with db.session() as s:
        c = sign(s, rid, package_ids=[contracts.package_by_code(s, "CHRONIC-2").id])
        assert (c.status, c.end_date, c.term_years) == ("active", date(2026, 12, 31), 1)
        assert (c.fee_public_health_fen, c.fee_insurance_fen, c.fee_personal_fen) == (3000, 2000, 0)
        assert c.team_id and c.doctor_id  # default team so signing works offline
        pk = {s.get(contracts.ServicePackage, p.package_id).code: p
              for p in contracts.packages_of(s, c.id)}
        assert set(pk) == {"BASIC", "CHRONIC-2"}
        # 240 yuan city price: personal 40 % = 96, insurance capped at 40 (seed 003 §3.2)
        assert (pk["CHRONIC-2"].personal_fen, pk["CHRONIC-2"].insurance_fen) == (9600, 4000)


def test_yueyang_preset(db, rid):
    with db.session() as s:
        c = sign(s, rid, fee_preset="fees_yueyang")
        assert (c.fee_public_health_fen, c.fee_insurance_fen, c.fee_personal_fen) == (2000, 1200, 800)


@pytest.mark.parametrize("kw, message", [
    ({"years": 4}, "签约期限只能是1年、2年或3年"),
    ({"consent_by": None}, "知情同意"),
    ({"consent_by": "guardian"}, "须填写监护人姓名"),
    ({"start": date(2020, 1, 1)}, "已过，不能签约"),
])
def test_sign_refused(db, rid, kw, message):
    with pytest.raises(ContractError, match=message):
        with db.session() as s:
            sign(s, rid, **kw)
    with db.session() as s:
        assert contracts.contracts_for(s, rid) == []


def test_one_open_contract_per_resident(db, rid):
    with db.session() as s:
        sign(s, rid)
    with pytest.raises(ContractError, match="该居民已有有效签约"):
        with db.session() as s:
            sign(s, rid, start=date(2026, 3, 1))


def test_renew_starts_day_after_and_links(db, rid):
    with db.session() as s:
        old = sign(s, rid)
        new = contracts.renew_contract(s, old.id, years=2, consent_by="guardian",
                                       guardian_name="王大", today=TODAY)
        assert (new.start_date, new.end_date, new.previous_id) == (
            date(2027, 1, 1), date(2028, 12, 31), old.id)
        assert new.status == "pending" and old.status == "renewed"
        assert contracts.active_contract(s, rid, TODAY).id == old.id  # old runs to its end
        assert contracts.active_contract(s, rid, date(2027, 2, 1)).id == new.id
        with pytest.raises(ContractError, match="只有履约中或已到期的协议可以续签"):
            contracts.renew_contract(s, old.id, years=1, consent_by="resident", today=TODAY)


def test_terminate_rules(db, rid):
    with db.session() as s:
        c = sign(s, rid)
        with pytest.raises(ContractError, match="须填写说明"):
            contracts.terminate_contract(s, c.id, reason="other", on=TODAY, consent_by="resident")
        with pytest.raises(ContractError, match="知情同意"):
            contracts.terminate_contract(s, c.id, reason="own_request", on=TODAY, consent_by=None)
        with pytest.raises(ContractError, match="解约日期须在协议期内"):
            contracts.terminate_contract(s, c.id, reason="moved_away", on=date(2027, 2, 1),
                                         consent_by="resident")
        contracts.terminate_contract(s, c.id, reason="died", on=TODAY, consent_by=None)
        assert (c.status, c.terminated_on, c.termination_reason) == ("terminated", TODAY, "died")
        assert contracts.active_contract(s, rid, TODAY) is None
        sign(s, rid, start=TODAY)  # a new contract may follow a terminated one


def test_expire_contracts(db, rid):
    with db.session() as s:
        c = sign(s, rid)
        assert contracts.expire_contracts(s, date(2026, 12, 31)) == 0
        assert contracts.expire_contracts(s, date(2027, 1, 1)) == 1
        assert c.status == "expired"


def test_catalogue_seeded_once_with_public_health_flag(db, rid):
    with db.session() as s:
        assert contracts.seed_package_catalogue(s, db.clinic_id) == []
        basic = contracts.package_by_code(s, "BASIC")
        assert basic.kind == "basic" and basic.public_health
        kinds = {p.category for p in contracts.packages(s, "personalised")}
        assert {"rehabilitation", "home_visit", "home_sickbed", "chronic", "tcm"} <= kinds
        tiers = {p.tier for p in contracts.packages(s) if p.category == "chronic"}
        assert tiers == {"basic", "intermediate", "advanced"}


def test_unknown_resident(db):
    with pytest.raises(DomainError, match="找不到该居民"):
        with db.session() as s:
            sign(s, "nope")
