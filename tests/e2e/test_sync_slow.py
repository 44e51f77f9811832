"""Slow-mode scenarios (skipped by default; `--slow` or FAMILYDOC_SLOW=1, README "Tests"), real
server and real PCs as in the property test:

* a PC offline for 90 days accumulates 5,000 pending edits while another PC of its clinic
  keeps syncing, then comes back (its first push dropped after the server answered): both
  converge, nothing is lost, nothing is doubled, and exactly the expected conflicts appear;
* a PC whose clock is a year ahead and one a year behind sync with an honest PC: the ahead
  PC's edits are refused and kept on it, the others' go through; once the dates are put right
  all three converge and no edit is lost.

The PCs' wall clock is `changes.wall_ms`, the one the change capture stamps with; the
server keeps the real clock.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from tests.e2e.test_sync_property import (Replica, assert_nothing_lost, live_world, record_edit,
                                        snapshot)
from tests.sync.sync_live import LiveServer

from familydoc_desktop.domain.hlc import REFUSE_AHEAD_MS
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import changes
from familydoc_desktop.sync import outbox

pytestmark = [pytest.mark.slow, pytest.mark.slowmode]
DAY_MS = 24 * 3600 * 1000
YEAR_MS = 365 * DAY_MS
REAL_WALL = changes.wall_ms


@pytest.fixture
def world():
    with live_world("fd-slow-") as w:
        yield w


def server_residents(server: LiveServer) -> int:
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM record WHERE table_name = 'resident'")
                         ).scalar_one()
    engine.dispose()
    return n


def by_name(db, names: list[str]) -> list[Resident]:  # noqa: ANN001
    """Residents in the order of `names` (unique test names)."""
    with db.session() as s:
        found = {r.name: r for r in s.exec(select(Resident).where(Resident.name.in_(names)))}
    return [found[n] for n in names]


def sync_until_quiet(replicas: list[Replica], clock: dict, offsets: list[int]) -> None:
    for _ in range(8):
        quiet = True
        for rep, off in zip(replicas, offsets):
            clock["offset"] = off
            report = rep.sync()
            if report is None or report.pushed or report.pulled or report.pending:
                quiet = False
        if quiet:
            return
    raise AssertionError("replicas did not become quiet")


def test_pc_offline_90_days_with_5000_pending_edits(world):
    root, server, clock, replicas = world
    home = server.clinic()

    def day(d: int) -> None:  # the PCs' calendar: day 0 is 90 days ago, day 90 is today
        clock["offset"] = -(90 - d) * DAY_MS

    day(0)
    a = Replica(root, server, "doc_a1", 0)
    b = Replica(root, server, "doc_a2", 0)
    replicas += [a, b]
    shared = [f"共{i:04d}" for i in range(1000)]
    with b.db.session() as s:
        for i, name in enumerate(shared):
            s.add(Resident(org_id=home, name=name, sex="male", phone=f"137{i:08d}"))
    assert b.sync().pending == 0
    assert a.sync().pulled == 1000

    # Who edits what (index ranges of `shared`), and what the server must make of it.
    a_phone_late, a_phone_early = range(0, 50), range(50, 100)  # B edits them too (auto)
    a_phone_alone = range(100, 300)
    a_name_both, a_name_alone = range(300, 350), range(350, 500)  # review field: 50 open
    a_notes_thrice = range(500, 600)
    a_deletes_b_phones, a_deletes_alone = range(600, 620), range(620, 650)  # 20 open
    a_edits_b_deleted = range(650, 700)  # A edits what B deleted: 50 open
    own_names = [f"新{i:04d}" for i in range(3000)]

    edits: list[tuple[str, str, object]] = []
    superseded: set[tuple[str, str, object]] = set()

    def a_edit(names: list[str], field: str, value_of) -> None:  # noqa: ANN001
        with a.db.session() as s:
            for r in by_name(a.db, names):
                r = s.get(Resident, r.id)
                value = value_of(r)
                record_edit(s, r, field, value, edits, superseded)

    def pick(rng: range) -> list[str]:
        return [shared[i] for i in rng]

    for d in range(1, 91):
        day(d)
        # PC A, offline: 30-40 new residents every day (3,000), and its edits.
        with a.db.session() as s:
            for name in own_names[(d - 1) * 3000 // 90: d * 3000 // 90]:
                s.add(Resident(org_id=home, name=name, sex="female"))
        if d == 5:
            a_edit(pick(a_phone_early), "phone", lambda r: "135" + r.phone[3:])
            a_edit(pick(a_name_both) + pick(a_name_alone), "name", lambda r: r.name + "甲")
        if d == 10:
            a_edit(pick(a_phone_alone), "phone", lambda r: "135" + r.phone[3:])
            a_edit(pick(a_deletes_b_phones) + pick(a_deletes_alone), "deleted", lambda r: True)
        if d in (20, 50, 80):
            a_edit(pick(a_notes_thrice), "note", lambda r, d=d: f"第{d}天随访")
        if d == 30:
            a_edit(pick(a_edits_b_deleted), "note", lambda r: "入户")
        if d == 60:  # phones for 1,000 of its own new residents, notes for 100 of them
            a_edit(own_names[:1000], "phone", lambda r: f"150{own_names.index(r.name):08d}")
        if d == 70:
            a_edit(own_names[:100], "note", lambda r: "慢病")
        if d == 85:
            a_edit(pick(a_phone_late), "phone", lambda r: "135" + r.phone[3:])
        # PC B, online, syncs every ten days.
        with b.db.session() as s:
            if d == 40:
                for r in by_name(b.db, pick(a_phone_late)):
                    s.get(Resident, r.id).phone = "139" + r.phone[3:]
            if d == 45:
                for r in by_name(b.db, pick(a_phone_early) + pick(a_deletes_b_phones)):
                    s.get(Resident, r.id).phone = "139" + r.phone[3:]
                for r in by_name(b.db, pick(a_name_both)):
                    s.get(Resident, r.id).name = r.name + "乙"
                for r in by_name(b.db, pick(a_edits_b_deleted)):
                    changes.soft_delete(s, s.get(Resident, r.id))
        if d % 10 == 0:
            assert b.sync().pending == 0

    with a.db.session() as s:
        assert outbox.pending_count(s) == 5000
    # Request 0 asks for the server epoch, 1-3 push batches: the 3rd is applied, its answer lost.
    assert a.sync(fault=(3, "after")) is None
    report = a.sync()
    assert report.pending == 0 and report.pushed == 3000  # the 3rd batch again, applied once
    sync_until_quiet([a, b], clock, [0, 0])

    assert server_residents(server) == 4000  # nothing doubled
    snap_a, snap_b = snapshot(a.db), snapshot(b.db)
    assert snap_a == snap_b
    rows, conflicts = snap_a
    assert len(rows["resident"]) == 4000
    assert len({r["name"] for r in rows["resident"]}) == 4000
    assert_nothing_lost(rows, conflicts, edits, superseded)

    current = {r["name"]: r for r in rows["resident"]}
    by_id = {r["id"]: r for r in rows["resident"]}
    for i in a_phone_late:  # A's edit (day 85) is newer than B's (day 40): A's wins
        assert current[shared[i]]["phone"] == f"135{i:08d}"
    for i in a_phone_early:  # B's (day 45) is newer than A's (day 5)
        assert current[shared[i]]["phone"] == f"139{i:08d}"
    for i in a_phone_alone:
        assert current[shared[i]]["phone"] == f"135{i:08d}"
    for i in a_name_both:  # a review field changed on both sides: the server's stays
        assert current[shared[i] + "乙"]["name"] == shared[i] + "乙"
    for i in a_name_alone:
        assert shared[i] + "甲" in current
    for i in a_notes_thrice:
        assert current[shared[i]]["note"] == "第80天随访"
    for i in a_deletes_b_phones:  # the delete waits for review, the record stays
        assert not current[shared[i]]["deleted"]
    for i in a_deletes_alone:
        assert current[shared[i]]["deleted"]
    for i in a_edits_b_deleted:
        assert current[shared[i]]["deleted"]
    assert sum(1 for n in own_names[:1000] if current[n]["phone"]) == 1000

    open_ = [c for c in conflicts if c[6] == "open"]
    auto = [c for c in conflicts if c[6] == "auto"]
    kinds = sorted((by_id[c[2]]["name"][:1], c[3]) for c in open_)
    assert len(open_) == 120, kinds
    assert sum(1 for c in open_ if c[3] == "name") == 50
    assert sum(1 for c in open_ if c[3] == "__deleted__") == 70
    # Low-risk fields both sides changed: merged by clock, the losing side kept (auto).
    assert len(auto) == 100
    assert {by_id[c[2]]["name"] for c in auto} == set(pick(a_phone_late) + pick(a_phone_early))
    for c in auto:
        loser = json.loads(c[4] if c[7] == "server" else c[5])
        assert loser.startswith("139" if c[7] == "local" else "135")


def test_pc_clocks_a_year_off_converge(world):
    root, server, clock, replicas = world
    home = server.clinic()
    offsets = [YEAR_MS, -YEAR_MS, 0]  # ahead, behind, right
    for user, off in zip(("doc_a1", "doc_a2", "doc_a3"), offsets):
        clock["offset"] = off
        replicas.append(Replica(root, server, user, off))
    ahead = replicas[0]
    edits: list[tuple[str, str, object]] = []
    superseded: set[tuple[str, str, object]] = set()
    for k, rep in enumerate(replicas):
        clock["offset"] = offsets[k]
        with rep.db.session() as s:
            for i in range(100):
                s.add(Resident(org_id=home, name=f"钟{k}-{i:03d}", sex="male",
                               phone=f"13{k}{i:08d}"))
    reports = []
    # Four rounds, each PC in turn: edit the first 30 records (phone, low-risk), 10 names
    # (review) and 20 phones of its own, then sync once (round 0 only syncs the new ones).
    for round_ in range(4):
        for k, rep in enumerate(replicas):
            clock["offset"] = offsets[k]
            with rep.db.session() as s:
                targets = list(s.exec(select(Resident).order_by(Resident.name)))
                if round_ == 0:
                    targets = []
                for r in targets[:30] + targets[100 * k + 40:100 * k + 60]:
                    value = f"15{k}{round_}{r.phone[-7:]}"
                    superseded.add((r.id, "phone", r.phone))
                    r.phone = value
                    edits.append((r.id, "phone", value))
                for r in targets[30:40]:
                    value = f"{r.name[:6]}{k}{round_}"
                    superseded.add((r.id, "name", r.name))
                    r.name = value
                    edits.append((r.id, "name", value))
            reports.append((k, rep.sync()))
    assert all(r is not None for _, r in reports)
    for k, r in reports:  # both wrong clocks are told so, in Chinese
        if k < 2:
            assert any("时钟" in w for w in r.warnings), r.warnings

    def converged() -> tuple[dict, list]:
        snaps = [snapshot(rep.db) for rep in replicas]
        assert snaps[1] == snaps[0] and snaps[2] == snaps[0]
        rows, conflicts = snaps[0]
        assert len(rows["resident"]) == 300 and server_residents(server) == 300
        assert_nothing_lost(rows, conflicts, edits, superseded)
        for rep in replicas:
            with rep.db.session() as s:
                assert outbox.pending_count(s) == 0
        return rows, conflicts

    # The rules on main (docs/sync.md "Clocks"): the server refuses edits stamped more than
    # 48 h ahead of its time; the PC sets exactly those aside, pushes the rest and warns.
    # A year behind is accepted as it is.
    for k, r in reports:
        if k == 0:
            assert r.refused > 0 and r.pending == 0, r
        else:
            assert r.refused == 0 and r.pending == 0, (k, r)
    assert server_residents(server) == 200  # the ahead PC's 100 wait on that PC
    with ahead.db.session() as s:
        held = len(s.exec(select(Resident)).all())
    assert held == 300  # its own 100 are still there, and what it pulled

    # The dates are put right: the ahead PC's first round restarts its clock and queues the
    # refused edits again, re-stamped; everyone converges and nothing is lost.
    clock["offset"] = 0
    first = ahead.sync()
    assert first.requeued > 0 and first.clock_restarted, first
    sync_until_quiet(replicas, clock, [0, 0, 0])
    rows, _ = converged()
    limit = REAL_WALL() + REFUSE_AHEAD_MS
    stamps = [r["hlc"] for r in rows["resident"]]
    assert stamps and all(int(h.split("-", 1)[0]) < limit for h in stamps), max(stamps)
    assert ahead.sync().pending == 0
