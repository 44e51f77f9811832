"""A PC whose date is wrong, against a real server: edits stamped a year ahead are refused
(`clock_ahead`), set aside with a Chinese reason while the rest goes up; once the date is
right the clock restarts and they go up re-stamped, in the order they were made. A clock
that fell back to 1970 does not restart (it would stamp edits before ones already made)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from familydoc_desktop.domain.hlc import FOLLOW_AHEAD_MS, Timestamp
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import changes
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import health, outbox, outcome, session
from tests.sync.sync_live import PASSWORD

YEAR_MS = 365 * 24 * 3_600_000
REAL_WALL = changes.wall_ms


@pytest.fixture
def pcs(tmp_path, live_server, monkeypatch):
    """Two PCs of one clinic; `skew[0]` is how far the PCs' wall clock is off (both PCs live
    in this process: the test sets it around each PC's turn)."""
    skew = [0]
    monkeypatch.setattr(changes, "wall_ms", lambda: REAL_WALL() + skew[0])
    dbs = []
    for name in ("doc_a1", "doc_a2"):
        (tmp_path / name).mkdir()
        db = Database(tmp_path / name / "familydoc.db")
        session.login(db, live_server.url, name, PASSWORD)
        dbs.append(db)
    yield dbs, skew
    for db in dbs:
        db.close()


def _residents(db: Database) -> dict[str, tuple]:
    with db.session() as s:
        return {r.name: (r.phone, r.note, r.deleted) for r in s.exec(select(Resident))}


def _resident(db: Database, name: str) -> Resident:
    with db.session() as s:
        return s.exec(select(Resident).where(Resident.name == name)).one()


def test_a_pc_a_year_ahead_sets_its_edits_aside_then_sends_them_once_its_date_is_right(
        pcs, live_server):
    (a, b), skew = pcs
    home = live_server.clinic()
    with b.session() as s:
        s.add(Resident(org_id=home, name="周一", sex="female", phone="13900000001"))
    eng_b = session.make_engine(b, reconcile=False)
    eng_b.run()
    with b.session() as s:  # made while the date was right, not yet synced
        s.add(Resident(org_id=home, name="周零", sex="male"))

    skew[0] = YEAR_MS  # the PC's date goes a year ahead
    with b.session() as s:
        s.exec(select(Resident).where(Resident.name == "周一")).one().phone = "13900000002"
        s.add(Resident(org_id=home, name="周二", sex="female"))
    report = eng_b.run()
    assert report.refused == 2 and report.pushed == 1 and report.pending == 0
    assert any("本机时钟超前" in w for w in report.warnings), report.warnings
    assert not report.clock_restarted  # the server says the PC is a year ahead: no restart
    aside = outcome.set_aside_changes(b)
    assert len(aside) == 2 and {c.kind for c in aside} == {outcome.REFUSED}
    assert all(c.reason.startswith("本机时钟超前") for c in aside)
    assert {c.whose for c in aside} == {"周一", "周二"}
    sent = health.build(b, sync_ok=True, clock_offset_ms=None)  # what the township sees
    assert sent.refused == 2 and sent.refused_reasons[0].reason.startswith("本机时钟超前")

    skew[0] = 0
    eng_a = session.make_engine(a, reconcile=False)
    eng_a.run()  # the rest went up in that same round: 周零 is there, the refused are not
    assert _residents(a) == {"周一": ("13900000001", None, False),
                             "周零": (None, None, False)}

    skew[0] = YEAR_MS  # still ahead: a further edit of the refused new record waits as well
    with b.session() as s:
        s.exec(select(Resident).where(Resident.name == "周二")).one().note = "行动不便"
    assert eng_b.run().refused == 1
    with b.session() as s:
        assert len(outbox.refused_changes(s)) == 3

    skew[0] = 0  # the date is put right; an edit made before the next sync is stamped ahead
    with b.session() as s:
        s.exec(select(Resident).where(Resident.name == "周一")).one().phone = "13900000003"
    report = eng_b.run()
    assert report.clock_restarted and report.requeued == 3
    assert report.pushed == 4 and report.refused == 0 and report.pending == 0
    assert outcome.set_aside_changes(b) == []
    assert b.capture.clock.last.millis < REAL_WALL() + FOLLOW_AHEAD_MS
    assert Timestamp.parse(_resident(b, "周一").hlc).millis < REAL_WALL() + FOLLOW_AHEAD_MS

    eng_a.run()  # every edit arrived, the later phone over the earlier one
    expected = {"周一": ("13900000003", None, False), "周零": (None, None, False),
                "周二": (None, "行动不便", False)}
    assert _residents(a) == expected
    assert eng_b.run().pushed == 0 and _residents(b) == expected
    # And nothing is refused later: a new edit goes up at once.
    with b.session() as s:
        s.exec(select(Resident).where(Resident.name == "周零")).one().note = "复诊"
    again = eng_b.run()
    assert (again.pushed, again.refused, again.clock_restarted) == (1, 0, False)


def test_a_pc_clock_fallen_back_to_1970_keeps_counting_and_syncs(pcs, live_server,
                                                                 monkeypatch):
    (a, b), skew = pcs
    home = live_server.clinic()
    with b.session() as s:
        s.add(Resident(org_id=home, name="吴一", sex="female"))
    eng_b = session.make_engine(b, reconcile=False)
    eng_b.run()
    last = b.capture.clock.last
    monkeypatch.setattr(changes, "wall_ms", lambda: 1_000)  # dead CMOS battery: 1970
    with b.session() as s:
        s.exec(select(Resident).where(Resident.name == "吴一")).one().note = "复诊"
    report = eng_b.run()
    assert not report.clock_restarted and report.pushed == 1 and report.refused == 0
    assert any("本机时钟与服务器相差" in w for w in report.warnings)
    assert b.capture.clock.last > last  # counted on from the last stamp, never back
    assert Timestamp.parse(_resident(b, "吴一").hlc) > last
    monkeypatch.setattr(changes, "wall_ms", lambda: REAL_WALL() + skew[0])
    session.make_engine(a, reconcile=False).run()
    assert _residents(a) == {"吴一": (None, "复诊", False)}


def test_correct_requeues_only_clock_refusals_and_only_when_the_server_agrees(tmp_path,
                                                                             monkeypatch):
    from familydoc_desktop.sync import clock

    skew = [YEAR_MS]
    monkeypatch.setattr(changes, "wall_ms", lambda: REAL_WALL() + skew[0])
    db = Database(tmp_path / "pc.db")
    with db.session() as s:
        s.add(Resident(org_id="o", name="郑一", sex="male"))
    with db.session() as s:
        s.exec(select(Resident)).one().note = "甲"
    with db.session(capture=False) as s:
        first, second = (e.mutation_id for e in outbox.read_batch(s))
        outbox.set_aside(s, first, "无权访问该机构的数据")  # a scope refusal: stays aside
    assert [c["op"] for c in clock.set_aside(db, [second])] == ["update"]
    skew[0] = 0
    assert clock.correct(db, offset_ms=None) == clock.Correction()  # server time unknown
    assert clock.correct(db, offset_ms=-YEAR_MS) == clock.Correction()  # still disagrees
    fix = clock.correct(db, offset_ms=200)
    assert (fix.restarted, fix.requeued) == (True, 1)
    with db.session(capture=False) as s:
        (entry,) = outbox.read_batch(s)
        assert entry.op == "update" and entry.changes == '{"note":"甲"}'
        assert Timestamp.parse(entry.hlc).millis <= REAL_WALL()
        assert [r["kind"] for r in outbox.refused_changes(s)] == ["scope"]
    assert clock.correct(db, offset_ms=200) == clock.Correction()  # nothing left to do
    db.close()
