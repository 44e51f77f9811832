"""Change capture: every ORM write to a synced table puts its outbox entry in the same
transaction (architecture.md), so a power cut can never separate an edit from its pending
change. Sync applies pulled rows with Core statements, which bypass this on purpose.
"""
from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from familydoc_desktop.domain.hlc import MAX_MILLIS, Clock, HlcError, Timestamp
from familydoc_desktop.domain.models import OutboxEntry, Synced, SyncState, utcnow
from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS, LOCAL_COLUMNS
from familydoc_desktop.store.search_keys import resident_keys

HLC_KEY = "hlc_last"
DEVICE_KEY = "device_id"


class DeleteNotAllowed(RuntimeError):
    """Synced rows are tombstoned with `soft_delete`, never removed, so the delete can travel."""


def to_wire(value: Any) -> Any:
    """A column value as JSON: dates as ISO text, everything else as is."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record_fields(obj: Synced) -> dict[str, Any]:
    """Every column of a synced row as the wire sends it (local and derived ones left out)."""
    return _wire_fields(obj.__tablename__, "insert",
                        {c.key: getattr(obj, c.key) for c in inspect(type(obj)).column_attrs})


def _wire_fields(table_name: str, op: str, fields: dict[str, Any]) -> dict[str, Any]:
    skip = LOCAL_COLUMNS | DERIVED_COLUMNS.get(table_name, frozenset())
    if op != "insert":  # an update carries what changed; its stamps travel in the entry
        skip = skip | {"hlc", "updated_at"}
    return {k: to_wire(v) for k, v in fields.items() if k not in skip}


def outbox_entry(table_name: str, record_id: str, op: str, fields: dict[str, Any], *,
                 base_seq: int | None, hlc: str, base_hlc: str | None = None
                 ) -> dict[str, Any]:
    """The one builder of an outbox entry, used by the ORM hook (before_flush) and by the
    set-based paths (bulk.insert_with_outbox / update_with_outbox): `fields` are the row's
    columns (insert) or the changed ones (update/delete); local and derived columns never
    travel. Returns the OutboxEntry columns as a dict (created_at is the caller's)."""
    return {"table_name": table_name, "record_id": record_id, "op": op,
            "changes": _dumps(_wire_fields(table_name, op, fields)),
            "base_seq": None if op == "insert" else base_seq, "hlc": hlc,
            "base_hlc": None if op == "insert" else (base_hlc or None)}


def wall_ms() -> int:
    return int(time.time() * 1000)


class ChangeCapture:
    """Holds the device's hybrid logical clock and writes outbox entries on flush."""

    def __init__(self, node: str, last: Timestamp | None) -> None:
        self.clock = Clock(node, last)

    def tick(self) -> str:
        return str(self.clock.now(wall_ms()))

    def before_flush(self, session: Session, _ctx, _instances) -> None:  # noqa: ANN001
        if not session.info.get("capture", True):
            return
        for obj in session.deleted:
            if isinstance(obj, Synced):
                raise DeleteNotAllowed(f"{obj.__tablename__} rows are soft-deleted")
        entries = []
        for obj in list(session.new):
            if isinstance(obj, Synced):
                self._derive(obj)
                obj.hlc = self.tick()
                entries.append(OutboxEntry(**outbox_entry(
                    obj.__tablename__, obj.id, "insert",
                    {c.key: getattr(obj, c.key) for c in inspect(type(obj)).column_attrs},
                    base_seq=None, hlc=obj.hlc)))
        for obj in list(session.dirty):
            if not isinstance(obj, Synced) or not session.is_modified(obj):
                continue
            self._derive(obj)
            changed = _changed_fields(obj)
            if not changed:
                continue
            base_hlc = obj.hlc
            obj.hlc = self.tick()
            obj.updated_at = utcnow()
            op = "delete" if changed.get("deleted") is True else "update"
            entries.append(OutboxEntry(**outbox_entry(
                obj.__tablename__, obj.id, op, changed, base_seq=obj.server_seq, hlc=obj.hlc,
                base_hlc=base_hlc)))
        if entries:
            session.add_all(entries)
            state = session.get(SyncState, HLC_KEY) or SyncState(key=HLC_KEY)
            state.value = str(self.clock.last)
            session.add(state)

    @staticmethod
    def _derive(obj: Synced) -> None:
        if obj.__tablename__ == "resident":
            for key, value in resident_keys(obj.name, obj.id_number, obj.phone).items():
                if getattr(obj, key) != value:
                    setattr(obj, key, value)


def _changed_fields(obj: Synced) -> dict[str, Any]:
    table = obj.__tablename__
    skip = LOCAL_COLUMNS | DERIVED_COLUMNS.get(table, frozenset()) | {"hlc", "updated_at"}
    state = inspect(obj)
    changed = {}
    for attr in state.mapper.column_attrs:
        if attr.key in skip:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes() and hist.added and hist.added != hist.deleted:
            changed[attr.key] = to_wire(getattr(obj, attr.key))
    return changed


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def soft_delete(session: Session, obj: Synced) -> None:
    obj.deleted = True
    session.add(obj)


def install(session_factory, capture: ChangeCapture) -> None:  # noqa: ANN001
    event.listen(session_factory, "before_flush", capture.before_flush)


def load_clock_state(session: Session) -> tuple[str | None, Timestamp | None]:
    rows = dict(session.execute(select(SyncState.key, SyncState.value).where(
        SyncState.key.in_([DEVICE_KEY, HLC_KEY]))).all())
    return rows.get(DEVICE_KEY), _last_stamp(rows.get(HLC_KEY))


def _last_stamp(text: str | None) -> Timestamp | None:
    """The persisted last stamp. One an older version followed beyond 2200 (a remote stamp
    of any size was followed then) is held at 2200: never lost, so the clock cannot run
    back; the next sync restarts it once the server confirms the PC's date."""
    if not text:
        return None
    try:
        return Timestamp.parse(text)
    except HlcError as exc:
        if exc.code == "hlc_out_of_range":
            return Timestamp(MAX_MILLIS, 0, text.split("-", 2)[2])
        return None  # not a stamp at all (never written by this app): the wall clock
