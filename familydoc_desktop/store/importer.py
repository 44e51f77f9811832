"""Roster import from the .xlsx sheets clinics keep (花名册).

Every row ends up created, updated, unchanged or rejected with its Excel row number and all
its reasons in Chinese: nothing is dropped silently. Residents are matched by ID number, rows
without one by name + sex + birth date among residents still waiting for an ID. Every write
gets its outbox entry in the same transaction (imported residents sync): new residents and
households are inserted set-based with their entries (bulk.insert_with_outbox), changed ones
go through the capturing ORM session; one transaction per chunk, with the existing
residents and households of a chunk fetched in one query each.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlmodel import Session, select

from familydoc_desktop.domain.codes import Sex, label
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import DateError, DomainError, IdNumberError
from familydoc_desktop.domain.idcard import normalize_id, parse_id
from familydoc_desktop.domain.models import Household, Organisation, Resident, new_id, utcnow
from familydoc_desktop.store import orgs
from familydoc_desktop.store.bulk import insert_with_outbox

CHUNK = 2000
HEADER_SCAN_ROWS = 10
IN_CHUNK = 900  # SQLite bound-parameter head-room for IN (...)
HEAD = "户主"

# Column header (normalised) -> field.
HEADERS: dict[str, str] = {}
for _field, _names in {
    "name": ("姓名", "居民姓名", "名字"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
    "address": ("现住址", "住址", "家庭住址", "地址", "居住地址"),
    "household_no": ("户号", "家庭编号", "户编号"),
    "relation": ("与户主关系", "关系"),
}.items():
    HEADERS.update(dict.fromkeys(_names, _field))

SEX_VALUES = {"男": Sex.MALE, "男性": Sex.MALE, "1": Sex.MALE, "M": Sex.MALE,
              "MALE": Sex.MALE, "女": Sex.FEMALE, "女性": Sex.FEMALE, "2": Sex.FEMALE,
              "F": Sex.FEMALE, "FEMALE": Sex.FEMALE}
ID_AS_NUMBER = "身份证号被Excel存为数字，末位可能已丢失，请将该列设为文本"
UPDATABLE = ("name", "sex", "birth_date", "phone", "address", "relation_to_head",
             "household_id")


class ImportFileError(DomainError):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__("import_file", message)


@dataclass
class RejectedRow:
    row: int
    reasons: list[str]
    name: str | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    flagged_no_id: int = 0

    def to_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"row": r.row, "reasons": list(r.reasons)} for r in self.rejected],
                "flagged_no_id": self.flagged_no_id}


@dataclass
class _Record:
    row: int
    name: str
    sex: str
    birth_date: date
    id_number: str | None
    phone: str | None
    address: str | None
    household_no: str | None
    relation: str | None


def _header_key(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"[(\[].*?[)\]]", "", text)  # 性别(男/女), 出生日期[yyyy-mm-dd]
    text = "".join(text.split()).strip("*:：")
    return HEADERS.get(text)


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]]:
    """Index of the row (among the first HEADER_SCAN_ROWS) with the most known headers."""
    best, best_map = -1, {}
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for col, value in enumerate(row):
            key = _header_key(value)
            if key and key not in found:
                found[key] = col
        if len(found) > len(best_map):
            best, best_map = i, found
    if best < 0 or "name" not in best_map or len(best_map) < 2:
        raise ImportFileError("未找到表头行：前10行中没有“姓名”“身份证号”“性别”等列名，"
                              "请检查是否选错了文件或工作表")
    return best, best_map


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _blank(row: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _parse_row(number: int, cells: dict[str, Any], today: date,
               seen: dict[str, int]) -> _Record | RejectedRow:
    reasons: list[str] = []
    name = _text(cells.get("name"))
    if name:
        name = re.sub(r"\s+", "", name)
    else:
        reasons.append("姓名为空")
    sex = None
    raw_sex = _text(cells.get("sex"))
    if raw_sex:
        sex = SEX_VALUES.get(raw_sex.upper())
        if sex is None:
            reasons.append(f"性别“{raw_sex}”无法识别（应为男/女）")
    birth = None
    raw_birth = cells.get("birth_date")
    if _text(raw_birth) is not None:
        try:
            birth = parse_date(raw_birth, today=today)
        except DateError as exc:
            reasons.append(f"出生日期：{exc.message}")
    id_number = None
    raw_id = cells.get("id_number")
    if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
        reasons.append(ID_AS_NUMBER)
    elif _text(raw_id) is not None:
        try:
            info = parse_id(str(raw_id), today=today)
        except IdNumberError as exc:
            reasons.append(exc.message)
        else:
            id_number = info.number
            if sex is not None and sex != info.sex:
                reasons.append(f"性别（{label(sex)}）与身份证号（{label(info.sex)}）不符")
            if birth is not None and birth != info.birth_date:
                reasons.append(f"出生日期（{birth.isoformat()}）与身份证号"
                               f"（{info.birth_date.isoformat()}）不符")
            sex, birth = sex or info.sex, birth or info.birth_date
            if id_number in seen:
                reasons.append(f"与第{seen[id_number]}行身份证号重复")
            else:
                seen[id_number] = number
    if _text(raw_id) is None:  # no ID: the typed birth date and sex must stand alone
        if _text(raw_birth) is None:
            reasons.append("无身份证号时出生日期不能为空")
        if not raw_sex:
            reasons.append("无身份证号时性别不能为空")
    if reasons:
        return RejectedRow(number, reasons, name)
    return _Record(number, name, str(sex), birth, id_number, _text(cells.get("phone")),
                   _text(cells.get("address")), _text(cells.get("household_no")),
                   _text(cells.get("relation")))


def read_roster(path: str | Path, today: date) -> tuple[list[_Record], list[RejectedRow]]:
    """Parse the sheet; raises ImportFileError for a file that is not a usable roster."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"找不到文件：{path}")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"无法读取“{path.name}”：不是有效的Excel（.xlsx）文件") from exc
    try:
        rows = [tuple(r) for r in wb.worksheets[0].iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()
    if not any(not _blank(r) for r in rows):
        raise ImportFileError(f"“{path.name}”是空表格，没有可导入的内容")
    header, columns = _find_header(rows)
    records: list[_Record] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    for i in range(header + 1, len(rows)):
        row = rows[i]
        if _blank(row):
            continue
        cells = {f: row[c] if c < len(row) else None for f, c in columns.items()}
        parsed = _parse_row(i + 1, cells, today, seen)
        (rejected if isinstance(parsed, RejectedRow) else records).append(parsed)
    if not records and not rejected:
        raise ImportFileError(f"“{path.name}”只有表头，没有居民数据")
    return records, rejected


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _apply(resident: Resident, values: dict) -> bool:
    """Set the fields whose value differs; blank cells never erase what is stored."""
    changed = False
    for key, value in values.items():
        if value is not None and getattr(resident, key) != value:
            setattr(resident, key, value)
            changed = True
    return changed


def _import_chunk(s: Session, capture, records: list[_Record], org: Organisation,  # noqa: ANN001
                  result: ImportResult) -> None:
    ids = [r.id_number for r in records if r.id_number]
    existing: dict[str, Resident] = {}
    for part in _chunks(ids, IN_CHUNK):
        existing.update((r.id_number, r) for r in s.exec(select(Resident).where(
            Resident.id_number.in_(part), Resident.deleted == False)))  # noqa: E712
    waiting: dict[tuple, Resident] = {}
    if any(r.id_number is None for r in records):
        for r in s.exec(select(Resident).where(Resident.needs_id_match == True,  # noqa: E712
                                               Resident.deleted == False)):  # noqa: E712
            waiting.setdefault((r.name, r.sex, r.birth_date), r)
    numbers = sorted({r.household_no for r in records if r.household_no})
    households: dict[str, Household] = {}  # this org's, by number
    by_id: dict[str, Household] = {}  # any org's, to keep a resident's current household
    for part in _chunks(numbers, IN_CHUNK):
        for h in s.exec(select(Household).where(Household.household_no.in_(part),
                                                Household.deleted == False)):  # noqa: E712
            by_id[h.id] = h
            if h.org_id == org.id:
                households[h.household_no] = h
    village = org.code if len(org.code or "") == 12 and org.code != orgs.PLACEHOLDER_CODE \
        else None
    now = utcnow()
    new_households: dict[str, dict] = {}  # inserted set-based, outbox included
    new_residents: list[dict] = []
    for rec in records:
        if rec.id_number:
            resident = existing.get(rec.id_number)
        else:
            resident = waiting.pop((rec.name, rec.sex, rec.birth_date), None)
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
            new_residents.append({**values, "id": resident_id, "org_id": org.id,
                                  "created_at": now, "id_number": rec.id_number,
                                  "needs_id_match": rec.id_number is None,
                                  "village_code": village})
            result.created += 1
        else:
            resident_id = resident.id
            if _apply(resident, values):
                s.add(resident)
                result.updated += 1
            else:
                result.unchanged += 1
        if rec.relation == HEAD and household is not None:
            if isinstance(household, dict):
                household["head_id"] = resident_id
            elif household.head_id != resident_id:
                household.head_id = resident_id
                s.add(household)
    insert_with_outbox(s, capture, "household", list(new_households.values()))
    insert_with_outbox(s, capture, "resident", new_residents)

def import_roster(db, path: str | Path, *, org_id: str | None = None,  # noqa: ANN001
                  progress: Callable[[int, int], None] | None = None,
                  today: date | None = None) -> ImportResult:
    """Import a roster into `org_id` (default: this PC's home clinic)."""
    today = today or date.today()
    records, rejected = read_roster(path, today)
    result = ImportResult(rejected=rejected)
    with db.session() as s:
        org = s.get(Organisation, org_id) if org_id else orgs.home_clinic(s)
        if org is None:
            raise ImportFileError("找不到要导入到的机构，请先同步机构列表")
    total, done = len(records), 0
    for part in _chunks(records, CHUNK):
        with db.session() as s:
            _import_chunk(s, db.capture, part, org, result)
        done += len(part)
        if progress:
            progress(done, total)
    result.rejected.sort(key=lambda r: r.row)
    return result


def write_error_report(result: ImportResult, path: str | Path) -> Path:
    """The rejected rows as an .xlsx (行号, 姓名, 问题) for the clinic to correct."""
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("未导入的行")
    ws.append(["行号", "姓名", "问题"])
    for r in result.rejected:
        ws.append([r.row, r.name or "", "；".join(r.reasons)])
    wb.save(path)
    return path
