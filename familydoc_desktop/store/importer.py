"""Roster import from the .xlsx workbooks clinics keep (花名册), and CSV from other systems.

Every sheet with a roster header is imported, all in one transaction; a sheet without one is
named as skipped. Every row after a header ends up created, updated, unchanged, rejected (a
resident row that cannot be imported, with its sheet, Excel row number and all its reasons in
Chinese) or skipped (not a resident: 合计, 制表人, notes; domain/roster.py says which), so
nothing is dropped without a word. The file is read by store/roster_file.py (merged cells
filled in); what each row means is domain/roster.py's.

Residents are matched by ID number; a row with an ID not on file by name + sex + birth date
among residents still waiting for an ID; a row without an ID by name + sex + birth date among
all live residents of the clinic (with or without an ID), never a guess when several fit.
Every write gets its outbox entry in the same transaction (imported residents sync): new
residents and households are inserted, changed residents updated, set-based with their
entries (bulk.insert_with_outbox / update_with_outbox, which write what the ORM capture
would); household heads go through the capturing ORM session. The existing residents and
households of each chunk are fetched in one query each.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from familydoc_desktop.domain import roster
from familydoc_desktop.domain.models import Household, Organisation, Resident, new_id, utcnow
from familydoc_desktop.domain.roster import (  # noqa: F401  (ID_AS_NUMBER: for callers)
    HEAD, ID_AS_NUMBER, ImportFileError, Record, Rejected, Skipped,
)
from familydoc_desktop.store import orgs
from familydoc_desktop.store.bulk import insert_with_outbox, update_with_outbox
from familydoc_desktop.store.roster_file import Sheet, read_sheets

CHUNK = 2000
IN_CHUNK = 900  # SQLite bound-parameter head-room for IN (...)
AMBIGUOUS = "有{n}名无身份证号的居民与该行姓名、性别、出生日期相同，无法确定是哪一位"
AMBIGUOUS_ANY = "有{n}名居民与该行姓名、性别、出生日期相同，无法确定是哪一位"
SKIP_HIDDEN = "隐藏的工作表，未导入（如需导入，请在Excel中取消隐藏后再导入）"
SKIP_EMPTY = "空工作表"
SKIP_NO_HEADER = f"{roster.NO_HEADER}，不是花名册"


@dataclass
class SheetCount:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0

    def to_json(self) -> dict:
        return {"name": self.name, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "skipped": self.skipped}


@dataclass
class SkippedSheet:
    name: str
    reason: str


@dataclass
class Roster:
    """What a file holds, read and judged, before anything is written."""
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    sheets: list[SheetCount] = field(default_factory=list)
    skipped_sheets: list[SkippedSheet] = field(default_factory=list)
    headers: dict[str, tuple] = field(default_factory=dict)  # sheet -> its header row


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    flagged_no_id: int = 0  # imported rows without an ID number whose resident has none
    id_filled: int = 0  # residents waiting for an ID number who got it from this file
    skipped: list[Skipped] = field(default_factory=list)
    sheets: list[SheetCount] = field(default_factory=list)
    skipped_sheets: list[SkippedSheet] = field(default_factory=list)
    headers: dict[str, tuple] = field(default_factory=dict)

    def sheet(self, name: str) -> SheetCount:
        for count in self.sheets:
            if count.name == name:
                return count
        count = SheetCount(name)
        self.sheets.append(count)
        return count

    def count(self, sheet: str, what: str) -> None:
        setattr(self, what, getattr(self, what) + 1)
        one = self.sheet(sheet)
        setattr(one, what, getattr(one, what) + 1)

    def reject(self, rejected: Rejected) -> None:
        self.rejected.append(rejected)
        self.sheet(rejected.sheet).rejected += 1

    def to_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"sheet": r.sheet, "row": r.row, "reasons": list(r.reasons)}
                             for r in self.rejected],
                "flagged_no_id": self.flagged_no_id, "id_filled": self.id_filled,
                "skipped": [{"sheet": r.sheet, "row": r.row, "reason": r.reason}
                            for r in self.skipped],
                "sheets": [c.to_json() for c in self.sheets],
                "skipped_sheets": [{"name": s.name, "reason": s.reason}
                                   for s in self.skipped_sheets]}


def _read_sheet(sheet: Sheet, today: date, seen: roster.Seen, out: Roster) -> None:
    rows = [r for _n, r in sheet.rows]
    layout = roster.find_header(rows[:roster.HEADER_SCAN_ROWS])
    if layout is None:
        out.skipped_sheets.append(SkippedSheet(sheet.name, SKIP_EMPTY if not rows
                                               else SKIP_NO_HEADER))
        return
    count = SheetCount(sheet.name)
    out.sheets.append(count)
    out.headers[sheet.name] = layout.header
    for number, row in sheet.rows[:layout.index]:
        out.skipped.append(Skipped(sheet.name, number, roster.SKIP_TITLE, row))
        count.skipped += 1
    for number, row in sheet.rows[layout.index + 1:]:
        cells = roster.cells_of(row, layout)
        why = roster.skip_reason(row, cells)
        if why is not None:
            reason, fixable = why
            if reason:
                out.skipped.append(Skipped(sheet.name, number, reason, row, fixable))
                count.skipped += 1
            continue
        parsed = roster.parse_row(sheet.name, number, row, cells, today, seen)
        if isinstance(parsed, Rejected):
            out.rejected.append(parsed)
            count.rejected += 1
        else:
            out.records.append(parsed)


def read_roster(path: str | Path, today: date) -> Roster:
    """Read and judge every sheet (.xlsx, or .csv in UTF-8 or GBK); raises ImportFileError
    for a file that is not a usable roster. Hidden sheets are named, not read."""
    path = Path(path)
    sheets = read_sheets(path)
    out = Roster()
    seen = roster.Seen()
    for sheet in sheets:
        if sheet.hidden:
            if sheet.rows and roster.find_header([r for _n, r in sheet.rows]) is not None:
                out.skipped_sheets.append(SkippedSheet(sheet.name, SKIP_HIDDEN))
            continue
        _read_sheet(sheet, today, seen, out)
    if not out.sheets:
        if all(not s.rows for s in sheets):
            raise ImportFileError(f"“{path.name}”是空表格，没有可导入的内容")
        hidden = [s.name for s in out.skipped_sheets if s.reason == SKIP_HIDDEN]
        if hidden:
            raise ImportFileError(f"“{path.name}”的花名册在隐藏的工作表"
                                  f"（{'、'.join(hidden)}）中，请在Excel中取消隐藏后再导入")
        raise ImportFileError(f"未找到表头行：全部{len(sheets)}张工作表的{roster.NO_HEADER}，"
                              f"请检查“{path.name}”是否选错了文件")
    if not out.records and not out.rejected and not any(
            s.fixable for s in out.skipped):
        raise ImportFileError(f"“{path.name}”只有表头，没有居民数据")
    return out


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _changes(resident: Resident, values: dict) -> dict:
    """The fields whose value differs; blank cells never erase what is stored."""
    return {key: value for key, value in values.items()
            if value is not None and getattr(resident, key) != value}


class _Context:
    """What one import keeps across its chunks."""

    def __init__(self, s: Session, capture, org: Organisation,  # noqa: ANN001
                 result: ImportResult) -> None:
        self.s, self.capture, self.org, self.result = s, capture, org, result
        self.village = org.code if len(org.code or "") == 12 and \
            org.code != orgs.PLACEHOLDER_CODE else None
        self.created: set[str] = set()  # residents this import inserted: never match targets
        self.matched: dict[str, tuple[str, int]] = {}  # resident id -> the first row that landed on it


def _candidates(ctx: _Context, records: list[Record], existing: dict[str, Resident],
                by_id: dict[str, Household]) -> dict[tuple, list[Resident]]:
    """By (name, sex, birth date), the live residents a row not found by its ID may be: this
    clinic's residents (for rows without an ID) and residents anywhere still waiting for an
    ID (for rows whose ID is not on file); _match picks per row. One query per IN_CHUNK
    names; their households into by_id."""
    names = sorted({r.name for r in records if r.id_number not in existing})
    pool: dict[tuple, list[Resident]] = {}
    for part in _chunks(names, IN_CHUNK):
        for r in ctx.s.exec(select(Resident).where(
                Resident.name.in_(part), Resident.deleted == False,  # noqa: E712
                or_(Resident.org_id == ctx.org.id,
                    and_(Resident.needs_id_match == True,  # noqa: E712
                         Resident.id_number == None)))):  # noqa: E711
            if r.id not in ctx.created:
                pool.setdefault((r.name, r.sex, r.birth_date), []).append(r)
    missing = sorted({r.household_id for rs in pool.values() for r in rs
                      if r.household_id and r.household_id not in by_id})
    for part in _chunks(missing, IN_CHUNK):
        by_id.update((h.id, h) for h in ctx.s.exec(select(Household).where(
            Household.id.in_(part))))
    return pool


def _match(ctx: _Context, rec: Record, pool: dict[tuple, list[Resident]],
           by_id: dict[str, Household]) -> list[Resident]:
    """The residents this row may be: one is a match, several an ambiguity (never a guess).
    A row without an ID may be any resident of the clinic, so re-importing it after its ID
    was filled in finds the same person; a row with an ID only one still waiting for it. A
    household number on both sides must agree."""
    candidates = [c for c in pool.get((rec.name, rec.sex, rec.birth_date), ())
                  if (c.org_id == ctx.org.id if rec.id_number is None
                      else c.id_number is None and c.needs_id_match)]
    if candidates and rec.household_no:
        def number(r: Resident) -> str | None:
            h = by_id.get(r.household_id) if r.household_id else None
            return h.household_no if h is not None else None
        same = [c for c in candidates if number(c) == rec.household_no]
        candidates = same or [c for c in candidates if number(c) is None]
    return candidates


def _ambiguous(rec: Record, found: list[Resident]) -> str:
    if rec.id_number is not None:
        return AMBIGUOUS.format(n=len(found)) + (
            "，请在软件中手工补录身份证号" if rec.household_no else
            "，请填写户号或在软件中手工补录身份证号")
    text = AMBIGUOUS if all(r.id_number is None for r in found) else AMBIGUOUS_ANY
    return text.format(n=len(found)) + (
        "，请在表中填写该行的身份证号" if rec.household_no else "，请在表中填写该行的身份证号或户号")


def _import_chunk(ctx: _Context, records: list[Record]) -> None:
    s, org, result, village = ctx.s, ctx.org, ctx.result, ctx.village
    ids = [r.id_number for r in records if r.id_number]
    existing: dict[str, Resident] = {}
    for part in _chunks(ids, IN_CHUNK):
        existing.update((r.id_number, r) for r in s.exec(select(Resident).where(
            Resident.id_number.in_(part), Resident.deleted == False)))  # noqa: E712
    numbers = sorted({r.household_no for r in records if r.household_no})
    households: dict[str, Household] = {}  # this org's, by number
    by_id: dict[str, Household] = {}  # any org's, to keep a resident's current household
    for part in _chunks(numbers, IN_CHUNK):
        for h in s.exec(select(Household).where(Household.household_no.in_(part),
                                                Household.deleted == False)):  # noqa: E712
            by_id[h.id] = h
            if h.org_id == org.id:
                households[h.household_no] = h
    pool = _candidates(ctx, records, existing, by_id) if len(existing) < len(records) else {}
    now = utcnow()
    new_households: dict[str, dict] = {}  # inserted set-based, outbox included
    new_residents: list[dict] = []
    updates: list[tuple[Resident, dict]] = []  # written set-based, outbox included
    for rec in records:
        resident = existing.get(rec.id_number) if rec.id_number else None
        fill_id = False
        if resident is None:
            found = _match(ctx, rec, pool, by_id)
            if len(found) > 1:
                result.reject(Rejected(rec.sheet, rec.row, [_ambiguous(rec, found)], rec.name,
                                       rec.values))
                continue
            resident = found[0] if found else None
            fill_id = resident is not None and rec.id_number is not None
        if resident is not None:  # two rows of the file must not land on one resident
            first = ctx.matched.setdefault(resident.id, (rec.sheet, rec.row))
            if first != (rec.sheet, rec.row):
                result.reject(Rejected(
                    rec.sheet, rec.row,
                    [f"与{roster.where(first, rec.sheet)}是同一位居民（姓名、性别、出生日期相同），"
                     "疑似重复"], rec.name, rec.values))
                continue
        if rec.id_number is None and (resident is None or resident.id_number is None):
            result.flagged_no_id += 1
        household = household_id = None
        if rec.household_no:
            current = by_id.get(resident.household_id) if resident is not None else None
            household = current if current is not None and \
                current.household_no == rec.household_no else households.get(rec.household_no)
            if household is None:
                household = new_households.get(rec.household_no)
                if household is None:
                    household = new_households[rec.household_no] = {
                        "id": new_id(), "org_id": org.id, "created_at": now,
                        "household_no": rec.household_no, "address": rec.address,
                        "village_code": village, "head_id": None}
                household_id = household["id"]
            else:
                household_id = household.id
        values = {"name": rec.name, "sex": rec.sex, "birth_date": rec.birth_date,
                  "phone": rec.phone, "address": rec.address,
                  "relation_to_head": rec.relation, "household_id": household_id}
        if resident is None:
            resident_id = new_id()
            ctx.created.add(resident_id)
            new_residents.append({**values, "id": resident_id, "org_id": org.id,
                                  "created_at": now, "id_number": rec.id_number,
                                  "needs_id_match": rec.id_number is None,
                                  "village_code": village})
            result.count(rec.sheet, "created")
        else:
            resident_id = resident.id
            if fill_id:
                values.update(id_number=rec.id_number, needs_id_match=False)
                result.id_filled += 1
            changed = _changes(resident, values)
            if changed:
                updates.append((resident, changed))
                result.count(rec.sheet, "updated")
            else:
                result.count(rec.sheet, "unchanged")
        if rec.relation == HEAD and household is not None:
            if isinstance(household, dict):
                household["head_id"] = resident_id
            elif household.head_id != resident_id:
                household.head_id = resident_id
                s.add(household)
    insert_with_outbox(s, ctx.capture, "household", list(new_households.values()))
    insert_with_outbox(s, ctx.capture, "resident", new_residents)
    update_with_outbox(s, ctx.capture, "resident", updates)
    s.flush()


def import_roster(db, path: str | Path, *, org_id: str | None = None,  # noqa: ANN001
                  progress: Callable[[int, int], None] | None = None,
                  today: date | None = None) -> ImportResult:
    """Import a roster into `org_id` (default: this PC's home clinic), all or nothing: one
    transaction for every sheet, so a failure (or a power cut) part-way leaves the database
    as it was."""
    today = today or date.today()
    read = read_roster(path, today)
    result = ImportResult(rejected=list(read.rejected), skipped=read.skipped, sheets=read.sheets,
                          skipped_sheets=read.skipped_sheets, headers=read.headers)
    records = read.records
    total, done = len(records), 0
    with db.session() as s:
        org = s.get(Organisation, org_id) if org_id else orgs.home_clinic(s)
        if org is None:
            raise ImportFileError("找不到要导入到的机构，请先同步机构列表")
        ctx = _Context(s, db.capture, org, result)
        for part in _chunks(records, CHUNK):
            _import_chunk(ctx, part)
            done += len(part)
            if progress:
                progress(done, total)
    order = {c.name: i for i, c in enumerate(result.sheets)}
    result.rejected.sort(key=lambda r: (order.get(r.sheet, 0), r.row))
    return result


def check_report_path(roster: str | Path, report: str | Path) -> None:
    """Refuse an error report that would overwrite the roster itself (another spelling, a
    link: samefile when both exist, else the resolved paths)."""
    try:
        same = os.path.samefile(roster, report)
    except OSError:  # the report (or the roster) does not exist yet
        same = Path(roster).resolve() == Path(report).resolve()
    if same:
        raise ImportFileError(f"错误报告不能保存为正在导入的花名册“{Path(roster).name}”"
                              "（会覆盖花名册），请另选文件名")


SUMMARY_SHEET = "导入汇总"
SKIPPED_SHEET = "跳过的行"
_BAD_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _cell(value):  # noqa: ANN001, ANN202
    """A value openpyxl can write (it refuses control characters; a lone surrogate cannot be
    encoded): shown as U+FFFD, the row otherwise kept as it was."""
    from familydoc_desktop.domain.wire_values import printable
    return printable(value) if isinstance(value, str) else value


def _titles(names: list[str]) -> dict[str, str]:
    """A valid, unique worksheet title for each source sheet (31 characters, no []:*?/\\)."""
    taken = {SUMMARY_SHEET, SKIPPED_SHEET}
    titles = {}
    for name in names:
        base = (name.translate(_BAD_TITLE).strip("'") or "Sheet")[:31]
        title, n = base, 1
        while title in taken:
            n += 1
            title = f"{base[:31 - len(str(n)) - 1]}_{n}"
        taken.add(title)
        titles[name] = title
    return titles


def write_error_report(result: ImportResult, path: str | Path, *,
                       roster: str | Path | None = None) -> Path:
    """An .xlsx the clinic corrects and imports again: per sheet of the roster, its rejected
    rows (and the rows skipped for missing data) with the roster's own columns beside 问题
    (the reasons) and 原行号, so fixing a cell and importing the report creates exactly the
    residents still missing; a 导入汇总 sheet with the counts per sheet and the sheets skipped;
    the other skipped rows (合计, 制表人...) on 跳过的行. Always rewritten, so an older report
    never passes for this import's."""
    from openpyxl import Workbook

    if roster is not None:
        check_report_path(roster, path)
    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.append(["工作表", "新建", "更新", "未变", "未导入", "跳过"])
    for c in result.sheets:
        ws.append([_cell(c.name), c.created, c.updated, c.unchanged, c.rejected, c.skipped])
    ws.append(["合计", result.created, result.updated, result.unchanged, len(result.rejected),
               len(result.skipped)])
    if result.skipped_sheets:
        ws.append([])
        ws.append(["未导入的工作表", "原因"])
        for sheet in result.skipped_sheets:
            ws.append([_cell(sheet.name), sheet.reason])
    back: dict[str, list[tuple[int, str, tuple]]] = {}
    for r in result.rejected:
        back.setdefault(r.sheet, []).append((r.row, "；".join(r.reasons), r.values))
    for r in result.skipped:
        if r.fixable:
            back.setdefault(r.sheet, []).append((r.row, r.reason, r.values))
    titles = _titles([c.name for c in result.sheets if c.name in back])
    for count in result.sheets:
        rows = back.get(count.name)
        if not rows:
            continue
        header = list(result.headers.get(count.name, ()))
        width = max([len(header)] + [len(v) for _r, _w, v in rows])
        ws = wb.create_sheet(titles[count.name])
        ws.append(["问题", "原行号", *(_cell(h) if h is not None else "" for h in header),
                   *[""] * (width - len(header))])
        for row, why, values in sorted(rows, key=lambda x: x[0]):
            ws.append([why, row, *(_cell(v) for v in values)])
    notes = [r for r in result.skipped if not r.fixable]
    if notes:
        ws = wb.create_sheet(SKIPPED_SHEET)
        ws.append(["工作表", "原行号", "原因", "内容"])
        for r in notes:
            ws.append([_cell(r.sheet), r.row, r.reason, _cell(r.text)])
    wb.save(path)
    return path
