"""What a sync round does about a PC clock the server disagrees with (docs/sync.md, Clocks).

- Edits the server refused as stamped too far ahead of its time (422 `clock_ahead`, a PC
  whose date is wrong) are set aside like a scope refusal (`outbox.set_aside`, kind
  CLOCK_AHEAD) with the Chinese reason, and the rest of the batch goes up in the same round.
- At the start of every round, once the server has answered (so the clock offset is fresh,
  not a guess from an earlier round), `correct`: if this PC's wall clock agrees with the
  server's, a last stamp far ahead restarts the clock from the wall clock
  (`domain.hlc.should_restart`), and the clock-refused edits go back into the queue with new
  stamps, in the order they were made, together with every edit queued after them, so no
  doctor's edit is lost because the PC clock was wrong once. A clock that disagrees with the
  server (fell back to 1970, or still a year ahead) is left alone: it keeps counting from its
  last stamp and never runs back.

Renumbering: the server applies a device's own edits of one field in mutation order, so the
re-queued edits must stay before the ones made after them (an insert before its update).
They and every pending entry stamped after the first of them go to the end of the queue,
in stamp order (one clock that never ran back: stamp order is the order they were made; a
set-aside id may have been taken again by a later edit), with new ids above every id the
outbox holds. The pending ones were stamped after a refused edit, so any push of them was
refused too, or they were never sent: moving them cannot apply anything twice.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlmodel import Session

from familydoc_desktop.domain import hlc
from familydoc_desktop.domain.models import SYNCED_TABLES, OutboxEntry, SyncState, utcnow
from familydoc_desktop.store import changes
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import outbox

CLOCK_AHEAD = "clock_ahead"  # the server's error code, and the kind of a set-aside entry
REASON = ("本机时钟超前服务器 {hours} 小时以上，此修改暂未上传；请改正电脑的日期和时间，"
          "改正后下次同步会自动重新上传").format(hours=hlc.REFUSE_AHEAD_MS // hlc.HOUR_MS)


@dataclass
class Correction:
    restarted: bool = False  # the clock started again from the wall clock
    requeued: int = 0  # clock-refused edits queued again with new stamps
    restamped: int = 0  # pending edits given new stamps (and, after a refused one, new ids)


def refused_ids(payload: dict, batch_ids: set[int]) -> list[int]:
    """The mutation ids of this batch a 422 `clock_ahead` answer names ([] if it is not one)."""
    if payload.get("code") != CLOCK_AHEAD:
        return []
    named = payload.get("mutation_ids")
    if not isinstance(named, list):
        return []
    return [m for m in named if isinstance(m, int) and m in batch_ids]


def set_aside(db: Database, mutation_ids: list[int]) -> list[dict]:
    """Take the named entries out of the queue, kept with the Chinese reason (one commit)."""
    with db.session(capture=False) as s:
        return outbox.set_aside_many(s, mutation_ids, REASON, kind=CLOCK_AHEAD)


def correct(db: Database, offset_ms: int | None) -> Correction:
    """Restart the clock and re-queue clock-refused edits when the wall clock agrees with the
    server's (`offset_ms` = server − local, measured in this round). One transaction."""
    out = Correction()
    if offset_ms is None or abs(offset_ms) > hlc.AGREE_MS:
        return out
    clock = db.capture.clock
    before = clock.last
    wall = changes.wall_ms()
    restart = hlc.should_restart(clock.last, wall, offset_ms)
    try:
        with db.session(capture=False) as s:
            refused = outbox.refused_changes(s)
            ahead = [r for r in refused if r.get("kind") == CLOCK_AHEAD
                     and isinstance(r.get("mutation_id"), int)]
            if not restart and not ahead:
                return out
            if restart:
                clock.restart()
                out.restarted = True
            _requeue(s, clock, wall, ahead, restart, out)
            others = [r for r in refused if not (r.get("kind") == CLOCK_AHEAD
                                                 and isinstance(r.get("mutation_id"), int))]
            row = s.get(SyncState, outbox.REFUSED_KEY)
            if row is not None:
                row.value = json.dumps(others, ensure_ascii=False)
                s.add(row)
            state = s.get(SyncState, changes.HLC_KEY) or SyncState(key=changes.HLC_KEY)
            state.value = str(clock.last)
            s.add(state)
    except BaseException:
        clock.last = before  # nothing was written: nor does the clock move
        raise
    return out


def _requeue(s: Session, clock: hlc.Clock, wall: int, ahead: list[dict], restart: bool,
             out: Correction) -> None:
    """Set-based (executemany): 5,000 refused edits of a PC offline for months re-queue in
    well under a second."""
    box = OutboxEntry.__table__
    conn = s.connection()
    pending = conn.execute(select(box).where(box.c.mutation_id > outbox.acked_through(s))
                           .order_by(box.c.mutation_id)).mappings().all()
    # Made after the first refused edit: stamped after it (one clock, never run back).
    first = min((_order(r.get("hlc")) for r in ahead), default=None)
    later = [e for e in pending if first is not None and _order(e["hlc"]) >= first]
    earlier = [e for e in pending if first is None or _order(e["hlc"]) < first]
    moved: list[tuple[str, str, str | None, str]] = []  # table, record id, old stamp, new
    if restart:  # made before any refused edit, stamped ahead of the restarted clock
        fresh = []
        for e in earlier:
            if _order(e["hlc"])[0] > wall:
                fresh.append({"id": e["mutation_id"], "new": str(clock.now(wall))})
                moved.append((e["table_name"], e["record_id"], e["hlc"], fresh[-1]["new"]))
        if fresh:
            conn.execute(text("UPDATE sync_outbox SET hlc = :new WHERE mutation_id = :id"),
                         fresh)
            out.restamped += len(fresh)
    # Above every id held and the acknowledged mark (the server has applied up to it).
    top = max(conn.execute(select(func.max(box.c.mutation_id))).scalar() or 0,
              outbox.acked_through(s))
    # In the order they were made: by their stamps (a set-aside id may have been reused).
    items: list[tuple[tuple, dict, bool]] = [
        ((*_order(r.get("hlc")), r["mutation_id"]), r, True) for r in ahead]
    items += [((*_order(e["hlc"]), e["mutation_id"]), e, False) for e in later]
    items.sort(key=lambda item: item[0])
    rows = []
    now = utcnow()
    for n, (_, item, refused) in enumerate(items, start=1):
        stamp = str(clock.now(wall))
        if refused:
            row = {"table_name": item["table"], "record_id": item["record_id"],
                   "op": item["op"], "base_seq": item.get("base_seq"),
                   "base_hlc": item.get("base_hlc"), "created_at": now,
                   "changes": json.dumps(item.get("changes") or {}, ensure_ascii=False,
                                         separators=(",", ":"))}
            out.requeued += 1
        else:
            row = {k: item[k] for k in ("table_name", "record_id", "op", "changes",
                                        "base_seq", "base_hlc", "created_at")}
            out.restamped += 1
        rows.append({**row, "mutation_id": top + n, "hlc": stamp})
        moved.append((row["table_name"], row["record_id"], item.get("hlc"), stamp))
    if rows:
        conn.execute(box.insert(), rows)
    gone = [e["mutation_id"] for e in later]
    for start in range(0, len(gone), 500):
        conn.execute(box.delete().where(box.c.mutation_id.in_(gone[start:start + 500])))
    _restamp_rows(conn, moved)


def _order(stamp: str | None) -> tuple[int, int]:
    """(millis, counter) of a stamp this PC wrote; (0, 0) for one it cannot read."""
    try:
        ts = hlc.Timestamp.parse(stamp or "")
    except hlc.HlcError:
        return (0, 0)
    return (ts.millis, ts.counter)


def _restamp_rows(conn, moved: list[tuple[str, str, str | None, str]]) -> None:  # noqa: ANN001
    """A record keeps the stamp of its last edit: it moves with that edit's new stamp (in
    the order given, so a record edited twice ends with the later stamp)."""
    by_table: dict[str, list[dict]] = {}
    for table, record_id, old, new in moved:
        if table in SYNCED_TABLES and old:
            by_table.setdefault(table, []).append({"new": new, "id": record_id, "old": old})
    for table, params in by_table.items():
        conn.execute(text(f'UPDATE "{table}" SET hlc = :new WHERE id = :id AND hlc = :old'),
                     params)
