"""Reading and writing rows of the generic `record` table."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, insert, select, update

from familydoc_desktop.sync.protocol import wire_row_hash
from sync_server import models
from sync_server.core.db import now_ms
from sync_server.services import tally_fields
from sync_server.services.columns import columns


ALL_FIELDS = "*"
# meta key (never a column): [seq, hlc, ""] of the last change whose result differs from what
# the pushing device sent, so that device is sent the row again (pull.py, own=skip).
NOT_AS_SENT = "~not_as_sent"


def dumps(value: Any) -> str:
    # orjson: compact UTF-8 like json.dumps(ensure_ascii=False), several times faster on the
    # push and pull paths, which encode and decode every record they touch.
    return orjson.dumps(value).decode()


loads = orjson.loads


@dataclass
class Record:
    table: str
    id: str
    org_id: str
    seq: int
    hlc: str
    deleted: bool
    data: dict[str, Any]
    # field -> [seq, hlc, device_id]; "*" stands for every field not listed (set at creation,
    # which keeps bulk-loaded and freshly inserted rows small).
    meta: dict[str, list]
    is_new: bool = False
    changed: bool = field(default=False)  # needs writing back
    last_set: int = 0  # seq of the latest change made through set()
    loaded_org: str | None = None  # org_id as read: a change of it is a departure

    def field_meta(self, name: str) -> list | None:
        return self.meta.get(name) or self.meta.get(ALL_FIELDS)

    def changed_by(self, seq: int) -> bool:
        return self.last_set == seq

    def set(self, name: str, value: Any, seq: int, hlc: str, device: str) -> None:
        self.data[name] = value
        self.meta[name] = [seq, hlc, device]
        self.changed = True
        self.last_set = seq
        if name == "org_id":
            self.org_id = value
        elif name == "deleted":
            self.deleted = bool(value)


def load(conn: Connection, table: str, record_id: str) -> Record | None:
    r = models.record
    row = conn.execute(select(r).where(r.c.table_name == table, r.c.id == record_id)).first()
    if row is None:
        return None
    return Record(table, row.id, row.org_id, row.seq, row.hlc, bool(row.deleted),
                  loads(row.data), loads(row.meta), loaded_org=row.org_id)


def load_many(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Record]:
    """Records for (table, id) keys, fetched in a few set-based queries."""
    r = models.record
    by_table: dict[str, list[str]] = {}
    for table, record_id in keys:
        by_table.setdefault(table, []).append(record_id)
    found = {}
    for table, ids in by_table.items():
        for start in range(0, len(ids), 500):
            for row in conn.execute(select(r).where(r.c.table_name == table,
                                                    r.c.id.in_(ids[start:start + 500]))):
                found[(table, row.id)] = Record(table, row.id, row.org_id, row.seq, row.hlc,
                                                bool(row.deleted), loads(row.data),
                                                loads(row.meta), loaded_org=row.org_id)
    return found


def _values(rec: Record) -> dict:
    """The columns every write of a record sets (save, save_many: push, bundle import,
    conflict resolution)."""
    rec.data["org_id"] = rec.org_id
    rec.data["deleted"] = rec.deleted
    rec.data["hlc"] = rec.hlc
    tally, tally_shape = tally_fields.of(rec.table, rec.id, rec.org_id, rec.data)
    return dict(org_id=rec.org_id, seq=rec.seq, hlc=rec.hlc, deleted=rec.deleted,
                data=dumps(rec.data), meta=dumps(rec.meta),
                content_hash=content_hash(rec.table, rec.id, rec.seq, rec.data),
                tally=tally, tally_shape=tally_shape)


def content_hash(table: str, record_id: str, seq: int, data: dict[str, Any]) -> int:
    """The record's hash for the digest of values (protocol.wire_row_hash), kept in
    record.content_hash with every write."""
    return wire_row_hash(table, digest_columns(table), record_id, seq, data.get)


def digest_columns(table: str) -> list[str]:
    """The fields the content digest hashes, in order: the table's wire columns."""
    return list(columns(table))


def note_departures(conn: Connection, seq, recs: list[Record]) -> int:  # noqa: ANN001
    """A departure row (next seq) for every record whose org changed since it was read; its
    open conflicts move with it (a new seq each, so the new org's devices pull them)."""
    rows = []
    c = models.conflict
    for rec in recs:
        if rec.loaded_org is not None and rec.loaded_org != rec.org_id:
            rows.append(dict(seq=seq.next(), table_name=rec.table, record_id=rec.id,
                             org_id=rec.loaded_org, at=now_ms()))
            open_ids = conn.execute(select(c.c.id).where(
                c.c.table_name == rec.table, c.c.record_id == rec.id,
                c.c.status == "open")).scalars().all()
            for conflict_id in open_ids:
                conn.execute(update(c).where(c.c.id == conflict_id)
                             .values(org_id=rec.org_id, seq=seq.next()))
            rec.loaded_org = rec.org_id
    if rows:
        conn.execute(insert(models.departure), rows)
    return len(rows)


def save_many(conn: Connection, recs: list[Record]) -> None:
    """Write changed records with one executemany for the new and one for the existing."""
    r = models.record
    new = [dict(table_name=rec.table, id=rec.id, **_values(rec)) for rec in recs if rec.is_new]
    old = [dict(t_name=rec.table, r_id=rec.id, **_values(rec)) for rec in recs
           if not rec.is_new]
    if new:
        conn.execute(insert(r), new)
    if old:
        conn.execute(update(r).where(r.c.table_name == bindparam("t_name"),
                                     r.c.id == bindparam("r_id")), old)
    for rec in recs:
        rec.is_new = False


def save(conn: Connection, rec: Record) -> None:
    r = models.record
    rec.data["org_id"] = rec.org_id
    rec.data["deleted"] = rec.deleted
    rec.data["hlc"] = rec.hlc
    values = _values(rec)
    if rec.is_new:
        conn.execute(insert(r).values(table_name=rec.table, id=rec.id, **values))
        rec.is_new = False
    else:
        conn.execute(update(r).where(r.c.table_name == rec.table, r.c.id == rec.id)
                     .values(**values))
