"""A health check-up and a yearly follow-up recorded on a clinic PC reach the township PC
through a real server with every check-up field; the township's due list and report count
them, and another clinic never receives them."""
from __future__ import annotations

from datetime import date, timedelta

from familydoc_desktop.domain.models import FollowupVisit
from familydoc_desktop.store import contracts, due, residents, visits
from familydoc_desktop.store.report import township_report
from tests.sync.test_services_sync import pcs, sync  # noqa: F401 - the fixture


def test_checkup_and_yearly_follow_up_reach_the_township(pcs, live_server):  # noqa: F811
    clinic, town, other = pcs
    today = date.today()
    with clinic.session() as s:
        r = residents.create_resident(s, org_id=live_server.clinic(), name="孙八", sex="男",
                                      birth_date="1950-01-01")
        # 3-year contract signed 330 days ago: the last 90 days of its first contract year
        contracts.sign_contract(s, resident_id=r.id, start=today - timedelta(days=330),
                                years=3, consent_by="resident")
        rid = r.id
    sync(clinic), sync(town)
    with town.session() as s:
        kinds = sorted(x.kind for x in due.due_list(s, today) if x.resident_id == rid)
        assert kinds == ["annual_followup", "checkup"]
    with clinic.session() as s:
        chk = visits.record_followup(
            s, resident_id=rid, kind="checkup", visit_date=today, method="clinic", sbp=142,
            dbp=86, heart_rate=70, weight=68.5, height=170, fasting_glucose=6.1,
            lifestyle="吸烟20年", findings="血压偏高；空腹血糖偏高", conclusion="abnormal",
            health_advice="戒烟，三个月复查血糖").visit
        general = visits.record_followup(s, resident_id=rid, kind="general", visit_date=today,
                                         method="phone").visit
        ids = (chk.id, general.id)
    assert sync(clinic).pending == 0
    sync(town), sync(other)
    with town.session() as s:
        got = s.get(FollowupVisit, ids[0])
        assert (got.kind, got.sbp, got.weight, got.fasting_glucose, got.lifestyle, got.findings,
                got.conclusion, got.health_advice) == (
            "checkup", 142, 68.5, 6.1, "吸烟20年", "血压偏高；空腹血糖偏高", "abnormal",
            "戒烟，三个月复查血糖")
        assert s.get(FollowupVisit, ids[1]).kind == "general"
        assert [x for x in due.due_list(s, today) if x.resident_id == rid
                and x.kind in ("annual_followup", "checkup")] == []
        v = township_report(s, on=today, start=date(today.year, 1, 1)).total.values
        assert (v["checkup_65_done"], v["aged_65_signed"]) == (1, 1)
        assert v["annual_followup_done"] == 1
    with other.session() as s:
        assert s.get(FollowupVisit, ids[0]) is None
