"""The other services' records travel from a clinic PC to the township PC through a real
server, scoped like every record: the township sees them, the other clinic does not."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from familydoc_desktop.domain.models import LongPrescription, Referral
from familydoc_desktop.store import contracts, residents, services
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from tests.sync.sync_live import PASSWORD


def pc(tmp_path, live_server, user: str) -> Database:
    (tmp_path / user).mkdir()
    db = Database(tmp_path / user / "familydoc.db")
    session.login(db, live_server.url, user, PASSWORD)
    return db


def sync(db: Database):  # noqa: ANN201
    return session.make_engine(db, reconcile=True).run()


@pytest.fixture
def pcs(tmp_path, live_server):
    dbs = [pc(tmp_path, live_server, u) for u in ("doc_a1", "town", "doc_b")]
    yield dbs
    for db in dbs:
        db.close()


def test_referral_and_its_steps_reach_the_township(pcs, live_server):
    clinic, town, other = pcs
    today = date.today()
    with clinic.session() as s:
        r = residents.create_resident(s, org_id=live_server.clinic(), name="钱七", sex="女",
                                      birth_date="1950-01-01")
        contracts.sign_contract(s, resident_id=r.id, start=today - timedelta(days=10), years=1,
                                consent_by="resident")
        residents.add_diagnosis(s, r.id, "diabetes", "2020-01-01")
        ref = services.add_referral(s, resident_id=r.id, direction="up", receiving_unit="县人民医院",
                                    reason="胸痛", urgent=True)
        rx = services.add_long_prescription(s, resident_id=r.id, weeks=12,
                                            drugs=["二甲双胍片 0.5g 每日三次"])
        short = services.add_drug_shortage(s, resident_id=r.id, drug_name="胰岛素")
        services.earn_points(s, resident_id=r.id, points=10, reason="checkup")
        services.redeem_points(s, resident_id=r.id, points=3, for_what="控盐勺")
    assert sync(clinic).pending == 0
    sync(town), sync(other)
    with town.session() as s:
        got = s.get(Referral, ref.id)
        assert (got.direction, got.receiving_unit, got.reason, got.urgent, got.status) == (
            "up", "县人民医院", "胸痛", True, "sent")
        got = s.get(LongPrescription, rx.id)
        assert (got.weeks, got.end_date, got.drugs) == (12, today + timedelta(weeks=12),
                                                        "二甲双胍片 0.5g 每日三次")
        assert services.points_balance(s, r.id) == 7
        (seen,) = services.shortage_list(s, open_only=True)  # the township sees where
        assert (seen.shortage.id, seen.clinic, seen.name) == (short.id, "东村卫生室", "钱七")
    with other.session() as s:  # another clinic's PC never receives it
        assert s.get(Referral, ref.id) is None and s.get(LongPrescription, rx.id) is None
    with clinic.session() as s:
        services.set_referral_status(s, ref.id, "received")
        services.resolve_drug_shortage(s, short.id, resolution="已采购")
    sync(clinic), sync(town)
    with town.session() as s:
        got = s.get(Referral, ref.id)
        assert (got.status, got.received_on) == ("received", today)
        assert services.shortage_list(s, open_only=True) == []


def test_health_pushes_reach_the_township_not_the_other_clinic(pcs, live_server):
    """A group push made on a clinic PC arrives on the township PC row for row (same batch),
    counts there in the short-of-12 list and the report, and never reaches another clinic."""
    from familydoc_desktop.domain.models import HealthPush
    from familydoc_desktop.store.report import township_report

    clinic, town, other = pcs
    today = date.today()
    with clinic.session() as s:
        people = []
        for name in ("孙大娘", "李大爷"):
            r = residents.create_resident(s, org_id=live_server.clinic(), name=name, sex="女",
                                          birth_date="1950-01-01")
            contracts.sign_contract(s, resident_id=r.id, start=today - timedelta(days=10),
                                    years=1, consent_by="resident")
            people.append(r.id)
        sent = services.add_pushes(s, resident_ids=people, topic="冬季防跌倒", channel="wechat")
    assert sync(clinic).pending == 0
    sync(town), sync(other)
    with town.session() as s:
        got = [s.get(HealthPush, p.id) for p in sent]
        assert [(g.resident_id, g.topic, g.channel, g.on_date, g.batch_id, g.org_id)
                for g in got] == [(p.resident_id, "冬季防跌倒", "wechat", today, sent[0].batch_id,
                                   live_server.clinic()) for p in sent]
        assert services.pushes_this_year(s, people[0], today) == 1
        listed = {r.id: r.pushes for r in services.push_due_list(s, limit=10_000)}
        assert listed[people[0]] == 1 and listed[people[1]] == 1
        assert township_report(s, on=today).total.values["health_push_12"] == 0
    with other.session() as s:
        assert all(s.get(HealthPush, p.id) is None for p in sent)
