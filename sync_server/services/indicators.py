"""Indicators computed by the sync server (issue 10): the township's 统计报表 without any
resident's personal data leaving the server, so a county account never needs it on its PC.

The server reads, from its generic `record` table, the same row shapes the desktop reads from
its own tables (domain/report_tally.SHAPES): only non-deleted records of the orgs in scope,
only the fields the tally needs. Every write of a record keeps its row of the tally beside
the JSON `data`, as a JSON array in record.tally (services/tally_fields.py, migration 0012), so
a table's rows are read as those arrays concatenated by the database (group_concat /
string_agg: no JSON parsed there) and parsed by one json.loads here; a record whose array is
missing or was made for other fields is extracted from `data` instead, so it still counts
(SQLite: in the same query; PostgreSQL: the table read again that way when the first read
counted such a record). The rows go to domain/report_tally.tally, the function
the desktop's report feeds: every rule is there, once, so the numbers are the PC's by
construction (tests/server/test_indicators.py compares both on SQLite and PostgreSQL).

PostgreSQL (read_tables): the arrays are read from the index ix_record_tally (migration 0013:
record(table_name, org_id) INCLUDE deleted, tally_shape, tally), an index-only scan of
~200-byte entries instead of a scan of the ~1 KB record rows, once vacuum has marked the pages
all-visible (before that the planner reads the rows through ix_record_table_name_org_id as
before: slower, same numbers). And the tables are read over two connections in ONE snapshot:
the request's own REPEATABLE READ transaction exports its snapshot (pg_export_snapshot) and a
helper connection imports it (SET TRANSACTION SNAPSHOT), so PostgreSQL aggregates one table
while this process parses another; the cache key (sequence counter, epoch) is read on the
request's connection in that same snapshot. SQLite reads on its one connection (read_tx's
snapshot; its read is ~0.2 s of the ~0.6 s, the tally the rest).

Scope follows the org tree like every read of records (core/scope.data_scope): a village
doctor their clinic, a township its clinics, a county every clinic below it; IT administrators
see no records, so no indicators either (small counts per clinic can name a patient). An org
out of scope is 403 with the same answer whether it exists or not, logged to the security
log (event `report_out_of_scope`).

Grouping: `by=clinic` is one row per clinic holding the residents' records (key: the clinic's
code, label: its name without 卫生室), where the PC's report groups by the resident's village
code. The app fills a resident's village from the clinic's own village, so on ordinary data
(and the demo) the clinic rows are the PC's village rows; a resident registered with another
village's code counts under the clinic that holds the record here. The total row never
depends on grouping. `team` and `doctor` are the PC's: the latest contract started by the
report date.
"""
from __future__ import annotations

import copy
import json
import re
import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy import Connection, Engine, bindparam, select, text

from familydoc_desktop.domain.codes import OrgLevel, Role
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.report import Report, report_period, report_table
from familydoc_desktop.domain.report_tally import Rows, gc_paused, tally
from familydoc_desktop.domain.wire_values import date_problem
from sync_server import models
from sync_server.core import scope
from sync_server.core.db import current_seq, read_tx, write_tx
from sync_server.services import epoch, tally_fields
from sync_server.services.accounts import Principal, log_event
from sync_server.services.errors import Forbidden, Invalid, NotFound

GROUPINGS = ("clinic", "team", "doctor")
GROUPING_ZH = {"clinic": "卫生室", "team": "团队", "doctor": "医生"}
ORG_NOT_FOUND = "机构不存在：{org}"
BAD_BY = "分组（by）只能是 clinic（卫生室）、team（团队）或 doctor（医生）"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_WORDS = {"on": "统计日期（on）", "from": "统计期开始（from）", "to": "统计期结束（to）"}
# The record tables whose rows the tally reads.
_SOURCES = tally_fields.tables()


def parse_day(value: str | date | None, what: str) -> date | None:
    """A query date: YYYY-MM-DD (the wire form) in the years the app accepts; Invalid (422,
    in Chinese) otherwise. `what` is "on", "from" or "to"."""
    if value is None or isinstance(value, date):
        return value
    words = _DATE_WORDS[what]
    try:
        day = date.fromisoformat(value) if _DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise Invalid(f"{words}应为 YYYY-MM-DD 格式的日期，如 2026-06-30")
    problem = date_problem(day)
    if problem:
        raise Invalid(f"{words}{problem}")
    return day


def check_query(on: str | date | None, start: str | date | None, end: str | date | None,
                by: str | None, *, today: date | None = None) -> tuple[date, date, date, str | None]:
    """(on, start, end, by) from the query, with the desktop's period defaults and rules."""
    if by is not None and by not in GROUPINGS:
        raise Invalid(BAD_BY)
    try:
        on_, start_, end_ = report_period(parse_day(on, "on"), parse_day(start, "from"),
                                          parse_day(end, "to"), today=today)
    except DomainError as exc:
        raise Invalid(exc.message) from None
    return on_, start_, end_, by


def indicators(engine: Engine, who: Principal | None, *, org: str | None = None,
               on: str | date | None = None, start: str | date | None = None,
               end: str | date | None = None, by: str | None = None,
               today: date | None = None) -> Report:
    """The report for `org` (a code or id; default the caller's own org) and everything below
    it in the caller's scope. `who=None` is the server's own CLI: any org, which must exist.
    Rows are read in one snapshot; a refusal out of scope is logged before the 403."""
    on_, start_, end_, by = check_query(on, start, end, by, today=today)
    # The rows are read, tallied and let go without automatic garbage collection
    # (report_tally.gc_paused: a few hundred thousand rows, no cycles). Let go after the
    # collector is back on, they would all be in its youngest generation then, and its first
    # collection would walk every one (60k demo: ~0.15 s).
    with gc_paused():
        try:
            with read_tx(engine) as conn:
                org_ids, clinic_names = _scope(conn, who, org)
                key = (engine.url.render_as_string(hide_password=False),
                       tuple(sorted(org_ids)), tuple(sorted(clinic_names.items())), on_,
                       start_, end_, by, current_seq(conn), epoch.current(conn))
                report = _CACHE.get(key)
                rows = None if report is not None else read_rows(
                    conn, sorted(org_ids), by=by, clinic_names=clinic_names, engine=engine)
        except Forbidden:
            with write_tx(engine) as conn:
                log_event(conn, "report_out_of_scope", username=who.username,
                          account_id=who.account_id, device_id=who.device_id,
                          org_id=who.org_id, detail=f"indicators org={str(org)[:40]}")
            raise
        if report is None:
            report = tally(rows, on=on_, start=start_, end=end_, by=by)
            _CACHE.put(key, report)
        del rows
    return copy.deepcopy(report)


class _ReportCache:
    """The last few reports computed, keyed by everything a report depends on: the database,
    the orgs in scope and their clinics' codes and names, the period, the grouping, and the
    server's sequence counter and epoch. Every write of a record takes a new sequence number
    and a restore starts a new epoch, so a report is reused only until the next write: a
    township's screen asking again costs two small reads instead of a few seconds. The scope
    is checked before the look-up, so a cached report is never served out of scope."""

    SIZE = 32

    def __init__(self) -> None:
        self._reports: OrderedDict[tuple, Report] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Report | None:
        with self._lock:
            report = self._reports.get(key)
            if report is not None:
                self._reports.move_to_end(key)
            return report

    def put(self, key: tuple, report: Report) -> None:
        with self._lock:
            self._reports[key] = report
            self._reports.move_to_end(key)
            while len(self._reports) > self.SIZE:
                self._reports.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()


_CACHE = _ReportCache()


def _scope(conn: Connection, who: Principal | None, org: str | None) -> tuple[set[str], dict]:
    """Org ids whose records count, and {clinic id: (code, label)} among them."""
    o = models.org
    orgs = {r.id: r for r in conn.execute(select(o.c.id, o.c.code, o.c.name, o.c.level))}
    by_code = {r.code: r for r in orgs.values()}
    if who is None:
        if org is None:
            raise Invalid("请用 --org 指定机构代码")
        row = orgs.get(org) or by_code.get(org)
        if row is None:
            raise NotFound(ORG_NOT_FOUND.format(org=org))
        wanted = scope.subtree(conn, row.id)
    else:
        allowed = scope.data_scope(conn, who.role, who.org_id)
        row = who.org_id if org is None else (orgs.get(org) or by_code.get(org))
        root = row if isinstance(row, str) or row is None else row.id
        if who.role == Role.IT_ADMIN or root not in allowed:
            raise Forbidden(scope.FORBIDDEN)  # the same answer whether it exists or not
        wanted = scope.subtree(conn, root) & allowed
    clinics = {i: (orgs[i].code, orgs[i].name.removesuffix("卫生室"))
               for i in wanted if i in orgs and orgs[i].level == OrgLevel.CLINIC}
    return wanted, clinics


def _extract_sql(dialect: str, table: str) -> str:
    """The query of read_table's rows: the non-deleted records of `table` in the orgs, as ONE
    JSON text, [[...], ...], parsed by one json.loads (SQLite: bind parameters :no and :orgs,
    expanding; PostgreSQL: the driver's %(orgs)s, a list).

    Each row is the record's tally array, kept with every write (record.tally,
    services/tally_fields.py): the arrays concatenated as they are, no JSON parsed and no
    text built per row by the database. A record whose array is missing or was made for
    other columns (record.tally_shape is not today's fingerprint) has the same array made
    from `data` instead (tally_fields.from_data_sql: SQLite one multi-path json_extract,
    PostgreSQL `->` over `data` parsed once), so it still counts, only slower."""
    mark = tally_fields.shape_mark(table)
    if dialect == "postgresql":
        slow = (f"(SELECT {tally_fields.from_data_sql(dialect, table, 'x.d')}"
                f" FROM (SELECT r.data::json AS d) x)")
        agg, where = "string_agg", "NOT r.deleted AND r.org_id = ANY(%(orgs)s)"
    else:
        slow = tally_fields.from_data_sql(dialect, table, "r.data")
        agg, where = "group_concat", "r.deleted = :no AND r.org_id IN :orgs"
    row = f"CASE WHEN r.tally_shape = {mark} THEN r.tally ELSE {slow} END"
    return (f"SELECT '[' || coalesce({agg}({row}, ','), '') || ']' FROM record r"
            f" WHERE r.table_name = '{table}' AND {where}")


def _fast_sql_pg(table: str) -> str:
    """PostgreSQL: the arrays of `table`'s records in the orgs whose array is today's, as one
    JSON text, and how many others there are (NULL or stale arrays), read from the index
    alone: ix_record_tally carries deleted, tally_shape and tally beside (table_name,
    org_id) (migration 0013), so this is an index-only scan over ~200-byte entries instead
    of the ~1 KB rows."""
    mark = tally_fields.shape_mark(table)
    return (f"SELECT '[' || coalesce(string_agg(r.tally, ',') FILTER"
            f" (WHERE r.tally_shape = {mark}), '') || ']',"
            f" count(*) FILTER (WHERE r.tally_shape IS DISTINCT FROM {mark})"
            f" FROM record r WHERE r.table_name = '{table}' AND NOT r.deleted"
            f" AND r.org_id = ANY(%(orgs)s)")


def read_table(conn: Connection, table: str, org_ids: list[str]) -> list:
    """The non-deleted records of `table` in these orgs as rows of its shape (SHAPES), but a
    resident's place is its org id and a visit ends with its supersedes_id.

    PostgreSQL reads the arrays from the index (_fast_sql_pg); only when some record's array
    is missing or stale is the table read again with its fallback from `data`."""
    if conn.dialect.name == "postgresql":  # the driver's cursor: %(orgs)s takes a list
        cursor = conn.connection.cursor()
        try:
            got, others = cursor.execute(_fast_sql_pg(table), {"orgs": org_ids}).fetchone()
            if others:
                got = cursor.execute(_extract_sql("postgresql", table),
                                     {"orgs": org_ids}).fetchone()[0]
        finally:
            cursor.close()
    else:
        stmt = text(_extract_sql("sqlite", table)).bindparams(bindparam("orgs", expanding=True))
        got = conn.execute(stmt, {"no": False, "orgs": org_ids}).scalar_one()
    return json.loads(got)  # one JSON text of every row (_extract_sql)


def read_rows(conn: Connection, org_ids: list[str], *, by: str | None,
              clinic_names: dict[str, tuple[str, str]], engine: Engine | None = None) -> Rows:
    """The tally's rows (domain/report_tally.SHAPES) from `record`, for these orgs. On
    PostgreSQL, given the engine, the tables are read over several connections in `conn`'s
    snapshot (read_tables)."""
    rows = Rows()
    if not org_ids:
        return rows
    code_of = {i: c[0] for i, c in clinic_names.items()}
    tables = read_tables(conn, org_ids, engine)
    for table in _SOURCES:
        got = tables[table]  # lists just parsed: changed in place
        if table == "resident":  # id, org id -> place (the holding clinic's code), fields...
            for r in got:
                r[1] = code_of.get(r[1])
            rows.resident = got
        elif table == "followup_visit":  # ..., supersedes_id: the visit, and what it replaces
            rows.superseded = [(s,) for r in got if (s := r.pop())]
            rows.followup_visit = got
        else:
            setattr(rows, table, got)
    rows.labels = _labels(conn, org_ids, by, clinic_names)
    return rows


# PostgreSQL: connections reading the tables at once (the request's own and this many more;
# a second helper gained nothing measurable on 2 cores), and how many more all requests may
# hold at a time (a busy server's pulls keep the rest of the pool).
_PG_HELPERS = 1
_PG_HELPER_SLOTS = threading.BoundedSemaphore(2)
# The tables, biggest first in the demo (a reader takes the next one when it is done).
_BIG_FIRST = ("followup_visit", "resident", "contract", "ledger_assessment", "diagnosis")


def read_tables(conn: Connection, org_ids: list[str], engine: Engine | None = None
                ) -> dict[str, list]:
    """{table: read_table(...)} for every table the tally reads, all in `conn`'s snapshot.

    SQLite, or without the engine: one after the other on `conn`. PostgreSQL: the database
    aggregating one table while this process parses another, so the server's and this
    process's work overlap instead of adding up. `conn` exports its snapshot
    (pg_export_snapshot; it is in REPEATABLE READ, core/db.read_tx) and _PG_HELPERS more
    pooled connections, each in a thread, import it (SET TRANSACTION SNAPSHOT) before reading:
    every table, and the cache key read on `conn`, is of the same instant. `conn` itself reads
    too and never waits for a connection (so a full pool cannot deadlock requests): a helper
    that gets one after the work is all taken reads nothing and imports nothing, and `conn`
    waits only for the helpers that are reading. A helper's error is the request's."""
    order = [*_BIG_FIRST, *(t for t in _SOURCES if t not in _BIG_FIRST)]
    helpers = 0
    if engine is not None and conn.dialect.name == "postgresql":
        while helpers < _PG_HELPERS and _PG_HELPER_SLOTS.acquire(blocking=False):
            helpers += 1
    if not helpers:
        return {t: read_table(conn, t, org_ids) for t in order}
    try:
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        return _SharedRead(order, helpers).run(conn, engine, snapshot, org_ids)
    finally:
        for _ in range(helpers):
            _PG_HELPER_SLOTS.release()


class _SharedRead:
    """The tables of one report, taken one at a time by `conn` and the helpers (read_tables)."""

    def __init__(self, order: list[str], helpers: int) -> None:
        self.todo = list(reversed(order))  # popped from the end: biggest first
        self.helpers = helpers
        self.out: dict[str, list] = {}
        self.errors: list[BaseException] = []
        self.busy = 0  # helpers that imported the snapshot (or are about to) and still read
        self.lock = threading.Condition()

    def _next(self) -> str | None:
        with self.lock:
            return self.todo.pop() if self.todo and not self.errors else None

    def _read(self, conn: Connection, org_ids: list[str]) -> None:
        while (table := self._next()) is not None:
            got = read_table(conn, table, org_ids)
            with self.lock:
                self.out[table] = got

    def _help(self, engine: Engine, snapshot: str, org_ids: list[str]) -> None:
        try:
            with engine.connect() as c:
                with self.lock:  # nothing left: the snapshot may be gone, leave it
                    if not self.todo or self.errors:
                        return
                    self.busy += 1
                try:
                    c = c.execution_options(isolation_level="REPEATABLE READ")
                    with c.begin():
                        c.exec_driver_sql("SET TRANSACTION READ ONLY")
                        c.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                        self._read(c, org_ids)
                finally:
                    with self.lock:
                        self.busy -= 1
                        self.lock.notify_all()
        except BaseException as exc:  # noqa: BLE001 - raised in the request's thread
            with self.lock:
                self.errors.append(exc)
                self.lock.notify_all()

    def run(self, conn: Connection, engine: Engine, snapshot: str, org_ids: list[str]
            ) -> dict[str, list]:
        for _ in range(self.helpers):
            threading.Thread(target=self._help, args=(engine, snapshot, org_ids),
                             name="indicators-read", daemon=True).start()
        try:
            self._read(conn, org_ids)
        except BaseException as exc:
            with self.lock:  # the helpers stop at their next table
                self.errors.append(exc)
            raise
        finally:
            with self.lock:  # the snapshot stays exported until every reader is done
                while self.busy:
                    self.lock.wait()
        if self.errors:
            raise self.errors[0]
        return self.out


def _labels(conn: Connection, org_ids: list[str], by: str | None,
            clinic_names: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Group key -> name: clinics by code; teams and doctors by id, from their records (any,
    deleted too: a past contract may still name them, as on the PC)."""
    if by is None:
        return {}
    if by == "clinic":
        return dict(clinic_names.values())
    table = "team" if by == "team" else "staff"
    name = ("x.name" if conn.dialect.name == "postgresql" else "json_extract(r.data, '$.name')")
    source = ("record r CROSS JOIN LATERAL json_to_record(r.data::json) AS x(name text)"
              if conn.dialect.name == "postgresql" else "record r")
    stmt = text(f"SELECT r.id, {name} FROM {source} WHERE r.table_name = '{table}'"
                " AND r.org_id IN :orgs").bindparams(bindparam("orgs", expanding=True))
    return {r[0]: r[1] for r in conn.execute(stmt, {"orgs": org_ids}).all()}


def write_xlsx(report: Report, path):  # noqa: ANN001, ANN201
    """The report as the PC's sheet (domain/report.report_table): a title line, a column per
    group after the total, one row per indicator."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheet = wb.active
    sheet.title = "统计报表"
    for row in report_table(report):
        sheet.append(row)
    sheet["A1"].font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 36
    wb.save(path)
    return path
