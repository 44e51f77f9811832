"""A PC's own pushed edits are not downloaded again: the pull names them (table, id, seq) and
the PC takes the seq for the rows it holds; a record another device also changed still comes."""
from __future__ import annotations

import pytest
from sqlmodel import select

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from familydoc_desktop.sync.engine import local_digests
from tests.sync.sync_live import PASSWORD


@pytest.fixture
def pcs(tmp_path, live_server):
    dbs = []
    for name in ("doc_a1", "doc_a2"):
        (tmp_path / name).mkdir()
        db = Database(tmp_path / name / "familydoc.db")
        session.login(db, live_server.url, name, PASSWORD)
        dbs.append(db)
    yield dbs
    for db in dbs:
        db.close()


def _rows(db: Database) -> list[tuple]:
    with db.session() as s:
        return list(s.connection().exec_driver_sql("SELECT * FROM resident ORDER BY id"))


def _seqs(db: Database) -> dict[str, int | None]:
    with db.session() as s:
        return {r.id: r.server_seq for r in s.exec(select(Resident))}


def test_47_pushed_edits_are_not_pulled_back(pcs, live_server):
    a, b = pcs
    home = live_server.clinic()
    with b.session() as s:
        for i in range(30):
            s.add(Resident(org_id=home, name=f"乙{i}", sex="female"))
    session.make_engine(b, reconcile=False).run()
    eng_a = session.make_engine(a, reconcile=False)
    assert eng_a.run().pulled == 30
    with a.session() as s:
        existing = s.exec(select(Resident).order_by(Resident.name)).all()
        for r in existing[:27]:
            r.note = "甲机随访"
        for i in range(20):
            s.add(Resident(org_id=home, name=f"甲{i}", sex="male"))
    report = eng_a.run()
    assert report.pushed == 47
    assert report.pulled == 0 and eng_a.seen == 47  # 47 pushed, 0 of them pulled back
    # The rows hold the server's seq, so the digest proves them without a re-pull.
    verify = session.make_engine(a, reconcile=True)
    checked = verify.run()
    assert checked.verified and checked.reconciled_tables == [] and checked.pulled == 0
    eng_b = session.make_engine(b, reconcile=False)
    assert eng_b.run().pulled == 47
    assert _seqs(a) == _seqs(b) and None not in _seqs(a).values()
    assert local_digests(a) == local_digests(b)
    assert _rows(a) == _rows(b)  # every column, not only the seqs


def test_a_record_another_device_also_changed_still_comes(pcs, live_server):
    a, b = pcs
    home = live_server.clinic()
    with a.session() as s:
        r = Resident(org_id=home, name="王五", sex="male")
        s.add(r)
    eng_a, eng_b = (session.make_engine(db, reconcile=False) for db in (a, b))
    eng_a.run()
    eng_b.run()
    with b.session() as s:
        s.get(Resident, r.id).phone = "13900000009"
    eng_b.run()  # after a's cursor: a has not seen this yet
    with a.session() as s:
        s.get(Resident, r.id).note = "甲机备注"
    report = eng_a.run()
    assert report.pulled == 1 and eng_a.seen == 0
    with a.session() as s:
        got = s.get(Resident, r.id)
        assert (got.phone, got.note) == ("13900000009", "甲机备注")
    assert eng_b.run().pulled == 1
    assert _seqs(a) == _seqs(b) and _rows(a) == _rows(b)


def test_a_copy_without_the_row_gets_it_by_the_digest_check(pcs, live_server):
    a, _ = pcs
    home = live_server.clinic()
    with a.session() as s:
        r = Resident(org_id=home, name="赵六", sex="female")
        s.add(r)
    eng = session.make_engine(a, reconcile=False)
    eng.push(lambda *_: None)
    # The row vanishes behind the app's back (an older copy of the file, say) before the pull.
    with a.session(capture=False) as s:
        s.connection().exec_driver_sql("DELETE FROM resident WHERE id = ?", (r.id,))
    report = eng.run()
    assert eng.seen == 1 and report.verified and report.reconciled_tables == ["resident"]
    with a.session() as s:
        assert s.get(Resident, r.id).name == "赵六"
