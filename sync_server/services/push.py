"""Apply a device's pushed mutations: one transaction per request, all or nothing.

Field-level merge (docs/sync.md): a field is both-sided when the server changed it after the
edit's base_seq on another device. One-sided fields apply; both-sided review fields (identity,
clinical) open a conflict and the server value stays; other both-sided fields go to the higher
hybrid logical clock, the losing value kept as an `auto` conflict. Append-only tables never
conflict: later edits apply by clock.
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from familydoc_desktop.domain.hlc import (
    REFUSE_AHEAD_MS, HlcError, Timestamp, clamp, refused_ahead,
)
from familydoc_desktop.domain.models import SYNCED_TABLES
from familydoc_desktop.domain.sync_policy import is_append_only, needs_review
from familydoc_desktop.sync.protocol import (
    MAX_CLOCK_AHEAD_MS, Mutation, MutationResult, PushRequest, PushResponse,
)
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import Sequence, now_ms, sequenced_tx, write_tx
from sync_server.services import audit, conflicts, records
from sync_server.services.accounts import Principal, log_event
from sync_server.services.columns import check_value, columns
from sync_server.services.errors import ClockAhead, Forbidden, Invalid

# Bookkeeping stamps change with every edit: the later clock wins, never a conflict.
STAMPS = frozenset({"updated_at", "hlc"})
WRONG_DEVICE = "设备编号与登录凭据不符"
# NOT NULL columns a new record may come without: the server writes them itself on every save
# (records._values: `hlc` from the mutation's clock, `deleted`).
SERVER_FILLED = frozenset({"hlc", "deleted"})


def missing_required(table: str, changes: dict) -> list[str]:
    """NOT NULL wire columns of `table` (the desktop's schema) that `changes` lacks: a record
    created without them would break every device's pull (NOT NULL constraint failed)."""
    return [name for name, spec in columns(table).items()
            if not spec.nullable and name not in changes and name not in SERVER_FILLED]


def _missing_message(tag: str, missing: list[str], *, creating: bool = False) -> str:
    what = "服务器上没有该记录，作为新增记录缺少必填字段" if creating else "新增记录缺少必填字段"
    return f"{tag}：{what} {'、'.join(missing)}"


def validate(req: PushRequest) -> None:
    """Every mutation well-formed before anything is applied; 422 names mutation and field."""
    last = 0
    for m in req.mutations:
        tag = f"变更 mutation_id={m.mutation_id}"
        if m.mutation_id <= last:
            raise Invalid(f"{tag}：变更编号必须严格递增")
        last = m.mutation_id
        if m.table not in SYNCED_TABLES:
            raise Invalid(f"{tag}：未知的数据表 {m.table}")
        try:
            canonical = str(uuid.UUID(m.record_id)) == m.record_id
        except ValueError:
            canonical = False
        if not canonical:
            raise Invalid(f"{tag}：记录编号 record_id 不是有效的 UUID")
        for name, stamp in (("hlc", m.hlc), ("base_hlc", m.base_hlc)):
            if stamp is None:
                continue
            try:
                Timestamp.parse(stamp)
            except HlcError as exc:
                raise Invalid(f"{tag}：字段 {name} {exc.message}") from None
        if m.op == "delete" and m.changes.get("deleted") is not True:
            raise Invalid(f"{tag}：删除操作的 changes 必须为 {{\"deleted\": true}}")
        if m.op == "insert" and "org_id" not in m.changes:
            raise Invalid(f"{tag}：新增记录缺少字段 org_id")
        specs = columns(m.table)
        for name, value in m.changes.items():
            if name == "id":
                if value != m.record_id:
                    raise Invalid(f"{tag}：字段 id 与 record_id 不一致")
                continue
            spec = specs.get(name)
            if spec is None:
                raise Invalid(f"{tag}：字段 {name} 不存在或不可同步")
            reason = check_value(spec, value)
            if reason:
                raise Invalid(f"{tag}：字段 {name} {reason}")
        if m.op == "insert":
            missing = missing_required(m.table, m.changes)
            if missing:
                raise Invalid(_missing_message(tag, missing))


def push(engine: Engine, who: Principal, req: PushRequest) -> PushResponse:
    if req.device_id != who.device_id:
        with write_tx(engine) as conn:
            log_event(conn, "push_wrong_device", username=who.username,
                      account_id=who.account_id, device_id=req.device_id, org_id=who.org_id)
        raise Forbidden(WRONG_DEVICE)
    validate(req)
    try:
        with sequenced_tx(engine) as (conn, seq):
            return _apply_all(conn, seq, who, req)
    except Forbidden as exc:  # rolled back; the refusal itself is kept
        with write_tx(engine) as conn:
            log_event(conn, "push_out_of_scope", username=who.username,
                      account_id=who.account_id, device_id=who.device_id, org_id=who.org_id,
                      detail=getattr(exc, "where", None))
        raise


class _OutOfScope(Forbidden):
    """403 {"detail": 无权访问该机构的数据, "mutation_id": N}: N is the first refused mutation,
    one the client sent itself, so the body says nothing about other clinics' records (the
    same body whether the id exists elsewhere or not)."""

    def __init__(self, where: str, mutation_id: int) -> None:
        super().__init__(scope.FORBIDDEN, mutation_id=mutation_id)
        self.where = where


def _apply_all(conn: Connection, seq: Sequence, who: Principal,
               req: PushRequest) -> PushResponse:
    d = models.device
    last_applied = conn.execute(select(d.c.last_mutation_id)
                                .where(d.c.id == who.device_id)).scalar_one()
    orgs = scope.data_scope(conn, who.role, who.org_id)
    server_ms = now_ms()
    _refuse_clock_ahead(req, last_applied, server_ms)
    results, clamped = [], 0
    # Every record the request touches, read at once; written back at once at the end.
    cache: dict[tuple[str, str], records.Record | None] = dict.fromkeys(
        {(m.table, m.record_id) for m in req.mutations})
    cache.update(records.load_many(conn, set(cache)))
    for m in req.mutations:
        if m.mutation_id <= last_applied:
            current = cache[(m.table, m.record_id)]
            in_scope = current is not None and current.org_id in orgs and current.seq
            results.append(MutationResult(mutation_id=m.mutation_id, status="duplicate",
                                          seq=current.seq if in_scope else None))
            continue
        ts, was_clamped = clamp(Timestamp.parse(m.hlc), server_ms, MAX_CLOCK_AHEAD_MS)
        clamped += was_clamped
        results.append(_apply(conn, seq, who, orgs, m, str(ts), cache))
        _note_not_as_sent(cache.get((m.table, m.record_id)), m)
    changed = [rec for rec in cache.values() if rec is not None and rec.changed]
    records.note_departures(conn, seq, changed)
    audit.capture(conn, changed, who.device_id)  # before save_many: it reads is_new
    records.save_many(conn, changed)
    new_last = max([last_applied] + [m.mutation_id for m in req.mutations])
    conn.execute(update(d).where(d.c.id == who.device_id)
                 .values(last_mutation_id=new_last, last_seen=server_ms))
    return PushResponse(results=results, last_mutation_id=new_last, server_time_ms=now_ms(),
                        clamped=clamped)


CLOCK_AHEAD = ("{n} 条修改的时间比服务器超前 {hours} 小时以上（本机时钟超前），未予接受，"
               "请校准电脑的日期和时间：mutation_id={ids}")


def _refuse_clock_ahead(req: PushRequest, last_applied: int, server_ms: int) -> None:
    """422 `clock_ahead` naming every new mutation stamped more than REFUSE_AHEAD_MS ahead of
    the server's time (a PC clock a year ahead): clamping them would order a year of that
    PC's edits after everyone else's. Nothing of the request applies; the PC sets exactly
    those aside, pushes the rest, and sends them again re-stamped once its date is right.
    Retries of applied mutations are not judged again."""
    ahead = [m.mutation_id for m in req.mutations if m.mutation_id > last_applied
             and refused_ahead(Timestamp.parse(m.hlc), server_ms)]
    if ahead:
        shown = "、".join(map(str, ahead[:20])) + ("等" if len(ahead) > 20 else "")
        raise ClockAhead(CLOCK_AHEAD.format(n=len(ahead), hours=REFUSE_AHEAD_MS // 3_600_000,
                                            ids=shown), ahead)


def _apply(conn: Connection, seq: Sequence, who: Principal, orgs: frozenset[str],
           m: Mutation, hlc: str, cache: dict) -> MutationResult:
    rec = cache[(m.table, m.record_id)]
    new_org = m.changes.get("org_id")
    # One answer for "not yours" and "does not exist": never reveal another clinic's ids.
    where = f"{m.table}/{m.record_id}"
    if rec is not None and rec.org_id not in orgs:
        raise _OutOfScope(where, m.mutation_id)
    if new_org is not None and new_org not in orgs:
        raise _OutOfScope(where, m.mutation_id)
    if rec is not None and m.table == audit.TABLE:
        # The access log is append-only here too: an entry the server has (from an earlier
        # push or a bundle, or earlier in this request) is never changed or deleted.
        return MutationResult(mutation_id=m.mutation_id, status="applied",
                              seq=rec.seq or None)
    if rec is None:
        if new_org is None:
            raise _OutOfScope(where, m.mutation_id)
        if m.op != "insert":
            # An update or delete creating the record: it needs what an insert needs
            # (validate() checked inserts already).
            missing = missing_required(m.table, m.changes)
            if missing and m.base_hlc:
                # A resync after a restore: the device that created it has not uploaded it
                # again yet. Nothing applies; the device sends its whole row instead.
                return MutationResult(mutation_id=m.mutation_id, status="missing")
            if missing:
                raise Invalid(_missing_message(f"变更 mutation_id={m.mutation_id}", missing,
                                               creating=True))
        rec = records.Record(m.table, m.record_id, new_org, 0, "", False, {}, {}, is_new=True)
        cache[(m.table, m.record_id)] = rec

    device = who.device_id
    s = seq.next()
    changes = {k: v for k, v in m.changes.items() if k != "id"}
    made: list[tuple[str, str]] = []  # (conflict id, status)
    status = "applied"

    if rec.is_new:
        for name, value in changes.items():
            rec.set(name, value, s, hlc, device)
        rec.meta = {records.ALL_FIELDS: [s, hlc, device]}
    elif is_append_only(m.table):
        for name, value in changes.items():
            if _wins(hlc, device, rec.field_meta(name)):
                rec.set(name, value, s, hlc, device)
    elif m.op == "insert" and m.base_hlc:
        # A creation uploaded again after a restore, onto a record another device's later
        # edits (uploaded again first) brought back: those came after the creation, they stand.
        for name, value in changes.items():
            meta = rec.field_meta(name)
            if meta is None or meta[2] == device:
                rec.set(name, value, s, hlc, device)
    else:
        base = m.base_seq or 0
        seen_hlc = m.base_hlc  # a resync after a restore: changes the edit had seen

        def other_since(name: str) -> list | None:
            meta = rec.field_meta(name)
            if not meta or meta[0] <= base or meta[2] == device:
                return None
            return None if seen_hlc and meta[1] <= seen_hlc else meta

        deleted_meta = other_since("deleted")
        if m.op == "delete":
            edited = {f: v for f, v in rec.data.items() if f not in STAMPS | {"deleted"}
                      and other_since(f)}
            if rec.deleted:
                pass  # already gone
            elif edited:
                made.append(_conflict(conn, seq, who, rec, conflicts.DELETED, True, edited,
                                      hlc, max(rec.field_meta(f)[1] for f in edited), "open"))
            else:
                for name, value in changes.items():
                    rec.set(name, value, s, hlc, device)
        elif rec.deleted and deleted_meta:  # an edit racing a delete
            made.append(_conflict(conn, seq, who, rec, conflicts.DELETED, changes, True, hlc,
                                  deleted_meta[1], "open", server_device=deleted_meta[2]))
        else:
            for name, value in changes.items():
                server = other_since(name)
                if server is None:
                    if name not in STAMPS or _wins(hlc, device, rec.field_meta(name)):
                        rec.set(name, value, s, hlc, device)
                elif name in STAMPS:
                    if _wins(hlc, device, server):
                        rec.set(name, value, s, hlc, device)
                elif rec.data.get(name) == value:
                    continue  # both sides agree
                elif needs_review(m.table, name):
                    made.append(_conflict(conn, seq, who, rec, name, value, rec.data.get(name),
                                          hlc, server[1], "open", server_device=server[2]))
                else:
                    pushed_wins = _wins(hlc, device, server)
                    made.append(_conflict(conn, seq, who, rec, name, value, rec.data.get(name),
                                          hlc, server[1], "auto", server_device=server[2],
                                          resolution="local" if pushed_wins else "server"))
                    if pushed_wins:
                        rec.set(name, value, s, hlc, device)
                    status = "merged"
        if any(st == "open" for _, st in made):
            status = "conflict"

    if rec.changed_by(s):
        rec.seq = s
        rec.hlc = max(rec.hlc, hlc)
    return MutationResult(mutation_id=m.mutation_id, status=status, seq=rec.seq or None,
                          conflicts=[cid for cid, _ in made])


def _note_not_as_sent(rec: records.Record | None, m: Mutation) -> None:
    """The record as stored now is not what the pushing device holds (its clock clamped, a
    stamp or field that lost, a conflict): say so in meta, in no device's name, so the
    device's next pull sends it the row instead of only its seq (pull's own=skip)."""
    if rec is None or not rec.changed or not rec.seq:
        return
    pushed = {k: v for k, v in m.changes.items() if k not in ("id", "hlc")}
    # updated_at is not pushed with edits (the PC stamps it locally): `seen` carries the
    # server's, which the PC takes.
    if rec.hlc != m.hlc or any(rec.data.get(k) != v for k, v in pushed.items()):
        rec.meta[records.NOT_AS_SENT] = [rec.seq, rec.hlc, ""]


def _wins(hlc: str, device: str, meta: list | None) -> bool:
    """Does a change stamped (hlc, device) beat the field's last change? Ties: device id."""
    return meta is None or (hlc, device) > (meta[1], meta[2])


def _author(conn: Connection, device_id: str | None) -> str | None:
    """Readable author of a change: the account's username (the HLC names the device)."""
    if not device_id:
        return None
    name = conn.execute(
        select(models.account.c.username).join(
            models.device, models.device.c.account_id == models.account.c.id)
        .where(models.device.c.id == device_id)).scalar()
    return name or device_id


def _conflict(conn: Connection, seq: Sequence, who: Principal, rec: records.Record, field: str,
              local: Any, server: Any, local_hlc: str, server_hlc: str | None, status: str,
              server_device: str | None = None,
              resolution: str | None = None) -> tuple[str, str]:
    if server_device is None and field == conflicts.DELETED:
        server_device = max(rec.meta.values(), key=lambda m: m[0])[2]
    conflict_id = conflicts.create(
        conn, seq, rec=rec, field=field, local_value=local, server_value=server,
        local_author=who.username, server_author=_author(conn, server_device),
        local_hlc=local_hlc, server_hlc=server_hlc, status=status, resolution=resolution)
    return conflict_id, status
