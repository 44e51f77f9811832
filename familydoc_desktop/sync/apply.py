"""Applying pulled pages to the device database, set-based.

Each page, its conflicts and the pull cursor are written in ONE transaction, so a dropped
connection or a killed process loses at most the page in flight and the next sync resumes
from the cursor. New rows go in with one `INSERT ... ON CONFLICT(id) DO UPDATE` executemany
per table, rows already here get only their changed columns (`_write`), bypassing the ORM
and change capture (pulled rows must not be pushed back).
Rows with local edits still waiting in the outbox keep those field values (rebase): the
server decides between the two when the edit is pushed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import Boolean, Date, DateTime, Dialect, TypeDecorator, text

from familydoc_desktop.domain.hlc import Timestamp
from familydoc_desktop.domain.models import SYNCED_MODELS, SYNCED_TABLES
from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS
from familydoc_desktop.store import changes
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.engine import IntegrityError
from familydoc_desktop.store.search_keys import initials, reverse
from familydoc_desktop.sync import faults, outbox
from familydoc_desktop.sync.http import SyncError
from familydoc_desktop.sync.protocol import ConflictOut, PullResponse, TablePage

CURSOR_KEY = "pull_cursor"
RESOLUTIONS_KEY = "pending_resolutions"  # conflict resolutions decided offline, not yet sent


@dataclass
class PageResult:
    rows: int
    conflicts: int
    cursor: int | None


def apply_page(db: Database, page: PullResponse, *, cursor_key: str | None = CURSOR_KEY
               ) -> PageResult:
    """Upsert every row and conflict of `page` and move the cursor, in one transaction.
    `cursor_key=None` leaves the cursor alone (a reconciliation re-pull of one table)."""
    dialect = db.engine.dialect
    rows = 0
    newest_hlc = ""
    with db.session(capture=False) as s:
        conn = s.connection()
        pending = outbox.pending_fields(s)
        # The raw DB-API (SQLCipher) cursor of this session's connection: same transaction, and
        # executemany without per-row parameter handling in SQLAlchemy.
        cursor = conn.connection.dbapi_connection.cursor()
        for table in _ordered(page.tables):
            tp = page.tables[table].as_rows()
            if not tp.rows:
                continue
            plan = _plan(table, tuple(tp.columns), dialect)
            params = plan.rows(tp, pending)
            try:
                _write(cursor, plan, params)
            except IntegrityError:
                _one_by_one(cursor, plan, params)
            rows += len(params)
            if plan.hlc_index is not None:
                newest_hlc = max(newest_hlc, max((r[plan.hlc_index] or "") for r in tp.rows))
        _let_go(cursor, page.departed)
        conflict_count = _upsert_conflicts(conn, s, page.conflicts, dialect)
        for c in page.conflicts:
            newest_hlc = max(newest_hlc, c.local_hlc or "", c.server_hlc or "")
        faults.point("mid_page")
        if newest_hlc:
            _observe(db, conn, newest_hlc)
        if cursor_key:
            _set_state(conn, cursor_key, str(page.next_since))
    faults.point("after_page_applied")
    return PageResult(rows, conflict_count, page.next_since if cursor_key else None)


def _ordered(tables: dict[str, TablePage]) -> list[str]:
    # Parents before children; tables this version does not know are skipped (a server one
    # schema version ahead may send them).
    return [m.__tablename__ for m in SYNCED_MODELS if m.__tablename__ in tables]


@dataclass
class _Plan:
    table: str
    sql: str
    picks: list[int]  # page column index for each local column taken from the page
    convert: list[tuple[int, Callable[[Any], Any]]]  # output position -> converter
    id_index: int
    hlc_index: int | None
    page_index: dict[str, int]
    derived: bool  # resident search keys appended
    names: tuple = ()  # the statement's column names, in order
    fill: tuple = ()  # defaults for NOT NULL columns missing from the page
    update_positions: tuple = ()  # positions in `names` an existing row may have changed
    select_sql: str = ""  # the stored values of `names` for ids IN ({marks})

    def rows(self, tp: TablePage, pending: dict[tuple[str, str], dict[str, Any]]) -> list:
        picks, convert, table, fill = self.picks, self.convert, self.table, list(self.fill)
        identity = picks == list(range(len(tp.columns)))
        if self.derived:
            at = {n: (picks.index(self.page_index[n]) if n in self.page_index
                      and self.page_index[n] in picks else None)
                  for n in ("name", "id_number", "phone")}
            name_at, idn_at, phone_at = at["name"], at["id_number"], at["phone"]
        out = []
        for raw in tp.rows:
            local = pending.get((table, raw[self.id_index])) if pending else None
            if local:
                raw = list(raw)
                for name, value in local.items():
                    i = self.page_index.get(name)
                    if i is not None:
                        raw[i] = value
            # Page rows are fresh lists from the JSON parser: reuse them when columns line up.
            row = raw if identity else [raw[i] for i in picks]
            if self.derived:  # from wire values, before any conversion
                name = row[name_at] if name_at is not None else None
                idn = row[idn_at] if idn_at is not None else None
                phone = row[phone_at] if phone_at is not None else None
            for pos, fn in convert:
                if row[pos] is not None:
                    row[pos] = fn(row[pos])
            if self.derived:
                row.extend((initials(name or ""), reverse(idn), reverse(phone)))
            if fill:
                row.extend(fill)
            out.append(row)
        return out


@lru_cache(maxsize=128)
def _plan(table: str, columns: tuple[str, ...], dialect: Dialect) -> _Plan:
    model = SYNCED_TABLES[table]
    local_cols = {c.name: c for c in model.__table__.columns}
    derived = sorted(DERIVED_COLUMNS.get(table, frozenset()))
    names, picks, convert = [], [], []
    for i, name in enumerate(columns):
        if name not in local_cols or name in derived:
            continue
        fn = _converter(local_cols[name].type, dialect)
        if fn is not None:
            convert.append((len(names), fn))
        names.append(name)
        picks.append(i)
    has_derived = table == "resident"
    if has_derived:
        names.extend(("initials", "id_rev", "phone_rev"))
    updated = [n for n in names if n != "id"]
    # Columns the page lacks (an older server) get their default on insert only, so a new
    # row satisfies NOT NULL and an existing row keeps its value.
    fill = {}
    for name, col in local_cols.items():
        default = getattr(col.default, "arg", None)
        if (name not in names and name not in derived and not col.nullable
                and col.default is not None and not callable(default)):
            fill[name] = default
    names.extend(fill)
    quoted = ", ".join(f'"{n}"' for n in names)
    sets = ", ".join(f'"{n}" = excluded."{n}"' for n in updated)
    sql = (f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(names))}) '
           f'ON CONFLICT(id) DO UPDATE SET {sets}')
    page_index = {name: i for i, name in enumerate(columns)}
    fill_values = tuple(_converter(local_cols[n].type, dialect)(v)
                        if _converter(local_cols[n].type, dialect) and v is not None else v
                        for n, v in fill.items())
    # Fill columns are insert-only defaults: never compared, never updated.
    update_positions = tuple(i for i, n in enumerate(names) if n in updated)
    select_sql = f'SELECT {quoted} FROM "{table}" WHERE id IN ({{marks}})'
    return _Plan(table, sql, picks, convert, page_index["id"], page_index.get("hlc"),
                 page_index, has_derived, tuple(names), fill_values, update_positions,
                 select_sql)


def _let_go(cursor, departed: list[tuple[str, str]]) -> None:  # noqa: ANN001
    """Records that left this device's scope (the township moved a resident to another
    clinic): hidden here like a delete, and out of the digest (server_seq NULL), without a
    change of ours to push. Should one come back into scope, its next pull revives it."""
    for table in {t for t, _ in departed if t in SYNCED_TABLES}:
        ids = [rid for t, rid in departed if t == table]
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            chunk = ids[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            cursor.execute(f'UPDATE "{table}" SET deleted = 1, server_seq = NULL'
                           f' WHERE id IN ({marks})', chunk)
            # Its open conflicts went with it to the clinic that now holds it.
            cursor.execute("UPDATE sync_conflict SET status = 'resolved' WHERE status = 'open'"
                           f" AND table_name = ? AND record_id IN ({marks})", [table, *chunk])


class BadPage(SyncError):
    """A pulled row this database cannot hold (e.g. a required field empty: written by an
    old server that did not check inserts). Nothing of the page is kept; the cursor stays."""

    def __init__(self, table: str, exc: Exception) -> None:
        words = str(exc)
        field = words.rsplit(".", 1)[-1] if "NOT NULL" in words else None
        super().__init__(f"同步服务器发来的 {table} 记录" + (f"缺少必填字段 {field}" if field else
                         "不符合本机数据库的约束") + "，本页未写入。请联系管理员检查服务器数据")


def _write(cursor, plan: _Plan, params: list) -> None:  # noqa: ANN001
    """Rows new to this PC go in with the upsert; rows it already holds are compared with
    what is stored and only the columns that differ are updated, grouped by which columns
    those are. Most pulled rows of an incremental sync are this PC's own pushed edits coming
    back with their server_seq, or edits of a note or a phone: updating every column would
    rewrite all ten resident indexes for them (about half the cost of a 2,000-row page)."""
    names, id_pos, updatable = plan.names, plan.names.index("id"), plan.update_positions
    stored: dict[Any, tuple] = {}
    for start in range(0, len(params), _LOOKUP_CHUNK):
        ids = [row[id_pos] for row in params[start:start + _LOOKUP_CHUNK]]
        stored.update((found[id_pos], found) for found in cursor.execute(
            plan.select_sql.format(marks=",".join("?" * len(ids))), ids))
    new, groups = [], {}
    for row in params:
        old = stored.get(row[id_pos])
        if old is None:
            new.append(row)
            continue
        changed = tuple(i for i in updatable if row[i] != old[i])
        if changed:
            groups.setdefault(changed, []).append([*(row[i] for i in changed), row[id_pos]])
    if new:
        cursor.executemany(plan.sql, new)
    for changed, values in groups.items():
        sets = ", ".join(f'"{names[i]}" = ?' for i in changed)
        cursor.executemany(f'UPDATE "{plan.table}" SET {sets} WHERE id = ?', values)


_LOOKUP_CHUNK = 500  # ids per IN (...) lookup, well below SQLite's variable limit


def _one_by_one(cursor, plan: _Plan, params: list) -> None:  # noqa: ANN001
    """Row by row after a constraint failure. The ID number is unique on the device but not
    on the server, so two PCs registering one person offline both reach the server. Every PC
    must end up flagging the same copy: the one the server sequenced first keeps the number,
    the later one (or one not on the server yet) is stored here without it and flagged for
    matching (needs_id_match), as the app treats residents awaiting an ID check. Whichever of
    the two a PC received first, it ends the same. Anything else still fails."""
    names = list(plan.names)
    at = {n: names.index(n) for n in ("id", "id_number", "server_seq") if n in names}
    for row in params:
        try:
            cursor.execute(plan.sql, row)
        except IntegrityError as exc:
            if plan.table != "resident" or "id_number" not in str(exc) or len(at) < 3:
                raise BadPage(plan.table, exc) from exc
            row = list(row)
            holder = cursor.execute(
                "SELECT id, server_seq FROM resident WHERE id_number = ? AND id != ?",
                (row[at["id_number"]], row[at["id"]])).fetchone()
            seq = row[at["server_seq"]]
            if holder is not None and (holder[1] is None or (seq is not None and seq < holder[1])):
                # The copy here came later: it gives way (not captured; the server keeps both).
                cursor.execute("UPDATE resident SET id_number = NULL, id_rev = NULL,"
                               " needs_id_match = 1 WHERE id = ?", (holder[0],))
            else:
                for name, value in (("id_number", None), ("id_rev", None),
                                    ("needs_id_match", 1)):
                    if name in names:
                        row[names.index(name)] = value
            cursor.execute(plan.sql, row)


def _converter(sql_type, dialect: Dialect) -> Callable[[Any], Any] | None:  # noqa: ANN001
    """Wire JSON value -> what SQLAlchemy itself would store for the column, so ORM reads of
    pulled rows give the same Python values (and the same stored text) as local writes."""
    base = sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else sql_type
    bind = sql_type.dialect_impl(dialect).bind_processor(dialect)
    if isinstance(base, Boolean):
        return lambda v: 1 if v else 0
    if isinstance(base, DateTime):
        def to_db(v: Any) -> Any:
            # Fast path for what the server sends, "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00":
            # SQLite's storage text is the same digits with a space and six decimals.
            if isinstance(v, str) and v.endswith("+00:00") and len(v) in (25, 32) \
                    and v[10] == "T" and dialect.name == "sqlite":
                return f"{v[:10]} {v[11:19]}.{v[20:26] if len(v) == 32 else '000000'}"
            value = datetime.fromisoformat(v) if isinstance(v, str) else v
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            return bind(value) if bind else value
        return to_db
    if isinstance(base, Date):
        # The wire's YYYY-MM-DD is already SQLite's storage format; re-format anything else.
        return lambda v: v if isinstance(v, str) and len(v) == 10 else (
            bind(date.fromisoformat(str(v)[:10])) if bind else v)
    return None


def _upsert_conflicts(conn, session, items: list[ConflictOut], dialect: Dialect) -> int:  # noqa: ANN001
    if not items:
        return 0
    from familydoc_desktop.domain.models import SyncConflict

    stamp = _converter(SyncConflict.__table__.c.created_at.type, dialect)
    now = stamp(datetime.now(timezone.utc).isoformat())
    queued = set(_pending_resolutions(conn))
    rows = []
    for c in items:
        # A resolution decided here but not yet sent stays visible as decided.
        status = "resolved" if c.id in queued else c.status
        rows.append((c.id, c.id, c.table, c.record_id, c.field, _dumps(c.local_value),
                     _dumps(c.server_value), c.local_author, c.server_author, c.local_hlc,
                     c.server_hlc, status, c.resolution, now,
                     now if c.status == "resolved" else None, c.id in queued))
    conn.exec_driver_sql(
        "INSERT INTO sync_conflict (id, server_id, table_name, record_id, field, local_value, "
        "server_value, local_author, server_author, local_hlc, server_hlc, status, resolution, "
        "created_at, resolved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET local_value = excluded.local_value, "
        "server_value = excluded.server_value, local_author = excluded.local_author, "
        "server_author = excluded.server_author, local_hlc = excluded.local_hlc, "
        "server_hlc = excluded.server_hlc, status = excluded.status, "
        "resolution = coalesce(excluded.resolution, sync_conflict.resolution), "
        "resolved_at = coalesce(sync_conflict.resolved_at, excluded.resolved_at)",
        [r[:15] for r in rows if not r[15]])
    return len(rows)


def _pending_resolutions(conn) -> dict[str, str]:  # noqa: ANN001
    value = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?",
                                 (RESOLUTIONS_KEY,)).scalar()
    return json.loads(value) if value else {}


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False,
                                                 separators=(",", ":"))


def _observe(db: Database, conn, newest: str) -> None:  # noqa: ANN001
    """Feed the newest remote clock into ours, so later local edits order after it."""
    try:
        remote = Timestamp.parse(newest)
    except ValueError:
        return
    clock = db.capture.clock
    clock.observe(remote, changes.wall_ms())
    _set_state(conn, changes.HLC_KEY, str(clock.last))


def _set_state(conn, key: str, value: str) -> None:  # noqa: ANN001
    conn.execute(text("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                 {"k": key, "v": value})


def get_state(db: Database, key: str, default: str | None = None) -> str | None:
    with db.session(capture=False) as s:
        value = s.connection().exec_driver_sql(
            "SELECT value FROM sync_state WHERE key = ?", (key,)).scalar()
    return default if value is None else value


def set_state(db: Database, key: str, value: str) -> None:
    with db.session(capture=False) as s:
        _set_state(s.connection(), key, value)
