"""Reading a roster file (花名册) into its sheets: .xlsx workbooks, and CSV exported by other
systems (UTF-8 or GBK).

A streaming .xlsx reader over the zip's XML (openpyxl's cell objects cost ~20 µs a cell, most
of a 10,000-row import). Every worksheet is read, in tab order, with its name and whether it is
hidden; merged cells are filled in (the household number merged over a household's rows belongs
to every row it spans). What a sheet *means* (header, resident rows) is domain/roster.py's
business; this module only turns bytes into cell values, or refuses the file with a reason the
doctor can act on.
"""
from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import DateError
from familydoc_desktop.domain.roster import ImportFileError, blank

Row = tuple[int, tuple]  # (Excel row number, cell values)


@dataclass
class Sheet:
    name: str
    rows: list[Row]  # non-blank rows only, merged cells filled in
    hidden: bool = False


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_C, _ROW, _V, _IS, _T, _R, _MERGE = (
    _NS + t for t in ("c", "row", "v", "is", "t", "r", "mergeCell"))
# Built-in number formats that show a date: 14-22 and 45-47 everywhere, 27-36 and 50-58 in
# the Chinese (zh-CN) locale, e.g. 31 = yyyy"年"m"月"d"日".
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE file: encrypted .xlsx or old .xls
_EPOCH_1904 = timedelta(days=1462)
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
MAX_MERGED_ROWS = 10_000  # a merge over a whole column is formatting, not a value per row


def _zip_xml(zf: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
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
    root = _zip_xml(zf, rels_name)
    if root is None:
        return {}
    return {r.get("Id"): (r.get("Type", ""), _join(part, r.get("Target", "")))
            for r in root.iter(_PKG_REL)}


def _worksheets(zf: zipfile.ZipFile) -> tuple[str, list[tuple[str, str, bool]], bool]:
    """(workbook part, [(sheet name, part, hidden)] in tab order, 1904 date system)."""
    book = next((target for kind, target in _rels(zf, "").values()
                 if kind.endswith("/officeDocument")), "xl/workbook.xml")
    root = _zip_xml(zf, book)
    if root is None:
        raise KeyError(book)
    pr = root.find(_NS + "workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    rels = _rels(zf, book)
    sheets = [(s.get("name") or f"Sheet{i}", rels[s.get(_DOC_REL)][1],
               s.get("state", "visible") != "visible")
              for i, s in enumerate(root.iter(_NS + "sheet"), start=1)
              if rels.get(s.get(_DOC_REL), ("", ""))[0].endswith("/worksheet")]
    if not sheets:
        raise KeyError("worksheet")
    return book, sheets, date1904


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
    root = _zip_xml(zf, part) if part else None
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
        if ch != "$":
            n = n * 26 + ord(ch) - 64
    return n - 1


def _cell(ref: str) -> tuple[int, int] | None:
    """'B12' -> (12, 1): (row number, 0-based column)."""
    m = _REF.match(ref.upper())
    return (int(m.group(2)), _column(m.group(1))) if m else None


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _serial_date(value: int | float, date1904: bool) -> Any:
    """A date-formatted number -> date; out-of-range serials stay numbers (reported later)."""
    try:
        day = parse_date(value)
    except DateError:
        return value
    return day + _EPOCH_1904 if date1904 else day


def _sheet_rows(zf: zipfile.ZipFile, part: str, strings: list[str], dates: frozenset[int],
                date1904: bool) -> tuple[list[list], list[str]]:
    """([row number, {col: value}] of every row with a value, merge refs) of one worksheet.
    <mergeCells> comes after <sheetData>, so rows are kept until the end of the part."""
    rows: list[list] = []
    merges: list[str] = []
    cells: dict[int, Any] = {}
    next_col = last = 0
    with zf.open(part) as fh:
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
                    rows.append([number, cells])
                    cells = {}
                el.clear()
            elif tag == _MERGE:
                if el.get("ref"):
                    merges.append(el.get("ref"))
    return rows, merges


def _fill_merges(rows: list[list], merges: list[str]) -> None:
    """The value of a merged cell (its top-left cell) goes to every row the merge spans, in the
    merge's first column: a household number or address merged down a household's rows
    belongs to each member. A merge across columns (a title, a totals line) keeps its value
    in its first column only, so it never looks like several fields."""
    if not merges:
        return
    by_number = {number: cells for number, cells in rows}
    added = False
    for ref in merges:
        first, _, last = ref.partition(":")
        a, b = _cell(first), _cell(last or first)
        if a is None or b is None:
            continue
        (r1, c1), (r2, _c2) = a, b
        if r2 <= r1 or r2 - r1 > MAX_MERGED_ROWS:
            continue
        top = by_number.get(r1, {}).get(c1)
        if top is None:
            continue
        for number in range(r1 + 1, r2 + 1):
            cells = by_number.get(number)
            if cells is None:
                cells = by_number[number] = {}
                rows.append([number, cells])
                added = True
            cells.setdefault(c1, top)
    if added:
        rows.sort(key=lambda r: r[0])


def _as_tuple(cells: dict[int, Any]) -> tuple:
    row = [None] * (max(cells) + 1)
    for col, value in cells.items():
        row[col] = value
    return tuple(row)


def _xlsx_sheets(path: Path) -> list[Sheet]:
    with zipfile.ZipFile(path) as zf:
        book, parts, date1904 = _worksheets(zf)
        strings = _shared_strings(zf, book)
        dates = _date_styles(zf, book)
        sheets = []
        for name, part, hidden in parts:
            raw, merges = _sheet_rows(zf, part, strings, dates, date1904)
            _fill_merges(raw, merges)
            rows = [(n, row) for n, row in ((n, _as_tuple(c)) for n, c in raw if c)
                    if not blank(row)]
            sheets.append(Sheet(name, rows, hidden))
    return sheets


def _csv_sheet(path: Path) -> Sheet:
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
    return Sheet(path.stem, [(i, row) for i, row in rows if not blank(row)])


def read_sheets(path: str | Path) -> list[Sheet]:
    """Every sheet of the file (a CSV file is one sheet named after the file); raises
    ImportFileError for a file that cannot be read at all."""
    path = Path(path)
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
        return [_csv_sheet(path)]
    if not head.startswith(b"PK"):
        raise ImportFileError(f"无法读取“{path.name}”：不是有效的Excel（.xlsx）文件")
    try:
        return _xlsx_sheets(path)
    except RuntimeError as exc:  # zipfile: "File ... is encrypted"
        raise ImportFileError(f"无法读取“{path.name}”：文件已加密，请取消密码后再导入") from exc
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, EOFError, OSError,
            zlib.error, ElementTree.ParseError) as exc:
        raise ImportFileError(f"无法读取“{path.name}”：不是有效的Excel（.xlsx）文件，"
                              "或文件已损坏。请在Excel中打开并另存为 .xlsx 后再导入") from exc
