"""Home sickbed admit / round / discharge and the ledger's open-sickbed red."""
from datetime import date

import pytest

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import contracts, ledger, residents, sickbeds

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="王秀英",
                                      id_number="11010519491231002X", today=TODAY)
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                                consent_by="resident", today=TODAY)
        return r.id


def admit(s, rid, **kw):
    kw.setdefault("admitted_on", date(2026, 5, 1))
    kw.setdefault("bed_type", "rehabilitation")
    kw.setdefault("diagnosis", "脑卒中恢复期")
    return sickbeds.admit(s, resident_id=rid, today=TODAY, **kw)


def test_lifecycle_and_ledger(db, rid):
    with db.session() as s:
        bed = admit(s, rid, doctor_id="d1", care_plan="每周查床")
        assert ledger.current_colour(s, rid) == "red"
        with pytest.raises(DomainError, match="不能重复建床"):
            admit(s, rid)
        sickbeds.record_round(s, bed.id, round_date=date(2026, 5, 8), findings="好转", today=TODAY)
        with pytest.raises(DomainError, match="查床日期不能早于建床日期"):
            sickbeds.record_round(s, bed.id, round_date=date(2026, 4, 30), today=TODAY)
        with pytest.raises(DomainError, match="撤床须选择转归"):
            sickbeds.discharge(s, bed.id, discharged_on=date(2026, 5, 20), outcome="gone",
                               today=TODAY)
        bed, warnings = sickbeds.discharge(s, bed.id, discharged_on=date(2026, 5, 20),
                                           outcome="improved", today=TODAY)
        assert warnings == [] and sickbeds.open_sickbeds(s) == []
        assert ledger.current_colour(s, rid) == "green"  # red reason gone; 76, no chronic disease
        with pytest.raises(DomainError, match="查床日期不能晚于撤床日期"):
            sickbeds.record_round(s, bed.id, round_date=date(2026, 5, 21), today=TODAY)
        with pytest.raises(DomainError, match="已撤床"):
            sickbeds.discharge(s, bed.id, discharged_on=date(2026, 5, 21), outcome="cured",
                               today=TODAY)
        assert [r.round_date for r in sickbeds.rounds_for(s, bed.id)] == [date(2026, 5, 8)]


@pytest.mark.parametrize("kw, message", [
    ({"bed_type": "luxury"}, "家庭病床类型"),
    ({"diagnosis": " "}, "建床须填写诊断"),
    ({"admitted_on": date(2026, 6, 2)}, "建床日期不能晚于今天"),
    ({"applied_on": date(2026, 5, 2)}, "申请日期不能晚于建床日期"),
])
def test_admission_refused(db, rid, kw, message):
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            admit(s, rid, **kw)
    with db.session() as s:
        assert sickbeds.sickbeds_for(s, rid) == []


def test_long_episode_warns(db, rid):
    with db.session() as s:
        bed = admit(s, rid, admitted_on=date(2026, 1, 2))
        _bed, warnings = sickbeds.discharge(s, bed.id, discharged_on=date(2026, 5, 31),
                                            outcome="unchanged", today=TODAY)
        assert any("超过单次 90 天的上限" in w for w in warnings)
