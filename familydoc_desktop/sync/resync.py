"""A server restored from a backup: noticed at the start of every sync round, then one
resync that loses nothing this PC holds.

The server names its epoch (GET /sync/epoch); a restore (or a sequence that went back) starts
a new one whose `base_seq` is the counter at that moment. This PC remembers the epoch it is in
sync with (EPOCH_KEY). When the server's is another one:

1. `prepare`, one transaction: the outbox mark goes back to the last mutation the server holds
   of this device, so the acknowledged entries it kept (outbox.RETAIN_DAYS) go up again with
   their own ids (the server applies each once: nothing doubles); pending and re-sent entries
   start from `base` (their base_seq was a version the server lost); this PC's own records
   with a lost version and no kept entry get one whole-row entry; every lost server_seq is
   cleared; the pull cursor goes back to 0; and the resync marker (MARKER_KEY) is written.
2. the round then pushes (the server gets back what it lost) and pulls everything from 0
   with own rows sent too, keeping pending edits (apply's rebase), and checks the digests.
3. `finish` once the full pull is through: the new epoch is remembered, the marker goes.

Interrupted anywhere, the next round finds the marker: if the epoch is still the one it
names, the push and pull just go on from where they stopped (acknowledgements and cursor
commit as they go); if the server was restored again, `prepare` runs again from the lower
base (the mark only ever goes back to what the server holds, so it is idempotent).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import select

from familydoc_desktop.domain.models import SYNCED_MODELS, OutboxEntry, SyncState, utcnow
from familydoc_desktop.store import changes
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, outbox
from familydoc_desktop.sync.http import Client, SyncError
from familydoc_desktop.sync.protocol import ServerEpoch

EPOCH_KEY = "server_epoch"  # the server epoch this PC is in sync with
MARKER_KEY = "resync"  # JSON while a resync is under way: epoch, base, started_at, counts
RESYNC_WARNING = ("同步服务器已从备份恢复：本机已重新下载服务器的全部数据，"
                  "并重新上传了服务器缺少的 {n} 条本机修改")


@dataclass
class Resync:
    epoch: str
    base: int  # rows with a server_seq above this are versions the server no longer has
    requeued: int = 0  # acknowledged outbox entries going up again
    whole_rows: int = 0  # own records with no kept entry, queued whole
    cleared: int = 0  # rows whose server_seq was cleared
    resumed: bool = False  # a resync an earlier round started


def _state(db: Database, key: str) -> str | None:
    return apply.get_state(db, key)


def marker(db: Database) -> dict | None:
    value = _state(db, MARKER_KEY)
    return json.loads(value) if value else None


def check(db: Database, client: Client) -> Resync | None:
    """Ask the server its epoch; returns the resync this round must do, or None. A server
    too old to know epochs (404) is left alone."""
    known = _state(db, EPOCH_KEY)
    started = marker(db)
    cursor = int(apply.get_state(db, apply.CURSOR_KEY, "0"))
    params = {"since": cursor}
    claimed = started["epoch"] if started else known
    if claimed:
        params["epoch"] = claimed
    try:
        answer = ServerEpoch.model_validate_json(client.get("/sync/epoch", params))
    except SyncError as exc:
        if exc.status == 404:
            return None
        raise
    return decide(db, answer)


def decide(db: Database, answer: ServerEpoch) -> Resync | None:
    """The resync `answer` (the server's epoch, from GET /sync/epoch or a USB return file)
    asks of this PC, prepared (step 1) when it is a new one; None when the PC is in step."""
    known = _state(db, EPOCH_KEY)
    started = marker(db)
    cursor = int(apply.get_state(db, apply.CURSOR_KEY, "0"))
    if started and started["epoch"] == answer.epoch:
        return Resync(answer.epoch, int(started["base"]), resumed=True)
    if not started and known == answer.epoch:
        return None
    if not started and known is None and cursor <= answer.max_seq:
        apply.set_state(db, EPOCH_KEY, answer.epoch)  # first meeting: adopt it
        return None
    base = _base(answer, known, cursor)
    if started:
        base = min(base, int(started["base"]))
    return prepare(db, answer, base)


def _base(answer: ServerEpoch, known: str | None, cursor: int) -> int:
    """The lowest base among the epochs after the one this PC knew: every server_seq above
    it may stand for a lost version. An epoch the server has never heard of (restored from a
    backup older than it): every restore the server knows, at most."""
    names = [e.epoch for e in answer.history]
    later = answer.history[names.index(known) + 1:] if known in names else answer.history
    bases = [e.base_seq for e in later] or [answer.max_seq]
    return max(0, min([*bases, cursor]))


def prepare(db: Database, answer: ServerEpoch, base: int) -> Resync:
    """Step 1 (module doc), in one transaction."""
    plan = Resync(answer.epoch, base)
    node = db.capture.clock.node
    with db.session(capture=False) as s:
        conn = s.connection()
        mark = outbox.acked_through(s)
        held = answer.device_last_mutation_id
        if held < mark:
            plan.requeued = conn.execute(text(
                "SELECT count(*) FROM sync_outbox WHERE mutation_id > :a AND mutation_id <= :b"),
                {"a": held, "b": mark}).scalar_one()
            state = s.get(SyncState, outbox.ACKED_KEY) or SyncState(key=outbox.ACKED_KEY)
            state.value = str(held)
            s.add(state)
            mark = held
        conn.execute(text("UPDATE sync_outbox SET base_seq = :base WHERE mutation_id > :a "
                          "AND base_seq > :base"), {"base": base, "a": mark})
        queued = {(t, r) for t, r in conn.execute(text(
            "SELECT table_name, record_id FROM sync_outbox WHERE mutation_id > :a"),
            {"a": mark})}
        entries = []
        for model in SYNCED_MODELS:
            # This PC made the last change of these (its clock's node ends the HLC), and the
            # server lost that version: without a kept entry, the whole row goes up.
            for obj in s.exec(select(model).where(model.server_seq > base,
                                                  model.hlc.like(f"%-{node}"))):
                if (model.__tablename__, obj.id) in queued:
                    continue
                entries.append(whole_row_entry(obj, obj.hlc, base))
        s.add_all(entries)
        plan.whole_rows = len(entries)
        for model in SYNCED_MODELS:
            plan.cleared += conn.execute(text(
                f'UPDATE "{model.__tablename__}" SET server_seq = NULL WHERE server_seq > :b'),
                {"b": base}).rowcount
        apply._set_state(conn, apply.CURSOR_KEY, "0")
        apply._set_state(conn, MARKER_KEY, json.dumps({
            "epoch": answer.epoch, "base": base, "started_at": utcnow().isoformat(),
            "requeued": plan.requeued, "whole_rows": plan.whole_rows}))
    return plan


def finish(db: Database, plan: Resync) -> None:
    """Step 3: the full pull is through."""
    with db.session(capture=False) as s:
        conn = s.connection()
        apply._set_state(conn, EPOCH_KEY, plan.epoch)
        conn.execute(text("DELETE FROM sync_state WHERE key = :k"), {"k": MARKER_KEY})


def whole_row_entry(obj, base_hlc: str | None, base: int = 0) -> OutboxEntry:  # noqa: ANN001
    """An outbox entry carrying every field of `obj` as this PC holds it."""
    return OutboxEntry(table_name=obj.__tablename__, record_id=obj.id, op="update",
                       changes=json.dumps(changes.record_fields(obj), ensure_ascii=False,
                                          separators=(",", ":")),
                       base_seq=base, hlc=obj.hlc, base_hlc=base_hlc or obj.hlc)


def whole_rows(session, entries: list[OutboxEntry]) -> int:  # noqa: ANN001
    """Edits of a resync the server could not apply (it does not hold the record: its creator
    has not uploaded it again yet): the whole row goes up instead, from the version the edit
    had seen, so the creator's later upload keeps what this PC wrote."""
    from familydoc_desktop.domain.models import SYNCED_TABLES

    out = []
    for e in entries:
        model = SYNCED_TABLES.get(e.table_name)
        obj = session.get(model, e.record_id) if model is not None else None
        if obj is not None:
            out.append(whole_row_entry(obj, e.base_hlc))
    session.add_all(out)
    return len(out)
