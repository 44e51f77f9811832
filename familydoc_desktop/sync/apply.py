"""Applying pulled pages to the device database, set-based.

Each page, its conflicts and the pull cursor are written in ONE transaction, so a dropped
connection or a killed process loses at most the page in flight and the next sync resumes
from the cursor. New rows go in with one `INSERT ... ON CONFLICT(id) DO UPDATE` executemany
per table, rows already here get only their changed columns (`_write`), bypassing the ORM
and change capture (pulled rows must not be pushed back).
Rows with local edits still waiting in the outbox keep those field values (rebase): the
server decides between the two when the edit is pushed.
A pulled row this PC cannot hold (a value outside `domain.wire_values`, one that does not
convert, or one the local constraints refuse) is set aside (`store.set_aside`) with its
reason; the rest of the page and the cursor commit, so one poisoned record cannot stop the
sync of every PC that sees it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Any, Callable

from sqlalchemy import (
    Boolean, Date, DateTime, Dialect, Integer, String, TypeDecorator, text,
)

from familydoc_desktop.domain.hlc import Timestamp
from familydoc_desktop.domain.models import SYNCED_MODELS, SYNCED_TABLES, SetAsideRow
from familydoc_desktop.domain import wire_values
from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS, RESIDENT_LINKS
from familydoc_desktop.store import changes
from familydoc_desktop.store import set_aside as store_set_aside
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.engine import Error as DbError
from familydoc_desktop.store.engine import IntegrityError
from familydoc_desktop.store.search_keys import initials, reverse
from familydoc_desktop.sync import faults, outbox
from familydoc_desktop.sync.protocol import (
    INT64_MAX, INT64_MIN, ConflictOut, PullResponse, TablePage,
)

CURSOR_KEY = "pull_cursor"
RESOLUTIONS_KEY = "pending_resolutions"  # conflict resolutions decided offline, not yet sent


@dataclass
class PageResult:
    rows: int
    conflicts: int
    cursor: int | None
    set_aside: list[tuple[str, str, str]] = field(default_factory=list)  # table, id, reason
    seen: int = 0  # own pushed edits the server did not send back (page.seen)
    seen_missing: int = 0  # of those, rows this PC does not hold (to be re-pulled)
    # Residents the page's records name, and merged residents it brought: where records may
    # have to follow a merge (store.merge.follow_merges), without scanning every resident.
    named_residents: set[str] = field(default_factory=set)


def apply_page(db: Database, page: PullResponse, *, cursor_key: str | None = CURSOR_KEY,
               fresh: frozenset[str] = frozenset()) -> PageResult:
    """Upsert every row and conflict of `page` and move the cursor, in one transaction.
    `cursor_key=None` leaves the cursor alone (a reconciliation re-pull of one table).
    `fresh`: tables that held no row when this (first) pull began: their rows are upserted
    without first looking up what is stored (nothing was, but what this pull wrote)."""
    dialect = db.engine.dialect
    rows = 0
    newest_hlc = ""
    aside_out: list[tuple[str, str, str]] = []
    named: set[str] = set()
    stamp = _converter(SetAsideRow.__table__.c.set_aside_at.type, dialect)(
        datetime.now(timezone.utc).isoformat())
    with db.session(capture=False) as s:
        conn = s.connection()
        pending = outbox.pending_fields(s)
        # The raw DB-API (SQLCipher) cursor of this session's connection: same transaction, and
        # executemany without per-row parameter handling in SQLAlchemy.
        cursor = conn.connection.dbapi_connection.cursor()
        held = store_set_aside.any_set_aside(cursor)
        for table in _ordered(page.tables):
            sent = page.tables[table]
            tp = sent.as_rows()
            if not tp.rows:
                continue
            plan = _plan(table, tuple(tp.columns), dialect)
            params, sources, aside = plan.rows(tp, pending, plan.suspects(sent))
            try:
                _write(cursor, plan, params,
                       {rid for t, rid in pending if t == table} if pending else None,
                       fresh=table in fresh)
            except (DbError, ValueError, OverflowError):
                params, sources, refused = _one_by_one(cursor, plan, params, sources)
                aside.extend(refused)
            for raw, column, reason in aside:
                store_set_aside.put(cursor, table, tp.columns, raw, reason, column, stamp)
                aside_out.append((table, str(raw[plan.id_index]) if len(raw) > plan.id_index
                                  else "?", reason))
            if held and params:
                id_pos = plan.names.index("id")
                store_set_aside.drop(cursor, table, [row[id_pos] for row in params])
            rows += len(params)
            _note_named(plan, params, named)
            if plan.hlc_index is not None and sources:
                newest_hlc = max(newest_hlc, max((r[plan.hlc_index] or "") for r in sources))
        _let_go(cursor, page.departed)
        seen_missing = _take_seen(cursor, page.seen, dialect)
        conflict_count = _upsert_conflicts(conn, s, page.conflicts, dialect, cursor, stamp,
                                           aside_out)
        for c in page.conflicts:
            newest_hlc = max(newest_hlc, c.local_hlc or "", c.server_hlc or "")
        faults.point("mid_page")
        if newest_hlc:
            _observe(db, conn, newest_hlc, page.server_time_ms)
        if cursor_key:
            _set_state(conn, cursor_key, str(page.next_since))
    faults.point("after_page_applied")
    return PageResult(rows, conflict_count, page.next_since if cursor_key else None, aside_out,
                      len(page.seen), seen_missing, named)


def _note_named(plan: "_Plan", params: list, named: set[str]) -> None:
    """The residents written rows name (records of a resident) or are (a merged resident)."""
    if not params:
        return
    column = RESIDENT_LINKS.get(plan.table)
    if column is not None and column in plan.names:
        at = plan.names.index(column)
        named.update(row[at] for row in params if row[at])
    elif plan.table == "resident" and "merged_into" in plan.names:
        at, id_at = plan.names.index("merged_into"), plan.names.index("id")
        named.update(row[id_at] for row in params if row[at])


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
    checks: tuple = ()  # (page index, column, kind) of the values wire_values checks

    def suspects(self, tp: TablePage) -> tuple | None:
        """The checks some row of `tp` may fail, decided column by column at C speed
        (`_column_clean`); None when a row may be malformed itself (every check, per row).
        A column that passes here passes `problem` for every row, so `problem` over the
        suspects alone names the same column with the same reason."""
        if tp.data is not None:  # as_rows already checked that the columns line up
            columns = [tp.data[0], list(accumulate(tp.data[1])), *tp.data[2:]] \
                if len(tp.data) > 1 else tp.data  # server_seq as sent: differences
        else:
            width = len(self.page_index)
            if any(len(raw) != width for raw in tp.rows):
                return None
            columns = list(zip(*tp.rows)) if tp.rows else [() for _ in range(width)]
        if len(columns) != len(self.page_index) \
                or not set(map(type, columns[self.id_index])) <= {str}:
            return None
        return tuple(check for check in self.checks
                     if not _column_clean(self.table, check[1], check[2], columns[check[0]]))

    def problem(self, raw: list, checks: tuple | None = None) -> tuple[str | None, str] | None:
        """(column, Chinese reason) if a value of the wire row `raw` is one no PC can hold.
        `checks`: only these (the suspects of its page; the rest are known to pass)."""
        if checks is None:
            if len(raw) != len(self.page_index):
                return None, "列数与表头不符"
            if not isinstance(raw[self.id_index], str):
                return "id", "记录编号格式有误"
            checks = self.checks
        for i, column, kind in checks:
            value = raw[i]
            if value is None:
                continue
            if kind == "bool":
                if not (isinstance(value, bool) or value in (0, 1)):
                    return column, "类型不符"
                continue
            if kind == "int":
                if isinstance(value, bool) or not isinstance(value, int) \
                        or not INT64_MIN <= value <= INT64_MAX:
                    return column, "类型不符或数值超出范围"
                continue
            if not isinstance(value, str):
                return column, "类型不符"
            try:
                if kind == "text":
                    why = wire_values.text_problem(value)
                elif kind == "date":
                    why = wire_values.date_problem(date.fromisoformat(value))
                elif kind == "datetime":
                    why = wire_values.datetime_problem(datetime.fromisoformat(value))
                else:
                    why = (wire_values.text_problem(value)
                           or wire_values.json_problem(self.table, column, value))
            except ValueError:
                why = "不是有效的日期" if kind != "text" else "格式有误"
            if why:
                return column, why
        return None

    def rows(self, tp: TablePage, pending: dict[tuple[str, str], dict[str, Any]],
             suspects: tuple | None = None) -> tuple[list, list, list]:
        """(statement rows, the wire row of each, [(wire row, column, reason)] set aside).
        `suspects`: from `suspects()` on the page as the server sent it (before as_rows)."""
        picks, convert, table, fill = self.picks, self.convert, self.table, list(self.fill)
        identity = picks == list(range(len(tp.columns)))
        if self.derived:
            at = {n: (picks.index(self.page_index[n]) if n in self.page_index
                      and self.page_index[n] in picks else None)
                  for n in ("name", "id_number", "phone")}
            name_at, idn_at, phone_at = at["name"], at["id_number"], at["phone"]
        out, sources, aside = [], [], []
        check_rows = suspects is None or bool(suspects)
        for raw in tp.rows:
            bad = self.problem(raw, suspects) if check_rows else None
            if bad is not None:
                aside.append((raw, *bad))
                continue
            source = raw
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
            try:
                for pos, fn in convert:
                    if row[pos] is not None:
                        row[pos] = fn(row[pos])
            except (ValueError, TypeError, OverflowError, AttributeError):
                aside.append((source, self.names[pos], "无法转换为本机格式"))
                continue
            if self.derived:
                row.extend((initials(name or ""), reverse(idn), reverse(phone)))
            if fill:
                row.extend(fill)
            out.append(row)
            sources.append(source)
        return out, sources, aside


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
    checks = []
    for i, name in enumerate(columns):
        if name not in local_cols or name in derived:
            continue
        kind = _kind(table, name, local_cols[name].type)
        if kind:
            checks.append((i, name, kind))
    return _Plan(table, sql, picks, convert, page_index["id"], page_index.get("hlc"),
                 page_index, has_derived, tuple(names), fill_values, update_positions,
                 select_sql, tuple(checks))


_NONE = type(None)
# A datetime as the server sends it (UTC, "+00:00", optional microseconds), one a line: the
# time part is valid by its shape; the date part is checked once per distinct date.
_CANONICAL_DATETIMES = re.compile(
    r"(?:\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{6})?\+00:00\n)*",
    re.ASCII)
_BOOLS = frozenset((True, False, None))


def _all_of(column, *types: type) -> bool:  # noqa: ANN001
    return set(map(type, column)) <= {*types, _NONE}


def _column_clean(table: str, name: str, kind: str, column) -> bool:  # noqa: ANN001
    """True only if `problem` passes this column's value in every row (False: look per row).
    The work is done by C loops (set, map, join, one regex scan) plus one check per
    distinct date, instead of a Python check per value."""
    try:
        if kind == "bool":
            return set(column) <= _BOOLS  # 0 and 1 are False and True in a set
        if kind == "int":
            if not _all_of(column, int):
                return False
            values = [v for v in column if v is not None] if None in column else column
            return not values or (INT64_MIN <= min(values) and max(values) <= INT64_MAX)
        if not _all_of(column, str):
            return False
        values = [v for v in column if v is not None] if None in column else column
        if not values:
            return True
        if kind == "text":
            return wire_values.text_problem("\n".join(values)) is None
        if kind == "date":
            return all(len(v) == 10 and wire_values.date_problem(date.fromisoformat(v)) is None
                       for v in set(values))
        if kind == "datetime":
            joined = "\n".join(values) + "\n"
            if _CANONICAL_DATETIMES.fullmatch(joined) is None:
                return False
            return all(wire_values.date_problem(date.fromisoformat(d)) is None
                       for d in {v[:10] for v in values})
    except (TypeError, ValueError):  # unhashable values, a date that is no date
        return False
    return False  # json (parsed per row) or a kind not known here


def _kind(table: str, name: str, sql_type) -> str | None:  # noqa: ANN001
    """Which wire_values rule a column's pulled values go through."""
    base = sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else sql_type
    if (table, name) in wire_values.JSON_COLUMNS:
        return "json"
    if isinstance(base, DateTime):
        return "datetime"
    if isinstance(base, Date):
        return "date"
    if isinstance(base, String):
        return "text"
    if isinstance(base, Boolean):
        return "bool"
    if isinstance(base, Integer):
        return "int"
    return None


def _take_seen(cursor, seen: list[tuple[str, str, int, Any]], dialect: Dialect) -> int:  # noqa: ANN001
    """This PC's own pushed edits, not sent back: the rows here already hold those values and
    take the server's seq (the digest and the next edit's base_seq need it) and updated_at
    (stamped here, not pushed). Returns how many of them this PC does not hold (a restored
    copy): the caller re-pulls their tables."""
    missing = 0
    for table in {item[0] for item in seen if item[0] in SYNCED_TABLES}:
        stamp_type = SYNCED_TABLES[table].__table__.c.updated_at.type
        to_db = _converter(stamp_type, dialect)
        updates = [(seq, _stamp(to_db, stamp), rid, seq)
                   for t, rid, seq, stamp in seen if t == table]
        before = cursor.connection.total_changes
        cursor.executemany(f'UPDATE "{table}" SET server_seq = ?, updated_at = coalesce(?,'
                           " updated_at) WHERE id = ? AND (server_seq IS NULL OR server_seq < ?)",
                           updates)
        done = cursor.connection.total_changes - before
        if done < len(updates):
            ids = [rid for _, _, rid, _ in updates]
            held = 0
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start:start + _LOOKUP_CHUNK]
                held += cursor.execute(f'SELECT count(*) FROM "{table}" WHERE id IN'
                                       f' ({",".join("?" * len(chunk))})', chunk).fetchone()[0]
            missing += len(ids) - held
    return missing


def _stamp(to_db, value: Any) -> Any:  # noqa: ANN001
    """The server's updated_at as stored here; one this PC cannot hold (pushed by an old
    server's client past its checks) leaves the local stamp alone."""
    if value is None or to_db is None:
        return value
    try:
        return to_db(value)
    except (ValueError, OverflowError, TypeError):
        return None


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


def _write(cursor, plan: _Plan, params: list, pending: set | None = None,  # noqa: ANN001
           fresh: bool = False) -> None:
    """Rows new to this PC go in with the upsert; rows it already holds are compared with
    what is stored and only the columns that differ are updated, grouped by which columns
    those are. Most pulled rows of an incremental sync are this PC's own pushed edits coming
    back with their server_seq, or edits of a note or a phone: updating every column would
    rewrite all ten resident indexes for them (about half the cost of a 2,000-row page).
    A row with a local edit still pending (ids in `pending`) keeps that edit's stamps (hlc,
    updated_at) as well as its fields: once pushed, the server holds the edit's hlc and sends
    only the seq back (own=skip), so a stamp taken from the older pulled version would stay
    behind (the digest of values finds it).
    `fresh` (the table was empty when this first pull began) with no pending edit of it: the
    upsert alone. A row stored already can only be one this pull wrote (a record edited on
    the server meanwhile comes again in a later page): it takes the whole newer version."""
    if fresh and not pending:
        if params:
            cursor.executemany(plan.sql, params)
        return
    names, id_pos, updatable = plan.names, plan.names.index("id"), plan.update_positions
    stamps = tuple(i for i in updatable if names[i] in _EDIT_STAMPS)
    mine = tuple(i for i in updatable if i not in stamps)
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
        positions = mine if pending and row[id_pos] in pending else updatable
        changed = tuple(i for i in positions if row[i] != old[i])
        if changed:
            groups.setdefault(changed, []).append([*(row[i] for i in changed), row[id_pos]])
    if new:
        cursor.executemany(plan.sql, new)
    for changed, values in groups.items():
        sets = ", ".join(f'"{names[i]}" = ?' for i in changed)
        cursor.executemany(f'UPDATE "{plan.table}" SET {sets} WHERE id = ?', values)


_LOOKUP_CHUNK = 500  # ids per IN (...) lookup, well below SQLite's variable limit
_EDIT_STAMPS = frozenset({"hlc", "updated_at"})


def _one_by_one(cursor, plan: _Plan, params: list, sources: list  # noqa: ANN001
                ) -> tuple[list, list, list]:
    """Row by row after a failure of the set-based write. The ID number is unique on the device
    but not on the server, so two PCs registering one person offline both reach the server.
    Every PC must end up flagging the same copy: the one the server sequenced first keeps the
    number, the later one (or one not on the server yet) is stored here without it and flagged
    for matching (needs_id_match), as the app treats residents awaiting an ID check. Whichever
    of the two a PC received first, it ends the same. Any other row the database refuses (a
    required field empty, a reference to a record this PC does not hold) is set aside.
    Returns (rows written, their wire rows, [(wire row, column, reason)] set aside)."""
    names = list(plan.names)
    at = {n: names.index(n) for n in ("id", "id_number", "server_seq") if n in names}
    written, written_sources, aside = [], [], []
    incoming = ({row[at["id"]]: row[at["id_number"]] for row in params}
                if plan.table == "resident" and len(at) == 3 else {})
    for row, source in zip(params, sources):
        try:
            try:
                cursor.execute(plan.sql, row)
            except IntegrityError as exc:
                if plan.table != "resident" or "id_number" not in str(exc) or len(at) < 3:
                    raise
                row = list(row)
                number = row[at["id_number"]]
                holder = cursor.execute(
                    "SELECT id, server_seq FROM resident WHERE id_number = ? AND id != ?",
                    (number, row[at["id"]])).fetchone()
                seq = row[at["server_seq"]]
                if holder is not None and holder[0] in incoming and \
                        incoming[holder[0]] != number:
                    # The holder gives the number up in this very page (a merge moved it to
                    # this row): it lets go first, whatever order the page is written in.
                    cursor.execute("UPDATE resident SET id_number = NULL, id_rev = NULL"
                                   " WHERE id = ?", (holder[0],))
                elif holder is not None and (holder[1] is None
                                             or (seq is not None and seq < holder[1])):
                    # The copy here came later: it gives way (not captured; the server keeps
                    # both).
                    cursor.execute("UPDATE resident SET id_number = NULL, id_rev = NULL,"
                                   " needs_id_match = 1 WHERE id = ?", (holder[0],))
                    _note_clash(cursor, holder[0], row[at["id"]])
                else:
                    for name, value in (("id_number", None), ("id_rev", None),
                                        ("needs_id_match", 1)):
                        if name in names:
                            row[names.index(name)] = value
                    if holder is not None:
                        _note_clash(cursor, row[at["id"]], holder[0])
                cursor.execute(plan.sql, row)
        except (DbError, ValueError, OverflowError) as exc:
            aside.append((source, *_refusal(exc)))
            continue
        written.append(row)
        written_sources.append(source)
    return written, written_sources, aside


def _note_clash(cursor, flagged: str, holder: str) -> None:  # noqa: ANN001
    """Remember which resident holds the number the flagged copy gave up: the pair is listed
    for a person to merge (store/merge.py), since the flagged copy no longer carries it."""
    from familydoc_desktop.store.merge import CLASH_KEY

    found = cursor.execute("SELECT value FROM sync_state WHERE key = ?", (CLASH_KEY,)).fetchone()
    try:
        pairs = json.loads(found[0]) if found and found[0] else {}
    except ValueError:
        pairs = {}
    if pairs.get(flagged) == holder:
        return
    pairs[flagged] = holder
    cursor.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key)"
                   " DO UPDATE SET value = excluded.value",
                   (CLASH_KEY, json.dumps(pairs, separators=(",", ":"))))


def _refusal(exc: Exception) -> tuple[str | None, str]:
    """(column, Chinese reason) for a row the local database refused."""
    words = str(exc)
    if "NOT NULL" in words:
        column = words.rsplit(".", 1)[-1]
        return column, f"缺少必填字段 {column}"
    if "FOREIGN KEY" in words:
        return None, "引用的记录不在本机"
    if isinstance(exc, OverflowError):
        return None, "数值超出范围"
    return None, "不符合本机数据库的约束"


def _converter(sql_type, dialect: Dialect) -> Callable[[Any], Any] | None:  # noqa: ANN001
    """Wire JSON value -> what SQLAlchemy itself would store for the column, so ORM reads of
    pulled rows give the same Python values (and the same stored text) as local writes."""
    base = sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else sql_type
    bind = sql_type.dialect_impl(dialect).bind_processor(dialect)
    if isinstance(base, Boolean):
        return lambda v: 1 if v else 0
    if isinstance(base, DateTime):
        sqlite = dialect.name == "sqlite"

        def to_db(v: Any) -> Any:
            # Fast path for what the server sends, "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00":
            # SQLite's storage text is the same digits with a space and six decimals.
            if sqlite and v.__class__ is str and v[10:11] == "T" and v.endswith("+00:00"):
                if len(v) == 32:
                    return f"{v[:10]} {v[11:19]}.{v[20:26]}"
                if len(v) == 25:
                    return f"{v[:10]} {v[11:19]}.000000"
            value = datetime.fromisoformat(v) if isinstance(v, str) else v
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            elif value.utcoffset():
                # SQLite's DATETIME text keeps the wall clock and drops the offset: in UTC,
                # as every other stored time (and as the digest of values hashes it).
                value = value.astimezone(timezone.utc)
            return bind(value) if bind else value
        return to_db
    if isinstance(base, Date):
        # The wire's YYYY-MM-DD is already SQLite's storage format; re-format anything else.
        return lambda v: v if isinstance(v, str) and len(v) == 10 else (
            bind(date.fromisoformat(str(v)[:10])) if bind else v)
    return None


_CONFLICT_TEXT = ("id", "table", "record_id", "field", "local_author", "server_author",
                  "local_hlc", "server_hlc", "org_id")


def _upsert_conflicts(conn, session, items: list[ConflictOut], dialect: Dialect,  # noqa: ANN001
                      cursor=None, stamp: str | None = None,  # noqa: ANN001
                      aside_out: list | None = None) -> int:
    if not items:
        return 0
    from familydoc_desktop.domain.models import SyncConflict

    stamp_of = _converter(SyncConflict.__table__.c.created_at.type, dialect)
    now = stamp_of(datetime.now(timezone.utc).isoformat())
    queued = set(_pending_resolutions(conn))
    rows = []
    for c in items:
        bad = next((f for f in _CONFLICT_TEXT if isinstance(getattr(c, f), str)
                    and wire_values.text_problem(getattr(c, f))), None)
        if bad is not None and cursor is not None:
            # A conflict this PC cannot store: kept aside like a record, the page goes on.
            reason = f"{bad} {wire_values.text_problem(getattr(c, bad))}"
            store_set_aside.put(cursor, "sync_conflict", list(c.model_dump()),
                                list(c.model_dump().values()), reason, bad, stamp)
            if aside_out is not None:
                aside_out.append(("sync_conflict", c.id, reason))
            continue
        # A resolution decided here but not yet sent stays visible as decided.
        status = "resolved" if c.id in queued else c.status
        rows.append((c.id, c.id, c.table, c.record_id, c.field, _dumps(c.local_value),
                     _dumps(c.server_value), c.local_author, c.server_author, c.local_hlc,
                     c.server_hlc, status, c.resolution, now,
                     now if c.status == "resolved" else None, c.id in queued))
    # Conflicts decided here and still queued keep this PC's decision: not written over.
    fresh = [r[:15] for r in rows if not r[15]]
    if not fresh:  # (an empty executemany would run the INSERT once with no parameters)
        return len(rows)
    conn.exec_driver_sql(
        "INSERT INTO sync_conflict (id, server_id, table_name, record_id, field, local_value, "
        "server_value, local_author, server_author, local_hlc, server_hlc, status, resolution, "
        "created_at, resolved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET local_value = excluded.local_value, "
        "server_value = excluded.server_value, local_author = excluded.local_author, "
        "server_author = excluded.server_author, local_hlc = excluded.local_hlc, "
        "server_hlc = excluded.server_hlc, status = excluded.status, "
        "resolution = coalesce(excluded.resolution, sync_conflict.resolution), "
        "resolved_at = coalesce(sync_conflict.resolved_at, excluded.resolved_at)", fresh)
    return len(rows)


def _pending_resolutions(conn) -> dict[str, str]:  # noqa: ANN001
    value = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?",
                                 (RESOLUTIONS_KEY,)).scalar()
    return json.loads(value) if value else {}


def _dumps(value: Any) -> str | None:
    if value is None:
        return None
    text_ = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if wire_values.text_problem(text_):  # a lone surrogate cannot be stored as UTF-8
        text_ = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text_


def _observe(db: Database, conn, newest: str, server_ms: int | None) -> None:  # noqa: ANN001
    """Feed the newest remote clock into ours, so later local edits order after it (at most
    a day past this PC's clock or the server's: domain.hlc)."""
    try:
        remote = Timestamp.parse(newest)
    except ValueError:
        return
    clock = db.capture.clock
    clock.observe(remote, changes.wall_ms(), server_ms)
    _set_state(conn, changes.HLC_KEY, str(clock.last))


def _set_state(conn, key: str, value: str) -> None:  # noqa: ANN001
    conn.execute(text("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                 {"k": key, "v": value})


def state_in(conn, key: str, default: str | None = None) -> str | None:  # noqa: ANN001
    """One sync_state value, read on an open connection (inside a caller's transaction)."""
    value = conn.execute(text("SELECT value FROM sync_state WHERE key = :k"), {"k": key}).scalar()
    return default if value is None else value


def get_state(db: Database, key: str, default: str | None = None) -> str | None:
    with db.session(capture=False) as s:
        return state_in(s.connection(), key, default)


def set_state(db: Database, key: str, value: str) -> None:
    with db.session(capture=False) as s:
        _set_state(s.connection(), key, value)
