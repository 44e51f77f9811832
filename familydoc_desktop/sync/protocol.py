"""Wire models shared by the desktop sync client and the sync server (pydantic v2).

Every request carries the header `X-FamilyDoc-Schema: <int>` (SCHEMA_VERSION). The server
accepts its own version and one behind; an older client gets 426 with an upgrade message.
Pull pages are columnar (column names once, then rows as arrays, or with `layout=columns`
the values column by column) and compressed (zstd when the client accepts it, else gzip):
about 37 bytes a record on the wire for a first sync (docs/sync.md).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Annotated, Any, Literal

import orjson as _orjson

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from familydoc_desktop import SCHEMA_VERSION
from familydoc_desktop.domain.wire_values import text_problem

_blake2b = hashlib.blake2b
SCHEMA_HEADER = "X-FamilyDoc-Schema"
DEPARTURES_SINCE = 2  # the first schema version whose pull pages carry "departed"
MAX_MUTATIONS_PER_PUSH = 1000
MAX_PULL_LIMIT = 20000
DEFAULT_PULL_LIMIT = 5000
MAX_CLOCK_AHEAD_MS = 5 * 60 * 1000  # edits stamped further ahead of the server are clamped
# Integers travel into 64-bit database columns (SQLite INTEGER, PostgreSQL BIGINT).
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

Op = Literal["insert", "update", "delete"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


BAD_TEXT_ERROR = "text_chars"  # the pydantic error type of CleanRequest's text check


class CleanRequest(Strict):
    """A request body: its text fields (not the values inside `changes`, which the server
    checks per column) hold no NUL, control character or lone surrogate. PostgreSQL refuses
    NUL in text and neither database can store a lone surrogate: without this they were 500s."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        if isinstance(value, str) and text_problem(value):
            raise PydanticCustomError(BAD_TEXT_ERROR, "text with control characters")
        return value


class OrgOut(Strict):
    id: str
    code: str
    name: str
    level: str
    parent_id: str | None = None


class LoginRequest(CleanRequest):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_id: str = Field(min_length=1, max_length=36)
    device_name: str = Field(default="", max_length=100)
    client_time_ms: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)


class LoginResponse(Strict):
    token: str
    expires_at: str
    device_id: str
    username: str
    role: str
    org_id: str
    orgs: list[OrgOut]  # the organisations the account may see
    server_time_ms: int
    schema_version: int = SCHEMA_VERSION


class Mutation(CleanRequest):
    mutation_id: int = Field(gt=0, le=INT64_MAX)
    table: str = Field(min_length=1, max_length=40)
    record_id: str = Field(min_length=1, max_length=36)
    op: Op
    changes: dict[str, Any]
    base_seq: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    hlc: str = Field(min_length=1, max_length=40)
    # Sent only to servers that know epochs (GET /sync/epoch), in a resync after a restore:
    # the HLC of the version the edit started from. A field change at or below it is one the
    # edit had seen, whatever its (new) seq.
    base_hlc: str | None = Field(default=None, min_length=1, max_length=40)


class PushRequest(CleanRequest):
    device_id: str = Field(min_length=1, max_length=36)
    client_time_ms: int = Field(ge=INT64_MIN, le=INT64_MAX)
    mutations: list[Mutation] = Field(max_length=MAX_MUTATIONS_PER_PUSH)


class ConflictOut(Strict):
    id: str
    table: str
    record_id: str
    field: str  # "__deleted__" for a delete racing an edit
    local_value: Any = None  # the pushing device's value
    server_value: Any = None
    local_author: str | None = None
    server_author: str | None = None
    local_hlc: str | None = None
    server_hlc: str | None = None
    status: Literal["open", "auto", "resolved"]
    resolution: Literal["local", "server"] | None = None
    org_id: str
    seq: int


class MutationResult(Strict):
    mutation_id: int
    # missing: a resync's edit of a record the server does not hold (yet): nothing applied,
    # the device sends its whole row (sent only to pushes that carry base_hlc).
    status: Literal["applied", "duplicate", "merged", "conflict", "missing"]
    seq: int | None = None  # server sequence of the record after this mutation
    conflicts: list[str] = []  # ids of ConflictOut created by this mutation


class PushResponse(Strict):
    results: list[MutationResult]
    last_mutation_id: int  # highest mutation id of this device the server has applied
    server_time_ms: int
    clamped: int = 0  # how many timestamps were pulled back to server time


class TablePage(Strict):
    columns: list[str]  # always starts with id, server_seq
    rows: list[list[Any]] = []
    # layout=columns: the values column by column instead of `rows`, server_seq as
    # differences from the row before (the first from 0). Compresses to about 2/3.
    data: list[list[Any]] | None = None

    def as_rows(self) -> "TablePage":
        """The same page in the row layout (a column page turned back into rows)."""
        if self.data is None:
            return self
        data = self.data
        if len(data) != len(self.columns) or len({len(col) for col in data}) > 1:
            raise ValueError("column page with columns of different lengths")
        if data:
            seqs = list(accumulate(data[1], initial=0))  # C loops: 1-2 s of a township
            data = [data[0], seqs[1:], *data[2:]]
        # The values were validated when the page was parsed (list[list[Any]]): no second
        # pass over every row here.
        return TablePage.model_construct(columns=self.columns,
                                         rows=list(map(list, zip(*data))), data=None)


class PullResponse(Strict):
    since: int
    next_since: int  # commit this as the cursor together with the page
    more: bool
    tables: dict[str, TablePage]
    conflicts: list[ConflictOut] = []
    server_time_ms: int
    # (table, record id) of records that left the caller's scope (moved to an org it does
    # not see): the device stops holding them. Sent to schema >= DEPARTURES_SINCE only.
    departed: list[tuple[str, str]] = []
    # own=skip: (table, id, seq, updated_at) of records changed after `since` only by this
    # device (its own pushed edits): not sent as rows; the device takes the seq and the
    # server's updated_at (edits do not push it) for the row it holds.
    seen: list[tuple[str, str, int, str | None]] = []


class TableDigest(Strict):
    count: int
    # version 1: order-independent hash of (id, server_seq) pairs, see digest_of;
    # version 2: of each record's canonical content (content_hash), see content_digest.
    digest: str
    # version 2 with ?table=: the digest per bucket (the last `depth` characters of the id,
    # the random end of a UUID), for buckets holding at least one record.
    depth: int | None = None
    buckets: dict[str, str] | None = None


class DigestResponse(Strict):
    tables: dict[str, TableDigest]
    max_seq: int
    server_time_ms: int | None = None
    # Sent only to ?version=2 (an older client gets the version 1 answer, unchanged): the
    # digests are of content, and `columns` names per table the fields hashed, in order.
    version: int | None = None
    columns: dict[str, list[str]] | None = None


class EpochEntry(Strict):
    epoch: str
    base_seq: int  # the server's sequence when this epoch began
    reason: Literal["created", "restore", "regression"]


class ServerEpoch(Strict):
    """GET /sync/epoch: which epoch the server is in (a restore from backup starts a new one),
    its sequence, and what it holds of the calling device. A PC whose epoch is not the
    current one resyncs (sync/resync.py): rows it holds with a server_seq above the base of
    the first epoch after its own are versions the server lost."""

    epoch: str
    max_seq: int
    history: list[EpochEntry]  # oldest first, the current one last
    device_last_mutation_id: int  # this device's highest mutation the server holds
    server_time_ms: int


class ResolveRequest(CleanRequest):
    keep: Literal["local", "server"]


MAX_REPORT_REASONS = 20
MAX_REPORT_TABLES = 64
MAX_REPORT_COUNT = 10 ** 9
MAX_CLOCK_OFFSET_MS = 10 * 365 * 86_400_000  # ten years: anything beyond is a broken clock
TableName = Annotated[str, StringConstraints(min_length=1, max_length=40,
                                             pattern=r"^[a-z][a-z0-9_]*$")]
Count = Annotated[int, Field(ge=0, le=MAX_REPORT_COUNT)]


class RefusedReason(CleanRequest):
    reason: str = Field(max_length=200)
    count: Count


class SyncHealthReport(CleanRequest):
    """What a device says about itself at the end of a sync round (POST /sync/report). The
    server keeps the latest per device; township and county staff read them in
    GET /reports/sync. Never personal data: counts, versions, times and Chinese messages."""

    device_id: str = Field(min_length=1, max_length=36)
    app_version: str = Field(min_length=1, max_length=32)
    schema_version: int = Field(ge=0, le=10_000)
    sync_ok: bool = True  # whether the round that sends this report succeeded
    pending: Count = 0  # outbox entries still waiting
    refused: Count = 0  # edits the server refused, set aside on the device
    refused_reasons: list[RefusedReason] = Field(default=[], max_length=MAX_REPORT_REASONS)
    set_aside: Count = 0  # pulled rows the device could not hold
    open_conflicts: Count = 0
    clock_offset_ms: int | None = Field(default=None, ge=-MAX_CLOCK_OFFSET_MS,
                                        le=MAX_CLOCK_OFFSET_MS)  # server − device
    client_time_ms: int | None = Field(default=None, ge=0, le=INT64_MAX)
    digest_checked_at: int | None = Field(default=None, ge=0, le=INT64_MAX)  # device clock, ms
    digest_ok: bool | None = None
    records: dict[TableName, Count] = Field(default={}, max_length=MAX_REPORT_TABLES)
    last_error: str | None = Field(default=None, max_length=500)
    last_error_at: int | None = Field(default=None, ge=0, le=INT64_MAX)  # device clock, ms


# Flags of the sync report (GET /reports/sync), in the order they are listed, with the words
# the CLIs and the export show. {days} is the report's stale_days.
SYNC_FLAGS = {
    "no_device": "没有登记的电脑",
    "not_synced": "{days}天内没有同步",
    "device_behind": "有电脑{days}天内没有同步",
    "sync_failed": "最近一次同步失败",
    "clock_offset": "电脑时钟偏差超过5分钟",
    "refused": "有修改被服务器拒绝",
    "digest_mismatch": "数据核对不一致",
    "old_version": "软件版本过旧",
    "open_conflicts": "有待处理的冲突",
}


def sync_flag_words(flags: list[str], days: int = 7) -> str:
    return "、".join(SYNC_FLAGS.get(f, f).format(days=days) for f in flags)


class ErrorOut(Strict):
    detail: str
    # A push refused as out of scope (403): the first refused mutation of the request.
    mutation_id: int | None = None


def digest_of(pairs) -> tuple[int, str]:  # noqa: ANN001
    """Order-independent digest of (record_id, server_seq) pairs, computed alike on both sides
    for reconciliation: the sum of 64-bit blake2b hashes, modulo 2**64."""
    import hashlib

    total, count = 0, 0
    for record_id, seq in pairs:
        h = hashlib.blake2b(f"{record_id}:{seq}".encode(), digest_size=8).digest()
        total = (total + int.from_bytes(h, "big")) & 0xFFFFFFFFFFFFFFFF
        count += 1
    return count, f"{total:016x}"


# -- digest version 2: of the synced values (issue 14) ------------------------------------
# A record's canonical content is the JSON array [id, server_seq, v1, ..., vn] of its wire
# fields in the server's column order (DigestResponse.columns), each value as the desktop's
# SQLite stores it: booleans 1/0, datetimes "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, dates
# "YYYY-MM-DD", floats as floats, text (JSON columns included) as it is, NULL and a missing
# field both null. So the PC hashes its raw rows without converting a value, and the server
# hashes its JSON `data` through canonical_value. The record's hash is the first 8 bytes of
# blake2b of that array's compact UTF-8 JSON (orjson), read as a signed 64-bit integer (as
# the server keeps it in record.content_hash); a table's (or bucket's) digest is the sum
# modulo 2**64, as 16 hex digits: order-independent, so each side sums in any order.
DIGEST_VERSION = 2
DIGEST_MAX_DEPTH = 2  # 256 buckets: ~240 residents each in a 60,000-resident township
MAX_BUCKET_QUERY = 256 * (DIGEST_MAX_DEPTH + 1)  # pull's `bucket`: every bucket of a table


def bucket_depth(count: int) -> int:
    """How many trailing id characters name a bucket: ~16-256 records a bucket."""
    return 0 if count <= 256 else 1 if count <= 4096 else DIGEST_MAX_DEPTH


def content_kinds(table: str) -> dict[str, str | None]:
    """Wire column -> "bool" | "datetime" | "float" | None (kept as is), in column order:
    every column of the desktop's model but id and the local and derived ones."""
    return _content_kinds(table)


@lru_cache(maxsize=None)
def _content_kinds(table: str) -> dict[str, str | None]:
    from sqlalchemy import Boolean, DateTime, Float, Numeric
    from sqlalchemy.types import TypeDecorator

    from familydoc_desktop.domain.models import SYNCED_TABLES
    from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS, LOCAL_COLUMNS

    skip = LOCAL_COLUMNS | DERIVED_COLUMNS.get(table, frozenset()) | {"id"}
    out: dict[str, str | None] = {}
    model = SYNCED_TABLES.get(table)
    for col in (model.__table__.columns if model is not None else ()):
        if col.name in skip:
            continue
        t = col.type.impl_instance if isinstance(col.type, TypeDecorator) else col.type
        out[col.name] = ("bool" if isinstance(t, Boolean) else "datetime"
                         if isinstance(t, DateTime) else "float"
                         if isinstance(t, (Float, Numeric)) else None)
    return out


def canonical_value(kind: str | None, value: Any) -> Any:
    """A wire (JSON) value as the desktop's SQLite stores it (see above)."""
    if value is None or kind is None:
        return value
    if kind == "bool":
        return (1 if value else 0) if isinstance(value, (bool, int)) else value
    if kind == "float":
        return float(value) if isinstance(value, int) and not isinstance(value, bool) \
            else value
    return canonical_datetime(value)


def canonical_datetime(value: Any) -> Any:
    """ISO 8601 text -> "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (naive taken as UTC), as the
    desktop's pull apply stores it; anything unreadable is left as it is."""
    if not isinstance(value, str):
        return value
    n = len(value)
    if n >= 19 and value[10] == "T":  # the forms the PCs push: no offset or +00:00
        if n == 25 and value.endswith("+00:00") or n == 19:
            return f"{value[:10]} {value[11:19]}.000000"
        if n == 32 and value.endswith("+00:00") or n == 26 and value[19] == ".":
            return f"{value[:10]} {value[11:19]}.{value[20:26]}"
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return value
    return parsed.strftime("%Y-%m-%d %H:%M:%S.%f") if parsed.year >= 1000 else value


def row_hash(values: Sequence[Any]) -> int:
    """Signed 64-bit hash of one canonical row [id, server_seq, v1, ..., vn]."""
    try:
        data = _orjson.dumps(values)
    except TypeError:  # a lone surrogate (a set-aside row): its JSON escape instead
        import json

        data = json.dumps(list(values), separators=(",", ":")).encode()
    return int.from_bytes(_blake2b(data, digest_size=8).digest(), "big", signed=True)


def wire_row_hash(table: str, columns: Sequence[str], record_id: str, seq: int,
                  get: Callable[[str], Any]) -> int:
    """row_hash of a record given as wire values (`get(column)`): what the server stores in
    record.content_hash, and what a PC expects of a pulled row."""
    kinds = content_kinds(table)
    return row_hash([record_id, seq, *(canonical_value(kinds.get(c), get(c))
                                       for c in columns)])


def sum_hex(total: int) -> str:
    return f"{total & 0xFFFFFFFFFFFFFFFF:016x}"


def content_digest(hashes: Iterable[int]) -> tuple[int, str]:
    total = count = 0
    for h in hashes:
        total += h
        count += 1
    return count, sum_hex(total)
