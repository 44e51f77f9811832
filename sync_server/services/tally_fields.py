"""The indicator tally's fields of a record, kept beside its JSON `data` (record.tally) so the
server's indicator report reads them without parsing `data` (services/indicators.py).

record.tally: the record's row of the tally as a JSON array: its head columns (`head(table)`:
the id when the shape starts with one, a resident's org id too, the place the server counts it
under) then the fields the tally reads from that table (`fields(table)`, the shape of
domain/report_tally.SHAPES without id and place), values as stored in `data`; NULL for tables
the tally does not read. record.tally_shape: the fingerprint of that column list (and of this
fill rule, FILL_RULE) the array was made with. A reader uses a row's array only when its
fingerprint is the current one (`shape_mark(table)`); otherwise (NULL: written before
migration 0012 or by hand; stale: SHAPES changed since) it makes the same array from the
record's columns and `data` (`from_data_sql`), per row, so a stale or missing array costs
speed, never a wrong number. With the head in the array a township's report is the arrays
concatenated as they are (group_concat / string_agg), no text built per row.

The rule, once: `of(table, record_id, org_id, data)` for every write in Python (records._values, the demo
loader) and `from_data_sql(dialect, table)` for SQL (the migration's fill, `refill`, and the
reader's fallback), which answer the same values (tests/server/test_tally_fields.py). A
version that changes SHAPES, `fields` or FILL_RULE needs no migration to stay right; one
calling `refill` brings back the speed for the records already there.
"""
from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, text

# Bump when the way an array is made changes without the field list changing.
FILL_RULE = 1


@lru_cache(maxsize=None)
def _shapes() -> dict[str, tuple[str, ...]]:
    # Imported on first use: most `familydoc-server` commands never write a record.
    from familydoc_desktop.domain.report_tally import SHAPES
    return SHAPES


def tables() -> tuple[str, ...]:
    """The record tables the tally reads (every shape but `superseded`, which comes from the
    visits' supersedes_id)."""
    return tuple(t for t in _shapes() if t != "superseded")


@lru_cache(maxsize=None)
def fields(table: str) -> tuple[str, ...] | None:
    """The JSON fields of `table` the tally needs, in order (its id and place come from the
    record's own columns); None when the tally does not read the table."""
    if table not in tables():
        return None
    shape = _shapes()[table]
    if table == "followup_visit":
        shape = (*shape, "supersedes_id")  # one scan for the visits and the superseded ids
    out = tuple(f for f in shape if f not in ("id", "place"))
    assert len(out) >= 2, table  # json_extract with 2+ paths always answers an array
    return out


def head(table: str) -> tuple[str, ...]:
    """The record columns a row of the tally starts with: its id when the shape has one; a
    resident's org too (its place)."""
    if table == "resident":
        return ("id", "org_id")
    return ("id",) if _shapes()[table][0] == "id" else ()


@lru_cache(maxsize=None)
def shape_mark(table: str) -> int | None:
    """The fingerprint kept in record.tally_shape with an array made for today's columns of
    `table` (a 31-bit CRC: the same in every process and on both databases)."""
    wanted = fields(table)
    if wanted is None:
        return None
    names = ",".join((*head(table), "|", *wanted))
    return zlib.crc32(f"{FILL_RULE}:{table}:{names}".encode()) & 0x7FFFFFFF


def of(table: str, record_id: str, org_id: str, data: dict[str, Any]
       ) -> tuple[str | None, int | None]:
    """(record.tally, record.tally_shape) for a record of `table` with this id, org and
    fields `data` (as stored)."""
    wanted = fields(table)
    if wanted is None:
        return None, None
    own = {"id": record_id, "org_id": org_id}
    row = [own[c] for c in head(table)]
    row += [data.get(f) for f in wanted]
    return orjson.dumps(row).decode(), shape_mark(table)


def from_data_sql(dialect: str, table: str, data: str = "r.data", rec: str = "r") -> str:
    """SQL of the same array as `of`, from the columns of the record `rec` and its JSON
    `data`, the values as stored. SQLite: one multi-path json_extract (one parse of `data`),
    `data` its text. PostgreSQL: `->` for each value's own text, so `data` should be a json
    value parsed once for the row (callers: `(SELECT ... FROM (SELECT r.data::json AS d) x)`)."""
    wanted = fields(table)
    if dialect == "postgresql":
        parts = [f"to_json({rec}.{c})::text" for c in head(table)]
        parts += [f"coalesce(({data} -> '{f}')::text, 'null')" for f in wanted]
        return f"('[' || concat_ws(',', {', '.join(parts)}) || ']')"
    paths = ", ".join(f"'$.{f}'" for f in wanted)
    values = f"json_extract({data}, {paths})"
    if not head(table):
        return values
    cols = "".join(f"json_quote({rec}.{c}) || ',' || " for c in head(table))
    return f"('[' || {cols}substr({values}, 2))"


def refill(conn: Connection, *, only_stale: bool = True) -> int:
    """Set record.tally and tally_shape from `data` for every record of the tally's tables
    whose fingerprint is not the current one (all of them with only_stale=False), set-based:
    one UPDATE per table. Returns the rows set."""
    dialect = conn.dialect.name
    done = 0
    for table in tables():
        mark = shape_mark(table)
        stale = f" AND (tally_shape IS NULL OR tally_shape <> {mark})" if only_stale else ""
        if dialect == "postgresql":
            sql = (f"UPDATE record r SET tally = {from_data_sql(dialect, table, 'x.d', 'x')},"
                   f" tally_shape = {mark}"
                   f" FROM (SELECT table_name, id, org_id, data::json AS d FROM record"
                   f" WHERE table_name = '{table}'{stale}) x"
                   f" WHERE r.table_name = x.table_name AND r.id = x.id")
        else:
            sql = (f"UPDATE record SET tally = {from_data_sql(dialect, table, 'data', 'record')},"
                   f" tally_shape = {mark} WHERE table_name = '{table}'{stale}")
        done += conn.execute(text(sql)).rowcount
    return done
