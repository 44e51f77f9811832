"""Roster import from the .xlsx sheets clinics keep (花名册).

Every row ends up created, updated, unchanged or rejected with its Excel row number and all
its reasons in Chinese: nothing is dropped silently (a row with no name, ID, birth date, sex or
phone is blank, whatever else it holds). The roster is the first visible worksheet with a
header row. Residents are matched by ID number; a row with an ID not on file by name + sex +
birth date among residents still waiting for an ID; a row without an ID by name + sex + birth
date among all live residents of the clinic (with or without an ID), never a guess when
several fit. Phones are stored normalised (domain.phone). Every write
gets its outbox entry in the same transaction (imported residents sync): new residents and
households are inserted, changed residents updated, set-based with their entries
(bulk.insert_with_outbox / update_with_outbox, which write what the ORM capture would);
household heads go through the capturing ORM session. The whole file is one transaction;
the existing residents and households of each chunk are fetched in one query each.
"""
from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from xml.etree import ElementTree
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from familydoc_desktop.domain.codes import Sex, label
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import DateError, DomainError, IdNumberError
from familydoc_desktop.domain.idcard import MIN_BIRTH
from familydoc_desktop.domain.idcard import parse_id
from familydoc_desktop.domain.models import Household, Organisation, Resident, new_id, utcnow
from familydoc_desktop.domain.phone import PhoneError, normalize_phone
from familydoc_desktop.store import orgs
from familydoc_desktop.store.bulk import insert_with_outbox, update_with_outbox

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
ID_MASKED = "身份证号已脱敏（含*号），无法导入，请使用未脱敏的名单"
AMBIGUOUS = "有{n}名无身份证号的居民与该行姓名、性别、出生日期相同，无法确定是哪一位"
AMBIGUOUS_ANY = "有{n}名居民与该行姓名、性别、出生日期相同，无法确定是哪一位"
# A row with none of these is blank (a 序号 or a note left in the row).
KEY_FIELDS = ("name", "id_number", "birth_date", "sex", "phone")
# Text fields -> (Chinese name, column length): longer values would not fit the server's
# VARCHAR columns, so they are refused here rather than at sync.
LIMITS = {"name": ("姓名", Resident.__table__.c.name.type.length),
          "address": ("现住址", Resident.__table__.c.address.type.length),
          "household_no": ("户号", Household.__table__.c.household_no.type.length),
          "relation": ("与户主关系", Resident.__table__.c.relation_to_head.type.length)}
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
    flagged_no_id: int = 0  # imported rows without an ID number whose resident has none
    id_filled: int = 0  # residents waiting for an ID number who got it from this file

    def to_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"row": r.row, "reasons": list(r.reasons)} for r in self.rejected],
                "flagged_no_id": self.flagged_no_id, "id_filled": self.id_filled}


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


def _header_in(rows: list[tuple]) -> tuple[int, dict[str, list[int]]] | None:
    """Index of the row (among the first HEADER_SCAN_ROWS) with the most known headers, and
    each field's columns in order (身份证号 and 身份证号码 both present: both are read)."""
    best, best_map = -1, {}
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, list[int]] = {}
        for col, value in enumerate(row):
            key = _header_key(value)
            if key:
                found.setdefault(key, []).append(col)
        if len(found) > len(best_map):
            best, best_map = i, found
    if best < 0 or "name" not in best_map or len(best_map) < 2:
        return None
    return best, best_map


NO_HEADER = "前10行中没有“姓名”“身份证号”“性别”等列名，请检查是否选错了文件"


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, list[int]]]:
    found = _header_in(rows)
    if found is None:
        raise ImportFileError(f"未找到表头行：{NO_HEADER}或工作表")
    return found


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _first(row: tuple, columns: list[int]) -> Any:
    """The first non-empty value of a field's columns."""
    for col in columns:
        value = row[col] if col < len(row) else None
        if not _empty(value):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _blank(row: tuple) -> bool:
    return all(map(_empty, row))


def _parse_row(number: int, cells: dict[str, Any], today: date,
               seen: dict[Any, int]) -> _Record | RejectedRow:
    """One data row -> a record, or all its reasons. `seen` holds the row number of every
    ID number, and of every (name, sex, birth date, household) without one, met so far."""
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
    if isinstance(raw_birth, int) and 18000101 <= raw_birth <= 99991231:
        raw_birth = str(raw_birth)  # 19491231 typed into a number cell, not a serial
    if _text(raw_birth) is not None:
        try:
            birth = parse_date(raw_birth, today=today)
        except DateError as exc:
            reasons.append(f"出生日期：{exc.message}")
        else:
            if birth < MIN_BIRTH:  # the bound an ID's birth date has
                reasons.append(f"出生日期：日期 {birth.isoformat()} 早于{MIN_BIRTH.year}年，请核对")
                birth = None
    id_number = None
    raw_id = cells.get("id_number")
    if type(raw_id) is int and 10**14 <= raw_id < 10**15:
        raw_id = str(raw_id)  # a legacy 15-digit ID: Excel keeps 15 digits exactly, none lost
    if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
        reasons.append(ID_AS_NUMBER)
    elif isinstance(raw_id, str) and "*" in raw_id:
        reasons.append(ID_MASKED)
    elif _text(raw_id) is not None:
        try:
            info = parse_id(str(raw_id), today=today)
        except IdNumberError as exc:
            reasons.append(exc.message)
        else:
            id_number = info.number
            if sex is not None and sex != info.sex:
                reasons.append(f"性别（{label(Sex, sex)}）与身份证号（{label(Sex, info.sex)}）不符")
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
    household_no = _text(cells.get("household_no"))
    address, relation = _text(cells.get("address")), _text(cells.get("relation"))
    phone = _text(cells.get("phone"))
    if phone and "*" in phone:
        phone = None  # a masked export: never overwrite the stored number with 138****1111
    elif phone:
        try:
            phone = normalize_phone(phone)
        except PhoneError as exc:
            reasons.append(exc.message)
    for key, value in (("name", name), ("address", address), ("household_no", household_no),
                       ("relation", relation)):
        what, limit = LIMITS[key]
        if value and len(value) > limit:
            reasons.append(f"{what}过长（{len(value)}个字，最多{limit}个字）")
    if not reasons and id_number is None:  # the same person twice, without an ID number
        key = (name, sex, birth, household_no)
        if key in seen:
            reasons.append(f"与第{seen[key]}行姓名、性别、出生日期、户号相同（均无身份证号），疑似重复")
        else:
            seen[key] = number
    if reasons:
        return RejectedRow(number, reasons, name)
    return _Record(number, name, str(sex), birth, id_number, phone, address, household_no,
                   relation)


# ---------------------------------------------------------------------------------------------
# Reading the sheet. A streaming .xlsx reader over the zip's XML (openpyxl's cell objects cost
# ~20 µs a cell, most of a 10,000-row import); CSV for exports from other systems.

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_C, _ROW, _V, _IS, _T, _R = (_NS + t for t in ("c", "row", "v", "is", "t", "r"))
# Built-in number formats that show a date: 14-22 and 45-47 everywhere, 27-36 and 50-58 in
# the Chinese (zh-CN) locale, e.g. 31 = yyyy"年"m"月"d"日".
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE file: encrypted .xlsx or old .xls
_EPOCH_1904 = timedelta(days=1462)

Rows = list[tuple[int, tuple]]  # (Excel row number, cell values)


def _zip_text(zf: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        with zf.open(name) as fh:
            return ElementTree.parse(fh).getroot()
    except KeyError:
        return None


def _join(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name) for `part`."""
    rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part)
                               + ".rels")
    root = _zip_text(zf, rels_name)
    if root is None:
        return {}
    return {r.get("Id"): (r.get("Type", ""), _join(part, r.get("Target", "")))
            for r in root.iter(_PKG_REL)}


def _worksheets(zf: zipfile.ZipFile) -> tuple[str, list[str], bool]:
    """(workbook part, visible worksheet parts in tab order, 1904 date system)."""
    book = next((target for kind, target in _rels(zf, "").values()
                 if kind.endswith("/officeDocument")), "xl/workbook.xml")
    root = _zip_text(zf, book)
    if root is None:
        raise KeyError(book)
    pr = root.find(_NS + "workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    rels = _rels(zf, book)
    sheets = [s for s in root.iter(_NS + "sheet") if rels.get(s.get(_DOC_REL), ("", ""))[0]
              .endswith("/worksheet")]
    visible = [s for s in sheets if s.get("state", "visible") == "visible"] or sheets
    if not visible:
        raise KeyError("worksheet")
    return book, [rels[s.get(_DOC_REL)][1] for s in visible], date1904


def _shared_strings(zf: zipfile.ZipFile, book: str) -> list[str]:
    part = next((target for kind, target in _rels(zf, book).values()
                 if kind.endswith("/sharedStrings")), None)
    if part is None or part not in zf.namelist():
        return []
    strings = []
    with zf.open(part) as fh:
        for _event, si in ElementTree.iterparse(fh):
            if si.tag == _NS + "si":
                strings.append(_rich_text(si))
                si.clear()
    return strings


def _rich_text(el: ElementTree.Element) -> str:
    """The text of <si> or <is>: a plain <t>, or runs <r><t>; phonetic hints <rPh> left out."""
    parts = []
    for child in el:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.extend(t.text or "" for t in child.iter(_T))
    return "".join(parts)


def _date_styles(zf: zipfile.ZipFile, book: str) -> frozenset[int]:
    """Indexes of the cell formats (the `s` attribute) that display a date."""
    from openpyxl.styles.numbers import is_date_format

    part = next((target for kind, target in _rels(zf, book).values()
                 if kind.endswith("/styles")), None)
    root = _zip_text(zf, part) if part else None
    if root is None:
        return frozenset()
    custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "")
              for f in root.iter(_NS + "numFmt")}
    xfs = root.find(_NS + "cellXfs")
    result = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", 0))
        if fmt in custom:
            if is_date_format(custom[fmt]):
                result.add(i)
        elif fmt in _DATE_FORMAT_IDS:
            result.add(i)
    return frozenset(result)


def _column(ref: str) -> int:
    """'AB12' -> 27 (0-based)."""
    n = 0
    for ch in ref:
        if ch.isdigit():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _xlsx_rows(path: Path) -> Rows:
    """The non-blank rows of the first visible worksheet with a header row (a 说明 sheet may
    come first); only the head of the sheets before it is read."""
    with zipfile.ZipFile(path) as zf:
        book, sheets, date1904 = _worksheets(zf)
        strings = _shared_strings(zf, book)
        dates = _date_styles(zf, book)
        empty = True
        for sheet in sheets:
            rows = (r for r in _sheet_rows(zf, sheet, strings, dates, date1904)
                    if not _blank(r[1]))
            head = list(islice(rows, HEADER_SCAN_ROWS))
            empty = empty and not head
            if _header_in([r for _n, r in head]) is not None:
                return head + list(rows)
    if empty:
        return []
    raise ImportFileError(f"未找到表头行：全部{len(sheets)}张工作表的{NO_HEADER}")


def _sheet_rows(zf: zipfile.ZipFile, sheet: str, strings: list[str], dates: frozenset[int],
                date1904: bool) -> Iterator[tuple[int, tuple]]:
    """(Excel row number, cell values) of one worksheet, streamed."""
    cells: dict[int, Any] = {}
    next_col = last = 0
    with zf.open(sheet) as fh:
        for _event, el in ElementTree.iterparse(fh):
            tag = el.tag
            if tag == _C:
                kind = el.get("t")
                ref = el.get("r")
                col = _column(ref) if ref else next_col
                next_col = col + 1
                if kind == "inlineStr":
                    inline = el.find(_IS)
                    value = _rich_text(inline) if inline is not None else None
                else:
                    v = el.find(_V)
                    value = v.text if v is not None else None
                    if value is not None:
                        if kind == "s":
                            value = strings[int(value)]
                        elif kind == "b":
                            value = value == "1"
                        elif kind in (None, "n"):
                            value = _number(value)
                            style = el.get("s")
                            if style and int(style) in dates:
                                value = _serial_date(value, date1904)
                if value is not None:
                    cells[col] = value
            elif tag == _ROW:
                number = el.get("r")
                last = number = int(number) if number else last + 1
                next_col = 0
                if cells:
                    row = [None] * (max(cells) + 1)
                    for col, value in cells.items():
                        row[col] = value
                    yield number, tuple(row)
                    cells = {}
                el.clear()


def _serial_date(value: int | float, date1904: bool) -> Any:
    """A date-formatted number -> date; out-of-range serials stay numbers (reported later)."""
    try:
        day = parse_date(value)
    except DateError:
        return value
    return day + _EPOCH_1904 if date1904 else day


def _csv_rows(path: Path) -> Rows:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(f"无法识别“{path.name}”的文字编码（应为UTF-8或GBK）")
    if "\x00" in text:
        raise ImportFileError(f"无法读取“{path.name}”：不是文本格式的CSV文件")
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        pass
    rows = ((i, tuple(v if v.strip() else None for v in row))
            for i, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    return [(i, row) for i, row in rows if not _blank(row)]


def _load_rows(path: Path) -> Rows:
    """The non-blank rows of the roster's sheet (or CSV file)."""
    if not path.is_file():
        raise ImportFileError(f"找不到文件：{path}")
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise ImportFileError(f"“{path.name}”是空文件（0字节），没有可导入的内容")
    if head == _CFB_MAGIC:
        raise ImportFileError(f"无法读取“{path.name}”：文件设置了打开密码，或是旧版Excel（.xls）"
                              "格式。请在Excel中取消密码并另存为 .xlsx 后再导入")
    if path.suffix.lower() in (".csv", ".txt"):
        return _csv_rows(path)
    if not head.startswith(b"PK"):
        raise ImportFileError(f"无法读取“{path.name}”：不是有效的Excel（.xlsx）文件")
    try:
        return _xlsx_rows(path)
    except ImportFileError:  # no sheet with a header: a ValueError, but not a broken file
        raise
    except RuntimeError as exc:  # zipfile: "File ... is encrypted"
        raise ImportFileError(f"无法读取“{path.name}”：文件已加密，请取消密码后再导入") from exc
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, EOFError, OSError,
            zlib.error, ElementTree.ParseError) as exc:
        raise ImportFileError(f"无法读取“{path.name}”：不是有效的Excel（.xlsx）文件，"
                              "或文件已损坏。请在Excel中打开并另存为 .xlsx 后再导入") from exc


def read_roster(path: str | Path, today: date) -> tuple[list[_Record], list[RejectedRow]]:
    """Parse the sheet (.xlsx, or .csv in UTF-8 or GBK); raises ImportFileError for a file
    that is not a usable roster."""
    path = Path(path)
    rows = _load_rows(path)  # without blank rows
    if not rows:
        raise ImportFileError(f"“{path.name}”是空表格，没有可导入的内容")
    header, columns = _find_header([r for _n, r in rows])
    records: list[_Record] = []
    rejected: list[RejectedRow] = []
    seen: dict[Any, int] = {}
    single = {f: cols[0] for f, cols in columns.items() if len(cols) == 1}  # the fast path
    several = {f: cols for f, cols in columns.items() if len(cols) > 1}
    for number, row in rows[header + 1:]:
        cells = {f: row[c] if c < len(row) else None for f, c in single.items()}
        for f, cols in several.items():
            cells[f] = _first(row, cols)
        if all(_empty(cells.get(f)) for f in KEY_FIELDS):
            continue  # only a 序号, a note or an address: not a person
        parsed = _parse_row(number, cells, today, seen)
        (rejected if isinstance(parsed, RejectedRow) else records).append(parsed)
    if not records and not rejected:
        raise ImportFileError(f"“{path.name}”只有表头，没有居民数据")
    return records, rejected


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
        self.matched: dict[str, int] = {}  # resident id -> the first row that landed on it


def _candidates(ctx: _Context, records: list[_Record], existing: dict[str, Resident],
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


def _match(ctx: _Context, rec: _Record, pool: dict[tuple, list[Resident]],
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


def _ambiguous(rec: _Record, found: list[Resident]) -> str:
    if rec.id_number is not None:
        return AMBIGUOUS.format(n=len(found)) + (
            "，请在软件中手工补录身份证号" if rec.household_no else
            "，请填写户号或在软件中手工补录身份证号")
    text = AMBIGUOUS if all(r.id_number is None for r in found) else AMBIGUOUS_ANY
    return text.format(n=len(found)) + (
        "，请在表中填写该行的身份证号" if rec.household_no else "，请在表中填写该行的身份证号或户号")


def _import_chunk(ctx: _Context, records: list[_Record]) -> None:
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
                result.rejected.append(RejectedRow(rec.row, [_ambiguous(rec, found)], rec.name))
                continue
            resident = found[0] if found else None
            fill_id = resident is not None and rec.id_number is not None
        if resident is not None:  # two rows of the file must not land on one resident
            first = ctx.matched.setdefault(resident.id, rec.row)
            if first != rec.row:
                result.rejected.append(RejectedRow(
                    rec.row, [f"与第{first}行是同一位居民（姓名、性别、出生日期相同），疑似重复"],
                    rec.name))
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
            result.created += 1
        else:
            resident_id = resident.id
            if fill_id:
                values.update(id_number=rec.id_number, needs_id_match=False)
                result.id_filled += 1
            changed = _changes(resident, values)
            if changed:
                updates.append((resident, changed))
                result.updated += 1
            else:
                result.unchanged += 1
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
    transaction, so a failure (or a power cut) part-way leaves the database as it was."""
    today = today or date.today()
    records, rejected = read_roster(path, today)
    result = ImportResult(rejected=rejected)
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
    result.rejected.sort(key=lambda r: r.row)
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


def write_error_report(result: ImportResult, path: str | Path, *,
                       roster: str | Path | None = None) -> Path:
    """The rejected rows as an .xlsx (行号, 姓名, 问题) for the clinic to correct; just the
    header when none was rejected, so an older report never passes for this import's."""
    from openpyxl import Workbook

    if roster is not None:
        check_report_path(roster, path)
    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("未导入的行")
    ws.append(["行号", "姓名", "问题"])
    for r in result.rejected:
        ws.append([r.row, r.name or "", "；".join(r.reasons)])
    wb.save(path)
    return path
