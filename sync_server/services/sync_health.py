"""Sync health: every device reports on itself at the end of a sync round (`record`), and
township and county staff read the latest reports of their clinics' devices (`report`).

Scope follows the org tree like every read: a clinic account sees its clinic, a township its
clinics, a county every clinic below it, IT administrators (who manage every device) all of
them. Another org than the caller's own or one below it is 403, the same for an org that does
not exist, and the refusal is logged (security_log). No personal data is involved: counts,
versions, times and the devices' own Chinese messages.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from familydoc_desktop import __version__ as SERVER_VERSION
from familydoc_desktop.domain.codes import OrgLevel, Role
from familydoc_desktop.sync.protocol import SYNC_FLAGS, SyncHealthReport
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import now_ms, read_tx, write_tx
from sync_server.services.accounts import Principal, log_event
from sync_server.services.errors import Forbidden, NotFound

CLINIC_TZ = timezone(timedelta(hours=8))  # China Standard Time, as the audit view
DAY_MS = 86_400_000
STALE_DAYS = 7
MAX_STALE_DAYS = 366
CLOCK_FLAG_MS = 5 * 60 * 1000
NOT_YOUR_DEVICE = "只能报告本机的同步情况"
ORG_NOT_FOUND = "机构不存在：{org}"


# --- a device reports ------------------------------------------------------------------------

CHANNELS = ("network", "usb")


def record(engine: Engine, who: Principal, body: SyncHealthReport, *,
           channel: str = "network") -> dict:
    """Keep `body` as the latest report of the caller's own device (403 for another id).
    `channel` "usb": it came inside a USB bundle the server just imported (its round is the
    import, so last_sync_at is now; the device's clock offset is unknown)."""
    assert channel in CHANNELS
    now = now_ms()
    if body.device_id != who.device_id:
        with write_tx(engine) as conn:
            log_event(conn, "report_device_mismatch", username=who.username,
                      account_id=who.account_id, device_id=who.device_id, org_id=who.org_id,
                      detail=f"device={body.device_id[:40]}")
        raise Forbidden(NOT_YOUR_DEVICE)
    offset = body.clock_offset_ms
    if offset is None and body.client_time_ms is not None:
        offset = now - body.client_time_ms  # no round trip measured: the request's own
    shift = offset or 0

    def on_server(device_ms: int | None) -> int | None:
        return None if device_ms is None else device_ms + shift

    values = {
        "app_version": body.app_version, "schema_version": body.schema_version,
        "pending": body.pending, "refused": body.refused,
        "refused_reasons": json.dumps([r.model_dump() for r in body.refused_reasons],
                                      ensure_ascii=False),
        "set_aside": body.set_aside, "open_conflicts": body.open_conflicts,
        "clock_offset_ms": offset, "digest_checked_at": on_server(body.digest_checked_at),
        "digest_ok": body.digest_ok,
        "records": json.dumps(body.records, ensure_ascii=False, sort_keys=True),
        "last_error": body.last_error, "last_error_at": on_server(body.last_error_at),
        "sync_ok": body.sync_ok, "reported_at": now, "channel": channel,
    }
    if body.sync_ok:
        values["last_sync_at"] = now
    h = models.device_health
    with write_tx(engine) as conn:
        insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert_(h).values(device_id=who.device_id, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=[h.c.device_id],
                                                set_={k: stmt.excluded[k] for k in values}))
    return {"status": "ok", "device_id": who.device_id, "reported_at": now}


# --- the report ------------------------------------------------------------------------------

class DeviceHealthOut(BaseModel):
    device_id: str
    name: str
    username: str
    app_version: str | None = None
    schema_version: int | None = None
    last_sync_at: str | None = None  # the last round that succeeded (server clock)
    last_seen_at: str | None = None  # the last request of the device
    reported_at: str | None = None
    pending: int | None = None
    refused: int | None = None
    refused_reasons: list[dict] = []
    set_aside: int | None = None
    open_conflicts: int | None = None
    clock_offset_seconds: float | None = None  # server − device
    digest_ok: bool | None = None
    digest_checked_at: str | None = None
    records: dict[str, int] = {}
    last_error: str | None = None
    last_error_at: str | None = None
    sync_ok: bool | None = None
    channel: str | None = None  # how the latest report came: "network" or "usb"
    flags: list[str] = []


class ClinicHealthOut(BaseModel):
    code: str
    name: str
    level: str = "clinic"  # OrgLevel; a township or county row holds the PCs registered there
    flags: list[str]
    open_conflicts: int  # open conflicts of the clinic's records on the server
    devices: list[DeviceHealthOut]


class SyncReportOut(BaseModel):
    clinics: list[ClinicHealthOut]


def _iso(ms: int | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, CLINIC_TZ).isoformat()


def version_key(version: str | None) -> tuple[int, ...] | None:
    """1.2.0 -> (1, 2): the leading numeric release, trailing zeros dropped; None if none."""
    m = re.match(r"\s*v?(\d+(?:\.\d+)*)", version or "")
    if not m:
        return None
    parts = [int(p) for p in m.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


class _Tree:
    """Every org once (one query), for scope and for the clinics below an org."""

    def __init__(self, conn: Connection) -> None:
        o = models.org
        self.rows = {r.id: r for r in conn.execute(
            select(o.c.id, o.c.code, o.c.name, o.c.level, o.c.parent_id))}
        self.by_code = {r.code: r for r in self.rows.values()}
        self.children: dict[str | None, list[str]] = defaultdict(list)
        for r in self.rows.values():
            self.children[r.parent_id].append(r.id)

    def find(self, org: str):  # noqa: ANN201
        return self.rows.get(org) or self.by_code.get(org)

    def subtree(self, root_id: str) -> set[str]:
        found, stack = {root_id}, [root_id]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found


def visible(tree: _Tree, who: Principal | None) -> set[str]:
    """Orgs whose devices the caller may see: None (the server's own CLI) and IT staff all."""
    if who is None or who.role == Role.IT_ADMIN:
        return set(tree.rows)
    return tree.subtree(who.org_id)


def report(engine: Engine, who: Principal | None, *, org: str | None = None,
           stale_days: int = STALE_DAYS, now: int | None = None) -> SyncReportOut:
    """`build` in one snapshot; a refusal out of scope is logged before the 403."""
    try:
        with read_tx(engine) as conn:
            return build(conn, who, org=org, stale_days=stale_days, now=now)
    except Forbidden:
        with write_tx(engine) as conn:
            log_event(conn, "report_out_of_scope", username=who.username,
                      account_id=who.account_id, device_id=who.device_id, org_id=who.org_id,
                      detail=f"sync org={str(org)[:40]}")
        raise


def build(conn: Connection, who: Principal | None, *, org: str | None = None,
          stale_days: int = STALE_DAYS, now: int | None = None) -> SyncReportOut:
    """The clinics of the caller's scope (or of `org`, an org code or id in it) with their
    devices' latest reports and the flags a township looks for."""
    now = now_ms() if now is None else now
    stale_days = max(1, min(int(stale_days), MAX_STALE_DAYS))
    tree = _Tree(conn)
    seen = visible(tree, who)
    if org is not None:
        row = tree.find(org)
        if row is None or row.id not in seen:
            if who is None:
                raise NotFound(ORG_NOT_FOUND.format(org=org))
            raise Forbidden(scope.FORBIDDEN)  # the same answer whether it exists or not
        wanted = tree.subtree(row.id) & seen
        if who is None:  # the server's CLI reports as the org's own staff would see it
            seen = wanted
    else:
        wanted = seen
    d, a, h = models.device, models.account, models.device_health
    # Every clinic, and the townships and counties that have PCs of their own (the township
    # health centre's, the county's): a township without one is no gap, a clinic is.
    with_devices = set(conn.execute(
        select(d.c.org_id).distinct().where(d.c.org_id.in_(sorted(wanted)),
                                            d.c.revoked.is_(False))).scalars())
    clinics = sorted((tree.rows[i] for i in wanted
                      if tree.rows[i].level == OrgLevel.CLINIC or i in with_devices),
                     key=lambda r: r.code)
    clinic_ids = [c.id for c in clinics]
    if not clinic_ids:
        return SyncReportOut(clinics=[])

    devices = conn.execute(
        select(d.c.id, d.c.name, d.c.org_id, d.c.last_seen, a.c.username, h)
        .join(a, a.c.id == d.c.account_id).outerjoin(h, h.c.device_id == d.c.id)
        .where(d.c.org_id.in_(clinic_ids), d.c.revoked.is_(False))
        .order_by(a.c.username, d.c.id)).all()
    c = models.conflict
    conflicts = dict(conn.execute(
        select(c.c.org_id, func.count()).where(c.c.org_id.in_(clinic_ids), c.c.status == "open")
        .group_by(c.c.org_id)).all())
    # The newest version any device of the caller's scope runs, or the server's own.
    versions = conn.execute(
        select(h.c.app_version).distinct().join(d, d.c.id == h.c.device_id)
        .where(d.c.revoked.is_(False), d.c.org_id.in_(sorted(seen)))).scalars().all()
    keys = [k for k in map(version_key, [*versions, SERVER_VERSION]) if k is not None]
    newest = max(keys) if keys else None

    stale_before = now - stale_days * DAY_MS
    by_clinic: dict[str, list[DeviceHealthOut]] = defaultdict(list)
    for r in devices:
        by_clinic[r.org_id].append(_device(r, newest, stale_before))
    out = []
    for clinic in clinics:
        devs = by_clinic.get(clinic.id, [])
        open_conflicts = int(conflicts.get(clinic.id, 0))
        out.append(ClinicHealthOut(code=clinic.code, name=clinic.name, level=clinic.level,
                                   flags=_clinic_flags(devs, open_conflicts),
                                   open_conflicts=open_conflicts, devices=devs))
    return SyncReportOut(clinics=out)


def _device(r, newest: tuple[int, ...] | None, stale_before: int) -> DeviceHealthOut:  # noqa: ANN001
    flags = []
    if r.last_sync_at is None or r.last_sync_at < stale_before:
        flags.append("not_synced")
    if r.sync_ok is False:
        flags.append("sync_failed")
    if r.clock_offset_ms is not None and abs(r.clock_offset_ms) > CLOCK_FLAG_MS:
        flags.append("clock_offset")
    if r.refused:
        flags.append("refused")
    if r.digest_ok is False:
        flags.append("digest_mismatch")
    key = version_key(r.app_version) if r.app_version is not None else None
    if r.app_version is not None and newest is not None and (key is None or key < newest):
        flags.append("old_version")
    if r.open_conflicts:
        flags.append("open_conflicts")
    reported = r.reported_at is not None
    return DeviceHealthOut(
        device_id=r.id, name=r.name or "", username=r.username, app_version=r.app_version,
        schema_version=r.schema_version, last_sync_at=_iso(r.last_sync_at),
        last_seen_at=_iso(r.last_seen), reported_at=_iso(r.reported_at),
        pending=r.pending, refused=r.refused,
        refused_reasons=json.loads(r.refused_reasons) if reported else [],
        set_aside=r.set_aside, open_conflicts=r.open_conflicts,
        clock_offset_seconds=(None if r.clock_offset_ms is None
                              else round(r.clock_offset_ms / 1000, 1)),
        digest_ok=r.digest_ok, digest_checked_at=_iso(r.digest_checked_at),
        records=json.loads(r.records) if reported else {},
        last_error=r.last_error, last_error_at=_iso(r.last_error_at), sync_ok=r.sync_ok,
        channel=r.channel, flags=flags)


def _clinic_flags(devices: list[DeviceHealthOut], open_conflicts: int) -> list[str]:
    flags = set()
    if not devices:
        flags.add("no_device")
    else:
        behind = sum("not_synced" in dev.flags for dev in devices)
        if behind == len(devices):
            flags.add("not_synced")
        elif behind:
            flags.add("device_behind")
    for dev in devices:
        flags.update(f for f in dev.flags
                     if f in ("sync_failed", "clock_offset", "refused", "digest_mismatch",
                              "old_version"))
    if open_conflicts:
        flags.add("open_conflicts")
    return [f for f in SYNC_FLAGS if f in flags]


# --- text and Excel ------------------------------------------------------------------------

def text_lines(rep: SyncReportOut, stale_days: int = STALE_DAYS) -> list[str]:
    """The report in Chinese, as `familydoc sync-report` prints it."""
    from familydoc_desktop.sync import report_text

    return report_text.lines(rep.model_dump(), stale_days)


def write_xlsx(rep: SyncReportOut, path, stale_days: int = STALE_DAYS):  # noqa: ANN001, ANN201
    """Two sheets: the clinics with their flags (red or amber), and every device; the same
    workbook the desktop app exports (familydoc_desktop/sync/report_text.py)."""
    from familydoc_desktop.sync import report_text

    return report_text.write_xlsx(rep.model_dump(), path, stale_days)
