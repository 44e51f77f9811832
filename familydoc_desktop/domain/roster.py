"""What a roster sheet (花名册) means, row by row: which row is the header, which columns are
which field, which rows are residents, and what each resident row says or why it cannot be
imported. Pure: the file is read by store/roster_file.py, written by store/importer.py.

Every row after the header ends up as one of:
- a resident record (the importer creates, updates or leaves it unchanged);
- rejected: a resident row (a name and an ID number or a birth date; or an ID number without a
  name) with every reason it cannot be imported, in Chinese;
- skipped: not a resident (a totals row 合计, a signature or date line 制表人/制表日期, a note,
  the header repeated, a name with neither ID number nor birth date), listed with why.
Blank rows and rows holding only a 序号 are nothing at all.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import DateError, DomainError, IdNumberError
from familydoc_desktop.domain.idcard import normalize_id, parse_id
from familydoc_desktop.domain.person import (
    NAME_MAX, check_birth, clean_name, identity_mismatches, parse_sex,
)
from familydoc_desktop.domain.phone import PhoneError, normalize_phone
from familydoc_desktop.domain.wire_values import text_problem

HEADER_SCAN_ROWS = 10
HEAD = "户主"

# Column header (normalised) -> field, in the ways rosters name their columns.
HEADERS: dict[str, str] = {}
for _field, _names in {
    "name": ("姓名", "居民姓名", "名字", "成员姓名", "人员姓名"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月日", "生日", "出生时间"),
    "birth_month": ("出生年月", "出生年月份"),  # often only year and month: the ID has the day
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码",
                  "身份证", "证件号", "居民身份证号码", "身份证件号码"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码",
              "本人电话", "联系电话号码"),
    "address": ("现住址", "住址", "家庭住址", "地址", "居住地址", "家庭地址", "现居住地址",
                "现居住地"),
    "household_no": ("户号", "家庭编号", "户编号", "家庭户号", "户籍编号", "家庭档案编号"),
    "relation": ("与户主关系", "关系", "家庭关系", "与户主的关系"),
}.items():
    HEADERS.update(dict.fromkeys(_names, _field))
FIELD_NAMES = {"name": "姓名", "address": "现住址", "household_no": "户号",
               "relation": "与户主关系"}
# Text fields -> column length: longer values would not fit the server's VARCHAR columns, so
# they are refused here rather than at sync (resident.address, household.household_no,
# resident.relation_to_head).
LIMITS = {"name": NAME_MAX, "address": 200, "household_no": 30, "relation": 20}

ID_AS_NUMBER = "身份证号被Excel存为数字，末位可能已丢失，请将该列设为文本"
ID_MASKED = "身份证号已脱敏（含*号），无法导入，请使用未脱敏的名单"
NO_HEADER = "前10行中没有“姓名”“身份证号”“性别”等列名"

SKIP_TITLE = "表头上方的标题或说明行"
SKIP_HEADER = "表头行（重复的表头或表头的第二行）"
SKIP_NOTE = "合计、签名、制表日期或说明行，不是居民"
SKIP_INCOMPLETE = ("只有姓名，没有身份证号和出生日期，未作为居民导入；"
                   "如是居民，请补填身份证号或出生日期后再导入")
SKIP_NO_NAME = "没有姓名和身份证号，未作为居民导入；如是居民，请补填姓名后再导入"
_ID_LIKE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
# What the first words of a totals, signature or note line look like.
_NOTE = re.compile(r"^(合计|总计|小计|共计|累计|总人数|人数|制表|填表|填报|报送|审核|审批|负责人|"
                   r"签字|签名|盖章|统计|说明|备注|注[:：]|注意|单位[:：]|日期[:：]|以下|以上)")


class ImportFileError(DomainError):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__("import_file", message)



@dataclass
class Record:
    sheet: str
    row: int
    name: str
    sex: str
    birth_date: date
    id_number: str | None
    phone: str | None
    address: str | None
    household_no: str | None
    relation: str | None
    values: tuple = field(default=(), repr=False)  # the row's original cells


@dataclass
class Rejected:
    sheet: str
    row: int
    reasons: list[str]
    name: str | None = None
    values: tuple = ()  # the row's original cells, for the error report
    kind: ClassVar[str] = "rejected"

    @property
    def why(self) -> str:
        return "；".join(self.reasons)


@dataclass
class Skipped:
    sheet: str
    row: int
    reason: str
    values: tuple = ()
    fixable: bool = False  # a person with data missing (goes back to the doctor), not a note
    kind: ClassVar[str] = "skipped"
    name: ClassVar[None] = None

    @property
    def why(self) -> str:
        return self.reason

    @property
    def text(self) -> str:
        """What the row holds, for showing beside the reason (合计：20人)."""
        return "  ".join(str(v).strip() for v in self.values if not empty(v))


@dataclass
class Layout:
    """A sheet's header row (its index among the sheet's rows) and each field's columns."""
    index: int
    columns: dict[str, list[int]]
    header: tuple = ()


@dataclass
class Seen:
    """What the rows read so far hold, to catch the same person twice in one file."""
    ids: dict[str, tuple[str, int]] = field(default_factory=dict)
    people: dict[tuple, tuple[str, int]] = field(default_factory=dict)


def header_key(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)  # 性别(男/女), 出生日期[yyyy-mm-dd]
    text = "".join(text.split()).strip("*:：")
    return HEADERS.get(text)


def _known(row: tuple) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for col, value in enumerate(row):
        key = header_key(value)
        if key:
            found.setdefault(key, []).append(col)
    return found


def find_header(rows: list[tuple]) -> Layout | None:
    """The row among the first HEADER_SCAN_ROWS with the most known headers (a name column
    and at least one more), or None: not a roster sheet."""
    best, best_map = -1, {}
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _known(row)
        if len(found) > len(best_map):
            best, best_map = i, found
    if best < 0 or "name" not in best_map or len(best_map) < 2:
        return None
    return Layout(best, best_map, tuple(rows[best]))


def empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def blank(row: tuple) -> bool:
    return all(map(empty, row))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def cells_of(row: tuple, layout: Layout) -> dict[str, Any]:
    """Field -> the first non-empty value of its columns."""
    cells: dict[str, Any] = {}
    for key, columns in layout.columns.items():
        for col in columns:
            value = row[col] if col < len(row) else None
            if not empty(value):
                cells[key] = value
                break
    return cells


# ---- which rows are residents ---------------------------------------------------------------

def _first_text(row: tuple) -> str | None:
    for value in row:
        text = _text(value)
        if text is not None and not text.isdigit():  # a 序号 is not what the row says
            return text
    return None


def skip_reason(row: tuple, cells: dict[str, Any]) -> tuple[str, bool] | None:
    """(why, fixable) when the row is not a resident row, ("", False) when it holds nothing
    worth listing; None when it is a resident row."""
    raw_id = cells.get("id_number")
    if isinstance(raw_id, str) and _ID_LIKE.match(normalize_id(raw_id)):
        return None  # whatever else the row holds, it is a person (checked in parse_row)
    if len(_known(row)) >= 2:
        return SKIP_HEADER, False
    name = _text(cells.get("name"))
    for text in (name, _first_text(row)):
        if text and (_NOTE.match("".join(text.split())) or (text is name and
                                                             re.search(r"[:：]", text))):
            return SKIP_NOTE, False
    has_id = not empty(raw_id)
    has_birth = not empty(cells.get("birth_date")) or not empty(cells.get("birth_month"))
    if name and (has_id or has_birth):
        return None
    if not name and has_id:
        return None  # an ID number is a person: rejected for the missing name
    if name:
        return SKIP_INCOMPLETE, True
    if has_birth or any(not empty(cells.get(f)) for f in ("sex", "phone")):
        return SKIP_NO_NAME, True
    if _first_text(row) is None:
        return "", False  # only a 序号 (or a merged household number): nothing at all
    return SKIP_NOTE, False


# ---- what a resident row says ---------------------------------------------------------------

_YM_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


def _year_month(raw: Any) -> tuple[int, frozenset[int]] | None:
    """A birth year and month without a day (出生年月: 1949.10, 1949-10, 1949年10月, 194910),
    with the months it may mean (Excel keeps 1949.10 typed into a number cell as 1949.1)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        if 180001 <= raw <= 220012 and 1 <= raw % 100 <= 12:
            return raw // 100, frozenset([raw % 100])
        return None
    if isinstance(raw, float):
        if not (1800 <= raw < 2200) or raw.is_integer():
            return None
        year, _, frac = repr(raw).partition(".")
        if len(frac) == 1:
            months = {int(frac), int(frac) * 10}
        elif len(frac) == 2:
            months = {int(frac)}
        else:
            return None
        months = {m for m in months if 1 <= m <= 12}
        return (int(year), frozenset(months)) if months else None
    if isinstance(raw, str):
        text = "".join(unicodedata.normalize("NFKC", raw).split())
        m = _YM_TEXT.match(text) or _YM_COMPACT.match(text)
        if m and 1 <= int(m.group(2)) <= 12:
            return int(m.group(1)), frozenset([int(m.group(2))])
    return None


def _month_text(year: int, months: frozenset[int]) -> str:
    return f"{year}年" + "或".join(f"{m}月" for m in sorted(months))


def _birth(raw: Any, month_column: bool, today: date,
           reasons: list[str]) -> tuple[date | None, tuple[int, frozenset[int]] | None]:
    """(the birth date, or (year, months) when the cell holds no day). A date in a 出生年月
    column is also read to the month only: its day may be a display artefact."""
    if empty(raw):
        return None, None
    if isinstance(raw, int) and not isinstance(raw, bool) and 18000101 <= raw <= 99991231:
        raw = str(raw)  # 19491231 typed into a number cell, not a serial
    ym = _year_month(raw)
    if ym is not None:
        return None, ym
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1800 <= raw < 2200:
        reasons.append(f"出生日期“{_text(raw)}”只有年份，请填写完整的出生日期（如1949-10-01）")
        return None, None
    try:
        born = check_birth(parse_date(raw), today)
    except (DateError, DomainError) as exc:
        message = exc.message
        reasons.append(message if message.startswith("出生日期") else f"出生日期：{message}")
        return None, None
    if month_column:
        return born, (born.year, frozenset([born.month]))
    return born, None


def parse_row(sheet: str, number: int, row: tuple, cells: dict[str, Any], today: date,
              seen: Seen) -> Record | Rejected:
    """One resident row -> a record, or all its reasons."""
    reasons: list[str] = []
    name = None
    try:
        name = clean_name(cells.get("name"))
    except DomainError as exc:
        reasons.append("姓名为空" if exc.message == "姓名不能为空" else exc.message)
    sex = None
    raw_sex = _text(cells.get("sex"))
    try:
        sex = parse_sex(raw_sex)
    except DomainError as exc:
        reasons.append(exc.message)
    month_column = empty(cells.get("birth_date"))
    raw_birth = cells.get("birth_month") if month_column else cells.get("birth_date")
    birth, month = _birth(raw_birth, month_column and not empty(raw_birth), today, reasons)
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
            if month is not None:
                year, months = month
                if info.birth_date.year != year or info.birth_date.month not in months:
                    reasons.append(f"出生年月（{_month_text(year, months)}）与身份证号"
                                   f"（{info.birth_date.isoformat()}）不符")
                reasons += identity_mismatches(info, sex, None)
            else:
                reasons += identity_mismatches(info, sex, birth)
            sex, birth = sex or info.sex, info.birth_date
            if id_number in seen.ids:
                reasons.append(f"与{where(seen.ids[id_number], sheet)}身份证号重复")
            else:
                seen.ids[id_number] = (sheet, number)
    if _text(raw_id) is None:  # no ID: the typed birth date and sex must stand alone
        if month is not None and birth is None:
            reasons.append(f"出生年月“{_text(raw_birth)}”没有日，无身份证号时无法确定出生日期，"
                           "请填写完整的出生日期（如1949-10-01）或身份证号")
        elif empty(raw_birth):
            reasons.append("无身份证号时出生日期不能为空")
        if not raw_sex:
            reasons.append("无身份证号时性别不能为空")
    values = {key: _text(cells.get(key)) for key in ("address", "household_no", "relation")}
    phone = _text(cells.get("phone"))
    if phone and "*" in phone:
        phone = None  # a masked export: never overwrite the stored number with 138****1111
    elif phone:
        try:
            phone = normalize_phone(phone)
        except PhoneError as exc:
            reasons.append(exc.message)
    for key, value in values.items():
        if value is None:
            continue
        problem = text_problem(value)
        if problem:
            reasons.append(f"{FIELD_NAMES[key]}{problem}")
        elif len(value) > LIMITS[key]:
            reasons.append(f"{FIELD_NAMES[key]}过长（{len(value)}个字，最多{LIMITS[key]}个字）")
    if not reasons and id_number is None:  # the same person twice, without an ID number
        key = (name, sex, birth, values["household_no"])
        if key in seen.people:
            reasons.append(f"与{where(seen.people[key], sheet)}姓名、性别、出生日期、户号相同"
                           "（均无身份证号），疑似重复")
        else:
            seen.people[key] = (sheet, number)
    if reasons:
        return Rejected(sheet, number, reasons, name or _text(cells.get("name")), row)
    return Record(sheet, number, name, str(sex), birth, id_number, phone, values["address"],
                  values["household_no"], values["relation"], row)


def where(place: tuple[str, int], sheet: str) -> str:
    other, row = place
    return f"第{row}行" if other == sheet else f"工作表“{other}”第{row}行"
