"""Roster import of every shape a village keeps its roster in (issue 16): one sheet per
village group, household numbers in merged cells, title, totals and signature rows, header
synonyms in any order, Excel serial and dotted dates, 出生年月 without a day; and the error
report the doctor corrects and imports again. Workbooks are built in the test with openpyxl,
the way Excel saves them (merged cells keep their value in the top-left cell only)."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from familydoc_desktop.domain.models import Household, Resident
from familydoc_desktop.store import importer
from familydoc_desktop.store.importer import ImportFileError, import_roster, write_error_report
from tests.fixtures.rosters import make_id

TODAY = date(2026, 11, 30)
HEADER = ["序号", "姓名", "性别", "出生日期", "身份证号", "户编号", "与户主关系", "现住址", "备注"]


def ids(n: int, year: int = 1950, start: int = 0) -> list[str]:
    """n valid IDs, alternately male and female, born on distinct days of `year`."""
    return [make_id(f"{year}{1 + (start + i) // 28 % 12:02d}{1 + (start + i) % 28:02d}",
                    11 + i % 2) for i in range(n)]


def group_sheet(ws, group: str, people: list[list], households: list[tuple[int, int, str]],
                *, signature: bool = True) -> None:
    """A group's sheet as clinics lay it out: a title merged across the table, the header,
    the residents (household number and address merged down each household's rows), a totals
    row and a signature row, both merged across."""
    ws.append([f"演示镇王家村{group}居民花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    first = 3
    for i, person in enumerate(people, start=1):
        ws.append([i, *person])
    for start, end, number in households:  # rows are 0-based indexes into people
        r1, r2 = first + start, first + end
        ws.cell(r1, 6, number)
        ws.cell(r1, 8, f"王家村{group}{number}号")
        for r in range(r1 + 1, r2 + 1):  # Excel keeps a merged value in the top cell only
            ws.cell(r, 6).value = None
            ws.cell(r, 8).value = None
        if r2 > r1:
            ws.merge_cells(start_row=r1, start_column=6, end_row=r2, end_column=6)
            ws.merge_cells(start_row=r1, start_column=8, end_row=r2, end_column=8)
    last = first + len(people)
    ws.cell(last, 1, f"合计：{len(people)}人")
    ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=5)
    if signature:
        ws.cell(last + 1, 1, "制表人：王医生")
        ws.cell(last + 1, 4, "制表日期：2026年11月30日")
        ws.cell(last + 2, 1, "注：本表由村卫生室填报，每年更新一次")


def person(name: str, sex: str, number: str, relation: str) -> list:
    return [name, sex, None, number, None, relation, None, None]


def village(path, groups: int = 3, per_household: int = 3, households: int = 2):
    """A workbook with one sheet per group, plus WPS's empty sheet and an instructions sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    expected: dict[str, tuple[str, str]] = {}  # id -> (group, household number)
    every = ids(groups * households * per_household)
    n = 0
    for g in range(1, groups + 1):
        ws = wb.create_sheet(f"{g}组")
        people, spans = [], []
        for h in range(households):
            number = f"{g:02d}{h + 1:03d}"
            start = len(people)
            for m in range(per_household):
                people.append(person(f"王{g}{h}{m}", "男" if n % 2 == 0 else "女", every[n],
                                     "户主" if m == 0 else "子女"))
                expected[every[n]] = (f"{g}组", number)
                n += 1
            spans.append((start, len(people) - 1, number))
        group_sheet(ws, f"{g}组", people, spans)
    wb.create_sheet("Sheet4")  # empty
    wb.create_sheet("填表说明").append(["请按下列要求填写：身份证号设为文本格式"])
    wb.save(path)
    return path, expected


def residents(db) -> dict[str, Resident]:
    with db.session() as s:
        return {r.id_number or r.name: r for r in s.exec(select(Resident))}


def households(db) -> dict[str, Household]:
    with db.session() as s:
        return {h.id: h for h in s.exec(select(Household))}


def test_every_group_sheet_imported_with_counts_per_sheet(db, tmp_path):
    path, expected = village(tmp_path / "村花名册.xlsx")
    result = import_roster(db, path, today=TODAY)
    assert result.created == len(expected) == 18
    assert result.rejected == []
    got = residents(db)
    assert sorted(got) == sorted(expected)
    assert [c.to_json() for c in result.sheets] == [
        {"name": f"{g}组", "created": 6, "updated": 0, "unchanged": 0, "rejected": 0,
         "skipped": 4} for g in (1, 2, 3)]  # title, 合计, 制表人, 注
    assert [(s.name, s.reason) for s in result.skipped_sheets] == [
        ("Sheet4", importer.SKIP_EMPTY), ("填表说明", importer.SKIP_NO_HEADER)]


def test_merged_household_number_and_address_reach_every_member(db, tmp_path):
    path, expected = village(tmp_path / "r.xlsx")
    import_roster(db, path, today=TODAY)
    got, homes = residents(db), households(db)
    assert len(homes) == 6
    for number, (group, household_no) in expected.items():
        r = got[number]
        assert r.household_id is not None, (r.name, "was imported without a household")
        home = homes[r.household_id]
        assert home.household_no == household_no
        assert r.address == f"王家村{group}{household_no}号"
    for home in homes.values():  # the head (户主) of each household is set
        head = next(r for r in got.values() if r.id == home.head_id)
        assert head.relation_to_head == "户主" and head.household_id == home.id


def test_title_totals_signature_and_note_rows_are_skipped_not_rejected(db, tmp_path):
    path, _ = village(tmp_path / "r.xlsx", groups=1)
    result = import_roster(db, path, today=TODAY)
    assert result.rejected == []
    assert [(s.row, s.reason) for s in result.skipped] == [
        (1, importer.roster.SKIP_TITLE), (9, importer.roster.SKIP_NOTE),
        (10, importer.roster.SKIP_NOTE), (11, importer.roster.SKIP_NOTE)]
    assert all(not s.fixable for s in result.skipped)
    data = result.to_json()
    assert data["skipped"][1] == {"sheet": "1组", "row": 9, "reason": importer.roster.SKIP_NOTE}


def test_a_name_without_id_or_birth_date_is_skipped_and_listed(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(HEADER)
    ws.append([1, "张三", "男", None, None])  # no ID, no birth date: not a resident row
    ws.append([2, None, "女", "1950-01-01"])  # no name
    ws.append([3, "以下为外出务工人员"])  # a section note in the name column
    ws.append([4, "李四", "女", None, ids(2)[1]])
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert result.created == 1 and result.rejected == []
    assert [(s.row, s.reason, s.fixable) for s in result.skipped] == [
        (2, importer.roster.SKIP_INCOMPLETE, True), (3, importer.roster.SKIP_NO_NAME, True),
        (4, importer.roster.SKIP_NOTE, False)]


SYNONYM_HEADERS = [
    (["备注", "公民身份号码", "居民姓名", "联系方式", "户号", "家庭住址", "性别", "序号"],
     "公民身份号码"),
    (["证件号码", "手机号码", "姓名", "家庭编号", "现住址", "出生年月", "关系"], "证件号码"),
    (["姓名", "身份证号码", "户编号", "电话", "住址", "出生日期"], "身份证号码"),
]


@pytest.mark.parametrize("header, id_column", SYNONYM_HEADERS)
def test_header_synonyms_in_any_order_extra_columns_ignored(db, tmp_path, header, id_column):
    number = ids(1)[0]
    values = {"公民身份号码": number, "证件号码": number, "身份证号码": number,
              "居民姓名": "赵大", "姓名": "赵大", "联系方式": "13800000001",
              "手机号码": "13800000001", "电话": "13800000001", "户号": "H7", "家庭编号": "H7",
              "户编号": "H7", "家庭住址": "一组7号", "现住址": "一组7号", "住址": "一组7号",
              "性别": "男", "序号": 1, "备注": "高血压", "出生年月": "1950.01",
              "出生日期": "1950.01.01", "关系": "户主"}
    wb = Workbook()
    wb.active.append(header)
    wb.active.append([values[h] for h in header])
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert (result.created, result.rejected) == (1, []), result.to_json()
    r = residents(db)[number]
    assert (r.name, r.phone, r.address, r.birth_date) == (
        "赵大", "13800000001", "一组7号", date(1950, 1, 1))
    assert households(db)[r.household_id].household_no == "H7"
    assert r.note is None  # 备注 is not imported into any field


def _dates_book(path, rows: list[list], header=("姓名", "性别", "出生日期", "身份证号")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_serial_dotted_and_month_only_birth_dates(db, tmp_path):
    oct15 = make_id("19491015", 11)  # male, born 1949-10-15
    jan03 = make_id("19500103", 12)
    path = _dates_book(tmp_path / "r.xlsx", [
        ["甲", "男", 18207, None],  # an Excel serial in a General cell: 1949-11-05
        ["乙", "女", "1950.2.28", None],  # dotted
        ["丙", "男", "1951.03.04", None],
        ["丁", "女", 19520506, None],  # yyyymmdd typed as a number
    ])
    result = import_roster(db, path, today=TODAY)
    assert (result.created, result.rejected) == (4, [])
    got = residents(db)
    assert [got[n].birth_date for n in "甲乙丙丁"] == [
        date(1949, 11, 5), date(1950, 2, 28), date(1951, 3, 4), date(1952, 5, 6)]
    month = _dates_book(tmp_path / "m.xlsx", [
        ["戊", "男", "1949.10", oct15],  # 出生年月 without a day: the ID gives it
        ["己", "女", 1950.01, jan03],  # typed into a number cell: Excel keeps 1950.01
        ["庚", "男", "1949年11月", make_id("19491120", 13)],
        ["辛", "男", "1949年10月", None],  # no ID: no day to take
        ["壬", "女", "1950.02", make_id("19500301", 14)],  # month disagrees with the ID
    ], header=("姓名", "性别", "出生年月", "身份证号"))
    result = import_roster(db, month, today=TODAY)
    assert result.created == 3
    got = residents(db)
    assert got[oct15].birth_date == date(1949, 10, 15)
    assert got[jan03].birth_date == date(1950, 1, 3)
    assert [(r.row, r.reasons) for r in result.rejected] == [
        (5, ["出生年月“1949年10月”没有日，无身份证号时无法确定出生日期，"
             "请填写完整的出生日期（如1949-10-01）或身份证号"]),
        (6, ["出生年月（1950年2月）与身份证号（1950-03-01）不符"])]


def test_a_date_formatted_month_column_is_compared_to_the_month(db, tmp_path):
    """出生年月 cells formatted yyyy-mm hold a day (often the 1st) nobody sees."""
    number = make_id("19491015", 11)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "出生年月", "身份证号"])
    ws.append(["甲", date(1949, 10, 1), number])
    ws["B2"].number_format = "yyyy-mm"
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert (result.created, result.rejected) == (1, [])
    assert residents(db)[number].birth_date == date(1949, 10, 15)


def test_same_id_on_two_sheets_names_the_other_sheet(db, tmp_path):
    number = ids(1)[0]
    wb = Workbook()
    wb.active.title = "一组"
    wb.active.append(HEADER)
    wb.active.append([1, "甲", "男", None, number])
    two = wb.create_sheet("二组")
    two.append(HEADER)
    two.append([1, "甲", "男", None, number])
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert result.created == 1
    assert [(r.sheet, r.row, r.reasons) for r in result.rejected] == [
        ("二组", 2, ["与工作表“一组”第2行身份证号重复"])]
    assert [(c.name, c.created, c.rejected) for c in result.sheets] == [("一组", 1, 0),
                                                                      ("二组", 0, 1)]


def test_hidden_sheet_with_a_roster_is_named(db, tmp_path):
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append([1, "甲", "男", None, ids(1)[0]])
    old = wb.create_sheet("旧名单")
    old.append(HEADER)
    old.append([1, "乙", "女", None, ids(2)[1]])
    old.sheet_state = "hidden"
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert result.created == 1
    assert [(s.name, s.reason) for s in result.skipped_sheets] == [("旧名单", importer.SKIP_HIDDEN)]


def test_all_sheets_are_one_transaction(db, tmp_path, monkeypatch):
    path, _ = village(tmp_path / "r.xlsx")
    real, calls = importer._import_chunk, []

    def failing(ctx, records):  # noqa: ANN001, ANN202
        calls.append(len(records))
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(ctx, records)

    monkeypatch.setattr(importer, "CHUNK", 6)  # one chunk per sheet
    monkeypatch.setattr(importer, "_import_chunk", failing)
    with pytest.raises(RuntimeError):
        import_roster(db, path, today=TODAY)
    assert residents(db) == {} and households(db) == {}


def _fix(path, fixes: dict[str, dict[str, object]]) -> None:
    """Correct cells of the error report by the roster's own column names, keyed by name."""
    book = load_workbook(path)
    for ws in book.worksheets[1:]:
        header = [c.value for c in ws[1]]
        if "姓名" not in header:
            continue
        name_col = header.index("姓名")
        for row in ws.iter_rows(min_row=2):
            fix = fixes.get(row[name_col].value)
            for column, value in (fix or {}).items():
                row[header.index(column)].value = value
    book.save(path)


def test_error_report_fixed_and_imported_again_creates_exactly_the_missing(db, tmp_path):
    good = ids(4)
    bad_check = good[0][:-1] + ("0" if good[0][-1] != "0" else "1")
    wb = Workbook()
    one = wb.active
    one.title = "一组"
    one.append(["村民花名册"])
    one.append(HEADER)
    one.append([1, "甲", "男", None, bad_check, "H1", "户主", "一组1号"])
    one.append([2, "乙", None, "1950-13-01", None, None, None, None, "备注照抄"])
    one.append([3, "丙", "女", None, good[1], "H1", "配偶", None])
    one.append(["合计：3人"])
    two = wb.create_sheet("二组")
    two.append(HEADER)
    two.append([1, "丁", "女", "1950年10月", None, "H2", "户主", "二组2号"])
    two.append([2, "戊", "女", None, None])  # only a name: skipped, back to the doctor
    two.append([3, "己", "男", None, good[2], "H2", "子女"])
    two.merge_cells("F2:F4")
    wb.save(tmp_path / "roster.xlsx")
    first = import_roster(db, tmp_path / "roster.xlsx", today=TODAY)
    assert first.created == 2
    assert [(r.sheet, r.row) for r in first.rejected] == [("一组", 3), ("一组", 4), ("二组", 2)]
    report = write_error_report(first, tmp_path / "errors.xlsx",
                                roster=tmp_path / "roster.xlsx")
    book = load_workbook(report)
    assert book.sheetnames == ["导入汇总", "一组", "二组", "跳过的行"]
    rows = list(book["二组"].iter_rows(values_only=True))
    assert rows[0] == ("问题", "原行号", *HEADER)
    assert [r[1:4] for r in rows[1:]] == [(2, 1, "丁"), (3, 2, "戊")]
    assert rows[1][7] == "H2"  # the merged household number, on every row it spans
    skipped = list(book["跳过的行"].iter_rows(values_only=True))
    assert [r[:3] for r in skipped[1:]] == [("一组", 1, importer.roster.SKIP_TITLE),
                                            ("一组", 6, importer.roster.SKIP_NOTE)]

    _fix(report, {"甲": {"身份证号": good[0]}, "乙": {"出生日期": "1950-12-01", "性别": "女"},
                  "丁": {"出生日期": "1950-10-08"}, "戊": {"身份证号": good[3]}})
    again = import_roster(db, report, today=TODAY)
    assert (again.created, again.updated, again.rejected) == (4, 0, []), again.rejected
    got = residents(db)
    assert len(got) == 6
    assert got["乙"].birth_date == date(1950, 12, 1)
    assert got["丁"].birth_date == date(1950, 10, 8)
    homes = households(db)
    assert homes[got[good[0]].household_id].household_no == "H1"
    assert got[good[0]].household_id == got[good[1]].household_id  # joined 丙's household
    assert homes[got["丁"].household_id].household_no == "H2"
    assert got["丁"].household_id == got[good[2]].household_id
    # and the roster itself, imported once more, creates nobody
    third = import_roster(db, tmp_path / "roster.xlsx", today=TODAY)
    assert third.created == 0


def test_report_writes_cells_excel_refuses(db, tmp_path):
    """A row read from a CSV file may hold what no worksheet cell can (NUL, a lone
    surrogate): the report still writes, with U+FFFD in their place."""
    result = importer.ImportResult(sheets=[importer.SheetCount("花名册", rejected=1)],
                                   headers={"花名册": tuple(HEADER)})
    result.rejected.append(importer.Rejected("花名册", 2, ["姓名含有空字符（NUL）"], "甲\x00",
                                             (1, "甲\x00", "男", None, "123", "H\udcff")))
    out = write_error_report(result, tmp_path / "e.xlsx")
    rows = list(load_workbook(out)["花名册"].iter_rows(values_only=True))
    assert rows[1][:4] == ("姓名含有空字符（NUL）", 2, 1, "甲\ufffd")
    assert rows[1][7] == "H\ufffd"


def test_no_roster_sheet_at_all_is_refused(db, tmp_path):
    wb = Workbook()
    wb.active.append(["填表说明"])
    hidden = wb.create_sheet("名单")
    hidden.append(HEADER)
    hidden.append([1, "甲", "男", None, ids(1)[0]])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "r.xlsx")
    with pytest.raises(ImportFileError, match="隐藏的工作表（名单）"):
        import_roster(db, tmp_path / "r.xlsx", today=TODAY)


def test_header_repeated_for_printing_and_two_row_header(db, tmp_path):
    """A header printed again on every page is skipped; so is the second row of a header over
    two rows (姓名 merged down, 联系方式 split into 手机/座机 below)."""
    a, b = ids(2)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "身份证号", "联系方式", None])
    ws.append([None, None, None, "手机", "座机"])
    for col in (1, 2, 3):
        ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
    ws.merge_cells("D1:E1")
    ws.append(["甲", "男", a, "13800000001", None])
    ws.append(["姓名", "性别", "身份证号", "手机", "座机"])
    ws.append(["乙", "女", b, "13800000002", None])
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert (result.created, result.rejected) == (2, [])
    assert [(s.row, s.reason) for s in result.skipped] == [
        (2, importer.roster.SKIP_HEADER), (4, importer.roster.SKIP_HEADER)]
    assert residents(db)[b].phone == "13800000002"


def test_csv_roster_with_totals_and_signature(db, tmp_path):
    a = ids(1)[0]
    path = tmp_path / "名单.csv"
    path.write_text(f"姓名,性别,出生年月,身份证号\n甲,男,{a[6:10]}.{a[10:12]},{a}\n"
                    "合计：1人,,,\n制表人：王医生,,制表日期：2026-11-30,\n", encoding="gbk")
    result = import_roster(db, path, today=TODAY)
    assert (result.created, result.rejected) == (1, [])
    assert [c.name for c in result.sheets] == ["名单"]
    assert [s.row for s in result.skipped] == [3, 4]


def test_a_merge_over_a_whole_column_is_formatting(db, tmp_path):
    a, b = ids(2)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "户号"])
    ws.append(["甲", a, "H1"])
    ws.append(["乙", b, None])
    ws.merge_cells("C2:C20000")
    wb.save(tmp_path / "r.xlsx")
    result = import_roster(db, tmp_path / "r.xlsx", today=TODAY)
    assert result.created == 2
    assert residents(db)[b].household_id is None
