"""Applying hand-built pull pages: values read back like local writes, search keys computed,
pending local edits kept (rebase), page + cursor all-or-nothing, clock observed."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlmodel import select

from familydoc_desktop.domain.hlc import FOLLOW_AHEAD_MS, Timestamp
from familydoc_desktop.store import changes
from familydoc_desktop.domain.models import FollowupVisit, Resident, SyncConflict
from familydoc_desktop.store import set_aside
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, faults, outbox
from familydoc_desktop.sync.protocol import ConflictOut, PullResponse, TablePage

ORG = "01a20000-0000-7000-8000-000000000001"
COLS = ["id", "server_seq", "org_id", "created_at", "updated_at", "hlc", "deleted", "name",
        "sex", "birth_date", "id_number", "phone", "registered", "note"]
# Ahead of this PC's clock, within the 24 h a clock follows (domain/hlc.py: beyond that a
# remote stamp is followed only so far: test_remote_stamp_years_ahead_moves_the_clock_a_day).
FUTURE_HLC = f"{int(time.time() * 1000) + 3_600_000:013d}-0003-abcdef"


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "c.db")
    yield d
    d.close()


def _row(rid: str, seq: int, *, cols=COLS, **kw) -> list:
    values = {"id": rid, "server_seq": seq, "org_id": ORG,
              "created_at": "2025-01-02T03:04:05.123456+00:00",
              "updated_at": "2025-01-02T11:04:05+08:00", "hlc": f"1735787045000-0000-n{seq}",
              "deleted": False, "name": "王秀英", "sex": "female", "birth_date": "1949-12-31",
              "id_number": "11010519491231002X", "phone": "13812345678", "registered": True,
              "note": None, "needs_id_match": False, "merged_into": None}
    values.update(kw)
    return [values[c] for c in cols]


def _page(rows, *, since=0, more=False, conflicts=(), columns=COLS) -> PullResponse:
    top = max([r[1] for r in rows] + [c.seq for c in conflicts] + [since])
    return PullResponse(since=since, next_since=top, more=more,
                        tables={"resident": TablePage(columns=columns, rows=rows)},
                        conflicts=list(conflicts), server_time_ms=1)


RID = "01a20000-0000-7000-8000-0000000000aa"


def test_rows_read_back_like_local_writes(db):
    result = apply.apply_page(db, _page([_row(RID, 5)]))
    assert (result.rows, result.cursor) == (1, 5)
    with db.session() as s:
        r = s.get(Resident, RID)
        assert r.birth_date == date(1949, 12, 31)
        assert r.created_at == datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
        assert r.updated_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        assert r.registered is True and r.deleted is False and r.server_seq == 5
        # derived search columns are computed here, never taken from the wire
        assert (r.initials, r.id_rev, r.phone_rev) == ("wxy", "X20013219491501011",
                                                         "87654321831")
        # stored exactly like the ORM stores it, so text comparisons and sorting agree
        raw = s.connection().exec_driver_sql(
            "SELECT created_at FROM resident WHERE id = ?", (RID,)).scalar()
        assert raw == "2025-01-02 03:04:05.123456"
        assert outbox.pending_count(s) == 0  # pulled rows are never pushed back
    assert apply.get_state(db, apply.CURSOR_KEY) == "5"


def test_update_tombstone_and_unknown_columns(db):
    apply.apply_page(db, _page([_row(RID, 5)]))
    cols = COLS + ["column_from_newer_server"]
    row = _row(RID, 9, name="王秀兰", deleted=True) + ["ignored"]
    apply.apply_page(db, _page([row], since=5, columns=cols))
    with db.session() as s:
        r = s.get(Resident, RID)
        assert (r.name, r.deleted, r.server_seq, r.initials) == ("王秀兰", True, 9, "wxl")


def test_pending_local_edit_survives_a_pull(db):
    apply.apply_page(db, _page([_row(RID, 5)]))
    with db.session() as s:
        s.get(Resident, RID).phone = "13900000000"
    apply.apply_page(db, _page([_row(RID, 8, note="镇卫生院补录", phone="13700000000")],
                               since=5))
    with db.session() as s:
        r = s.get(Resident, RID)
        assert r.phone == "13900000000"  # still waiting to be pushed: kept
        assert r.phone_rev == "00000000931"
        assert r.note == "镇卫生院补录"  # the other field takes the server's value
        assert r.server_seq == 8
        (entry,) = outbox.read_batch(s)
        assert entry.base_seq == 5  # the edit still says what it started from


def test_page_and_cursor_commit_together(db, monkeypatch):
    apply.apply_page(db, _page([_row(RID, 5)]))
    other = "01a20000-0000-7000-8000-0000000000bb"

    def boom(name):  # noqa: ANN001, ANN202
        if name == "mid_page":
            raise ConnectionError("killed mid page")

    monkeypatch.setattr(faults, "point", boom)
    with pytest.raises(ConnectionError):
        apply.apply_page(db, _page([_row(other, 6, id_number=None), _row(RID, 7, name="改名")],
                                   since=5))
    with db.session() as s:
        assert s.get(Resident, other) is None
        assert s.get(Resident, RID).name == "王秀英"
    assert apply.get_state(db, apply.CURSOR_KEY) == "5"


def test_conflicts_upserted_and_clock_observed(db):
    c = ConflictOut(id="01a20000-0000-7000-8000-0000000000cc", table="resident",
                    record_id=RID, field="name", local_value="王秀兰", server_value="王秀英",
                    local_author="doc_a1", server_author="doc_a2",
                    local_hlc=FUTURE_HLC, server_hlc="1735787045000-0000-x",
                    status="open", org_id=ORG, seq=6)
    apply.apply_page(db, _page([_row(RID, 5)], conflicts=[c]))
    resolved = c.model_copy(update={"status": "resolved", "resolution": "server", "seq": 9})
    apply.apply_page(db, _page([], since=6, conflicts=[resolved]))
    with db.session() as s:
        (row,) = s.exec(select(SyncConflict)).all()
        assert (row.status, row.resolution, row.local_value) == ("resolved", "server",
                                                                 '"王秀兰"')
        assert row.resolved_at is not None
    # a later local edit orders after everything seen from elsewhere
    assert db.capture.clock.last >= Timestamp.parse(FUTURE_HLC)
    with db.session() as s:
        s.add(FollowupVisit(org_id=ORG, resident_id=RID, kind="hypertension",
                            visit_date=date(2025, 1, 3), method="clinic"))
    with db.session() as s:
        (entry,) = outbox.read_batch(s)
        assert entry.hlc > FUTURE_HLC


def test_remote_stamp_years_ahead_moves_the_clock_a_day_at_most(tmp_path):
    # A record stamped in 2038 (or a server's clock gone wrong) pulled onto a PC: its clock
    # follows no further than 24 h past the wall clock, so its edits stay acceptable to the
    # server (48 h), and the clock state kept for a restart is the same.
    db = Database(tmp_path / "c.db")
    before = changes.wall_ms()
    apply.apply_page(db, _page([_row(RID, 5, hlc="2147483647000-0000-abcdef")]))
    after = changes.wall_ms()
    assert before + FOLLOW_AHEAD_MS <= db.capture.clock.last.millis <= after + FOLLOW_AHEAD_MS
    with db.session() as s:
        s.add(FollowupVisit(org_id=ORG, resident_id=RID, kind="hypertension",
                            visit_date=date(2025, 1, 3), method="clinic"))
    with db.session() as s:
        (entry,) = outbox.read_batch(s)
    assert Timestamp.parse(entry.hlc).millis <= after + FOLLOW_AHEAD_MS
    db.close()
    again = Database(tmp_path / "c.db")
    assert again.capture.clock.last.millis <= after + FOLLOW_AHEAD_MS
    again.close()


def test_a_page_holding_only_a_conflict_decided_here_keeps_the_decision(db):
    """A conflict this PC decided offline (queued, not sent: a USB PC) that comes back in a
    page alone: the page applies (it once failed on an empty INSERT) and the decision stays."""
    from familydoc_desktop.sync import conflicts

    c = ConflictOut(id="01a20000-0000-7000-8000-0000000000cd", table="resident",
                    record_id=RID, field="name", local_value="王秀兰", server_value="王秀英",
                    local_author="doc_a1", server_author="doc_a2",
                    local_hlc="1735787045000-0000-x", server_hlc="1735787045001-0000-y",
                    status="open", org_id=ORG, seq=6)
    apply.apply_page(db, _page([_row(RID, 5)], conflicts=[c]))
    assert conflicts.resolve(db, c.id, "server") == "queued"
    apply.apply_page(db, _page([], since=6, conflicts=[c.model_copy(update={"seq": 7})]))
    with db.session() as s:
        assert s.get(SyncConflict, c.id).status == "resolved"
    assert conflicts.pending_resolutions(db) == {c.id: "server"}


@pytest.mark.parametrize("order", ["first_then_second", "second_then_first"])
def test_same_id_number_from_two_pcs_flags_the_later_copy_everywhere(tmp_path, order):
    # Every PC flags the copy the server sequenced later, whichever arrives first here.
    other = "01a20000-0000-7000-8000-0000000000bb"
    rows = [_row(RID, 5), _row(other, 6, name="王秀英")]
    db = Database(tmp_path / f"{order}.db")
    try:
        if order == "first_then_second":
            apply.apply_page(db, _page(rows))
        else:
            apply.apply_page(db, _page([rows[1]], since=0))
            apply.apply_page(db, _page([rows[0]], since=6))
        with db.session() as s:
            first, second = s.get(Resident, RID), s.get(Resident, other)
            assert first.id_number == "11010519491231002X" and not first.needs_id_match
            assert second.id_number is None and second.needs_id_match and not second.deleted
            # The pair is remembered for the duplicates list: the flagged copy lost the number.
            from familydoc_desktop.store import merge
            assert merge.clash_pairs(s) == {other: RID}
            assert [(c.kind, c.keep.id, c.drop.id) for c in merge.find_candidates(s)] == [
                ("id_clash", RID, other)]
    finally:
        db.close()


@pytest.mark.parametrize("order", ["release_first", "take_first"])
def test_a_merge_that_moves_the_number_lands_in_any_page_order(db, order):
    # The township kept the flagged copy: its push gives the number to `other` and takes it
    # from RID. In whichever order the page lists them, the number ends on `other`.
    other = "01a20000-0000-7000-8000-0000000000bb"
    cols = [*COLS, "needs_id_match", "merged_into"]
    apply.apply_page(db, _page([_row(RID, 5, cols=cols), _row(other, 6, cols=cols)],
                               columns=cols))
    released = _row(RID, 7, cols=cols, id_number=None, deleted=True, merged_into=other)
    taken = _row(other, 8, cols=cols)
    rows = [released, taken] if order == "release_first" else [taken, released]
    apply.apply_page(db, _page(rows, since=6, columns=cols))
    with db.session() as s:
        kept, gone = s.get(Resident, other), s.get(Resident, RID)
        assert (kept.id_number, kept.needs_id_match) == ("11010519491231002X", False)
        assert (gone.id_number, gone.deleted, gone.merged_into) == (None, True, other)


def test_a_page_names_the_residents_its_records_belong_to_and_the_merged_ones(db):
    # What the sync hands to follow_merges: never every resident, only those a page names.
    other = "01a20000-0000-7000-8000-0000000000bb"
    cols = [*COLS, "merged_into"]
    result = apply.apply_page(db, _page([_row(RID, 5, cols=cols, id_number=None),
                                         _row(other, 6, cols=cols, id_number=None,
                                              merged_into=RID)], columns=cols))
    assert result.named_residents == {other}  # merged; RID itself is not named by a record
    visit = ["01a20000-0000-7000-8000-0000000000cc", 7, ORG, "2025-01-02T03:04:05+00:00",
             "2025-01-02T03:04:05+00:00", "1735787045000-0000-n7", False, other,
             "hypertension", "2025-01-02", "clinic"]
    page = PullResponse(since=6, next_since=7, more=False, server_time_ms=1, conflicts=[],
                        tables={"followup_visit": TablePage(columns=[
                            "id", "server_seq", "org_id", "created_at", "updated_at", "hlc",
                            "deleted", "resident_id", "kind", "visit_date", "method"],
                            rows=[visit])})
    assert apply.apply_page(db, page).named_residents == {other}


def test_a_local_copy_not_yet_on_the_server_gives_way_to_the_server_s(db):
    with db.session() as s:
        mine = Resident(org_id=ORG, name="王秀英", sex="female", id_number="11010519491231002X",
                        birth_date=date(1949, 12, 31))
        s.add(mine)
    apply.apply_page(db, _page([_row(RID, 5)]))
    with db.session() as s:
        assert s.get(Resident, RID).id_number == "11010519491231002X"
        local = s.get(Resident, mine.id)
        assert local.id_number is None and local.needs_id_match


def _stored(db, rid: str) -> tuple:
    with db.session() as s:
        return tuple(s.connection().exec_driver_sql(
            "SELECT * FROM resident WHERE id = ?", (rid,)).one())


def test_own_edit_coming_back_changes_only_its_server_seq(db):
    hlc = "1735787045000-0000-n5"
    apply.apply_page(db, _page([_row(RID, 5, hlc=hlc)]))
    before = _stored(db, RID)
    # The PC's own pushed edit comes back: same values, a new server_seq.
    apply.apply_page(db, _page([_row(RID, 12, hlc=hlc)], since=5))
    after = _stored(db, RID)
    with db.session() as s:
        cols = [c[1] for c in s.connection().exec_driver_sql("PRAGMA table_info(resident)")]
    changed = {cols[i] for i, (x, y) in enumerate(zip(before, after)) if x != y}
    assert changed == {"server_seq"}
    assert apply.get_state(db, apply.CURSOR_KEY) == "12"


def test_one_page_of_new_changed_and_unchanged_rows(db):
    same, edited, renamed = (f"01a20000-0000-7000-8000-0000000001{i:02d}" for i in range(3))
    apply.apply_page(db, _page([
        _row(same, 1, id_number=None, phone=None),
        _row(edited, 2, id_number=None, phone="13800000001"),
        _row(renamed, 3, id_number=None, phone=None, name="李四")]))
    fresh = "01a20000-0000-7000-8000-0000000001ff"
    result = apply.apply_page(db, _page([
        _row(same, 1, id_number=None, phone=None),  # nothing new
        _row(edited, 7, id_number=None, phone="13900000002", note="搬家"),
        _row(renamed, 8, id_number=None, phone=None, name="张三"),
        _row(fresh, 9)], since=3))
    assert result.rows == 4
    with db.session() as s:
        rows = {r.id: r for r in s.exec(select(Resident))}
        assert (rows[edited].phone, rows[edited].phone_rev, rows[edited].note,
                rows[edited].server_seq) == ("13900000002", "20000000931", "搬家", 7)
        assert (rows[renamed].name, rows[renamed].initials, rows[renamed].server_seq) == (
            "张三", "zs", 8)
        assert (rows[same].name, rows[same].server_seq) == ("王秀英", 1)
        assert (rows[fresh].id_number, rows[fresh].initials) == ("11010519491231002X", "wxy")
        assert outbox.pending_count(s) == 0


def test_a_row_missing_a_required_field_is_set_aside_and_the_rest_of_the_page_commits(db):
    apply.apply_page(db, _page([_row(RID, 5)]))
    other = "01a20000-0000-7000-8000-0000000000cc"
    fine = "01a20000-0000-7000-8000-0000000000cd"
    result = apply.apply_page(db, _page([_row(other, 6, id_number=None, name=None),
                                         _row(fine, 7, id_number=None)], since=5))
    assert result.set_aside == [("resident", other, "缺少必填字段 name")]
    assert apply.get_state(db, apply.CURSOR_KEY) == "7"
    with db.session() as s:
        assert s.get(Resident, other) is None
        assert s.get(Resident, fine).server_seq == 7
        kept = set_aside.list_set_aside(s)
        assert [(k.table, k.record_id, k.field, k.server_seq) for k in kept] == [
            ("resident", other, "name", 6)]
        assert kept[0].row["name"] is None and kept[0].row["sex"] == "female"


@pytest.mark.parametrize("column,value,reason", [
    ("created_at", "0001-01-01T00:00:00+00:01", "年份超出"),
    ("updated_at", "9999-12-31T23:59:59-23:59", "年份超出"),
    ("name", "王\x01英", "控制字符"),
    ("name", "王\x00英", "NUL"),
    ("note", "\ud800", "孤立代理项"),
    ("birth_date", "2025-02-30", "不是有效的日期"),
    ("birth_date", "0999-01-01", "年份超出"),
    ("registered", "yes", "类型不符"),
])
def test_a_poisoned_value_is_set_aside_the_rest_commits_and_a_good_version_replaces_it(
        db, column, value, reason):
    poisoned = "01a20000-0000-7000-8000-0000000000d1"
    fine = "01a20000-0000-7000-8000-0000000000d2"
    result = apply.apply_page(db, _page([_row(poisoned, 3, **{column: value}),
                                         _row(fine, 4, id_number=None)]))
    assert [(t, r) for t, r, _ in result.set_aside] == [("resident", poisoned)]
    assert reason in result.set_aside[0][2]
    assert (result.rows, apply.get_state(db, apply.CURSOR_KEY)) == (1, "4")
    with db.session() as s:
        assert s.get(Resident, poisoned) is None
        assert s.get(Resident, fine).name == "王秀英"
        (kept,) = set_aside.list_set_aside(s)
        assert kept.row[column] == value  # kept exactly as the server sent it
        assert set_aside.count_set_aside(s) == 1
    apply.apply_page(db, _page([_row(poisoned, 9)], since=4))  # the server's fixed version
    with db.session() as s:
        assert s.get(Resident, poisoned).server_seq == 9
        assert set_aside.count_set_aside(s) == 0


def test_ledger_reasons_that_are_not_json_are_set_aside(db):
    cols = ["id", "server_seq", "org_id", "created_at", "updated_at", "hlc", "deleted",
            "resident_id", "assessed_on", "colour", "computed_colour", "reasons",
            "ruleset_version", "override"]
    base = [ORG, "2025-01-02T03:04:05+00:00", "2025-01-02T03:04:05+00:00",
            "1735787045000-0000-n1", False, RID, "2025-01-02", "red", "red"]
    good = "01a20000-0000-7000-8000-0000000000e1"
    bad = "01a20000-0000-7000-8000-0000000000e2"
    page = PullResponse(since=0, next_since=2, more=False, server_time_ms=1, tables={
        "ledger_assessment": TablePage(columns=cols, rows=[
            [good, 1, *base, '[{"code": "bp", "text": "血压"}]', "v1", False],
            [bad, 2, *base, "{not json", "v1", False]])})
    result = apply.apply_page(db, page)
    assert [(t, r) for t, r, _ in result.set_aside] == [("ledger_assessment", bad)]
    assert "JSON" in result.set_aside[0][2]
    assert result.rows == 1


# Values the column-at-once check must hand to the row-by-row check (or pass, exactly when
# that one passes): out-of-range and invalid dates, other shapes and digits, wrong types.
TRICKY = {
    "id": [None, 7],
    "server_seq": [2**63, -1, "5", None],
    "created_at": ["0001-01-01T00:00:00+00:01", "2025-13-01T00:00:00+00:00",
                   "2025-02-29T00:00:00+00:00", "2025-01-02T24:00:00+00:00",
                   "\uff12025-01-02T03:04:05+00:00", "2025-01-02T03:04:05Z",
                   "2201-01-01T00:00:00+00:00", "1799-12-31T23:59:59+00:00",
                   "2025-01-02T03:04:05.12+00:00", "2025-01-02 03:04:05+00:00", 5, None],
    "birth_date": ["1700-01-01", "2025-02-30", "20250101", "2026-W01-1", 19491231,
                   "\u0661949-12-31", None],
    "name": ["王\x00", "a\x07b", "\ud800", "两行\n", "\x85", 3, ["x"]],
    "registered": [1, 0, 1.0, 2, "yes", None, [1]],
    "deleted": [0, True, "false", {}],
}


def _column_page(rows: list[list]) -> TablePage:
    data = [list(col) for col in zip(*rows)]
    seqs = data[1]
    try:
        data[1] = [b - a for a, b in zip([0, *seqs[:-1]], seqs)]
    except TypeError:
        pass  # a seq that is no number: sent as is
    return TablePage(columns=COLS, data=data)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.dictionaries(st.sampled_from(sorted(TRICKY)), st.integers(0, 100),
                                max_size=2), min_size=1, max_size=5))
def test_checking_a_page_column_by_column_sets_aside_exactly_what_row_by_row_does(edits):
    plan = apply._plan("resident", tuple(COLS), sqlite.dialect())
    rows = []
    for n, edit in enumerate(edits):
        values = {k: TRICKY[k][i % len(TRICKY[k])] for k, i in edit.items()}
        rows.append(_row(f"01a20000-0000-7000-8000-{n:012d}", 10 * (n + 1), **values))
    copy = lambda: [list(r) for r in rows]  # noqa: E731  (rows() reuses the lists)
    expected = plan.rows(TablePage(columns=COLS, rows=copy()), {}, None)
    by_rows = TablePage(columns=COLS, rows=copy())
    assert plan.rows(TablePage(columns=COLS, rows=copy()), {}, plan.suspects(by_rows)) \
        == expected
    try:
        sent = _column_page(copy())
        as_rows = sent.as_rows()
    except (TypeError, ValueError):
        return  # a page the client refuses whole either way
    assert plan.rows(as_rows, {}, plan.suspects(sent)) == plan.rows(sent.as_rows(), {}, None)


def test_a_clean_page_is_not_checked_row_by_row():
    plan = apply._plan("resident", tuple(COLS), sqlite.dialect())
    rows = [_row(f"01a20000-0000-7000-8000-{n:012d}", n + 1,
                 updated_at="2025-01-02T03:04:05+00:00") for n in range(50)]
    assert plan.suspects(_column_page(rows)) == ()
    assert plan.suspects(TablePage(columns=COLS, rows=rows)) == ()
    poisoned = [*rows[:3], _row(RID, 60, name="坏\x00", updated_at="2025-01-02T03:04:05Z"),
                *rows[4:]]
    assert [c[1] for c in plan.suspects(_column_page(poisoned))] == ["updated_at", "name"]
