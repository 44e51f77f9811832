"""Roster import: header detection, every accepted format, every rejection reason (all
reasons of a row, with its Excel row number), matching, households, outbox, broken files."""
import json
import subprocess
import sys
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from familydoc_desktop.domain.models import Household, OutboxEntry, Resident
from familydoc_desktop.store.importer import (
    ID_AS_NUMBER, ImportFileError, import_roster, write_error_report,
)
from tests.fixtures.rosters import HEADER, make_id, write_roster

TODAY = date(2026, 6, 30)
MALE_ID = make_id("19491231", 11)  # odd sequence: male
FEMALE_ID = make_id("19600229", 20)


def run(db, tmp_path, rows, **kw):
    path = write_roster(tmp_path / "r.xlsx", rows, **kw)
    return import_roster(db, path, today=TODAY)


def rejected_rows(result):
    """The rejected rows as the CLI's JSON gives them, without the sheet (one-sheet files)."""
    return [{"row": r["row"], "reasons": r["reasons"]} for r in result.to_json()["rejected"]]


def counts(result):
    data = result.to_json()
    return {k: data[k] for k in ("created", "updated", "unchanged", "rejected", "flagged_no_id",
                                 "id_filled")}


def residents(db):
    with db.session() as s:
        return {r.id_number or r.name: r for r in s.exec(select(Resident))}


def test_title_rows_above_header_and_header_variants(db, tmp_path):
    header = ["序号", "居民姓名", "性别(男/女)", "出生年月", "公民身份号码", "手机号码",
              "家庭住址", "家庭编号", "关系"]
    result = run(db, tmp_path, [[1, "王建国", "男", "1949-12-31", MALE_ID, "13800001111",
                                 "演示镇王家村1组", "H01", "户主"]],
                 header=header, title_rows=[["演示镇王家村居民花名册"], [], ["填报日期：2026年6月"]])
    assert counts(result) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": [],
                                "flagged_no_id": 0, "id_filled": 0}
    r = residents(db)[MALE_ID]
    assert (r.name, r.sex, r.birth_date, r.phone, r.address) == (
        "王建国", "male", date(1949, 12, 31), "13800001111", "演示镇王家村1组")
    assert r.initials == "wjg"


@pytest.mark.parametrize("cell", [
    date(1949, 12, 31), datetime(1949, 12, 31, 0, 0), "1949/12/31", "1949-12-31", "19491231",
    "1949年12月31日"])
def test_every_birth_date_format(db, tmp_path, cell):
    result = run(db, tmp_path, [["李四", "男", cell, MALE_ID]])
    assert result.created == 1 and not result.rejected


@pytest.mark.parametrize("raw", [
    MALE_ID[:-1] + MALE_ID[-1].lower(), " ".join(MALE_ID[:6]) + MALE_ID[6:],
    "".join(chr(ord(c) + 0xFEE0) for c in MALE_ID)])  # full-width digits
def test_id_number_forms_are_normalised(db, tmp_path, raw):
    result = run(db, tmp_path, [["李四", "1", None, raw]])
    assert result.created == 1 and MALE_ID in residents(db)


def test_fifteen_digit_id_is_upgraded(db, tmp_path):
    id15 = "220182491231011"
    result = run(db, tmp_path, [["李四", "M", None, id15]])
    assert result.created == 1
    assert residents(db)[MALE_ID].birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("row, reasons", [
    (["张三", "男", None, MALE_ID[:-1] + ("0" if MALE_ID[-1] != "0" else "1")],
     ["校验位错误"]),
    (["张三", "男", None, make_id("19490231", 11)], ["不存在"]),
    (["张三", "女", "1950-01-01", MALE_ID], ["性别（女）与身份证号（男）不符",
                                              "出生日期（1950-01-01）与身份证号（1949-12-31）不符"]),
    ([None, "男", None, MALE_ID], ["姓名为空"]),
    (["张三", "男", None, 220182194912310111], [ID_AS_NUMBER]),
    (["张三", "男", "2030-01-01", None], ["晚于今天"]),
    (["张三", None, "1950-01-01", None], ["无身份证号时性别不能为空"]),
    (["张三", "X", "1950-01-01", None], ["性别“X”无法识别"]),
    (["张三", None, "1950-13-01", None], ["出生日期", "无身份证号时性别不能为空"]),
])
def test_every_rejection_reason_with_all_reasons_of_the_row(db, tmp_path, row, reasons):
    result = run(db, tmp_path, [["好人", "女", None, FEMALE_ID], row])
    assert result.created == 1
    [rejected] = result.rejected
    assert rejected.row == 3  # header is row 1, the good row is row 2
    assert len(rejected.reasons) == len(reasons)
    for got, want in zip(rejected.reasons, reasons):
        assert want in got


def test_duplicate_id_in_file_names_the_earlier_row(db, tmp_path):
    result = run(db, tmp_path, [["甲", "男", None, MALE_ID], [None] * 4,
                                ["乙", "男", None, MALE_ID]])
    assert result.created == 1
    assert rejected_rows(result) == [{"row": 4, "reasons": ["与第2行身份证号重复"]}]


def test_blank_rows_skipped_row_numbers_stay_excel_numbers(db, tmp_path):
    result = run(db, tmp_path, [[None] * 8, ["甲", "男", None, MALE_ID], ["", " ", None],
                                [None, "男", None, FEMALE_ID]], title_rows=[["花名册"]])
    assert result.created == 1
    assert [r.row for r in result.rejected] == [6]


def test_row_without_id_is_flagged_and_matched_on_reimport(db, tmp_path):
    rows = [["赵小宝", "男", "2026-05-01", None, None, None, "H9", "子"]]
    first = run(db, tmp_path, rows)
    assert (first.created, first.flagged_no_id) == (1, 1)
    assert residents(db)["赵小宝"].needs_id_match
    again = run(db, tmp_path, rows)
    assert (again.created, again.unchanged, again.flagged_no_id) == (0, 1, 1)


def test_reimport_idempotent_and_updates_only_changed(db, tmp_path):
    rows = [["甲", "男", None, MALE_ID, "13800000001", "一组", "H1", "户主"],
            ["乙", "女", None, FEMALE_ID, None, "一组", "H1", "配偶"]]
    assert run(db, tmp_path, rows).created == 2
    again = run(db, tmp_path, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[1][4] = "13900000002"
    third = run(db, tmp_path, rows)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    with db.session() as s:
        [hh] = s.exec(select(Household)).all()
        head = s.exec(select(Resident).where(Resident.id_number == MALE_ID)).one()
        assert hh.household_no == "H1" and hh.head_id == head.id
        assert {r.household_id for r in s.exec(select(Resident))} == {hh.id}
        ops = [(o.table_name, o.op) for o in s.exec(select(OutboxEntry))]
    assert ops.count(("resident", "insert")) == 2 and ("household", "insert") in ops
    assert ops.count(("resident", "update")) == 1  # only the changed phone


@pytest.mark.parametrize("content, message", [
    (b"not a spreadsheet", "不是有效的Excel"),
    (None, "空表格"),
    ("no_header", "未找到表头行"),
    ("header_only", "没有居民数据"),
])
def test_broken_files_raise_and_write_nothing(db, tmp_path, content, message):
    path = tmp_path / "bad.xlsx"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is None:
        from openpyxl import Workbook
        Workbook().save(path)
    elif content == "no_header":
        write_roster(path, [["x", "y"]], header=["编号", "备注"])
    else:
        write_roster(path, [])
    with pytest.raises(ImportFileError, match=message):
        import_roster(db, path, today=TODAY)
    assert residents(db) == {}


def test_error_report_keeps_the_rows_own_columns_beside_the_reasons(db, tmp_path):
    result = run(db, tmp_path, [["张三", "男", None, "123", "13800000001", "一组", "H1"]])
    out = write_error_report(result, tmp_path / "errors.xlsx")
    book = load_workbook(out)
    assert book.sheetnames == ["导入汇总", "Sheet"]
    summary = list(book["导入汇总"].iter_rows(values_only=True))
    assert summary[:3] == [("工作表", "新建", "更新", "未变", "未导入", "跳过"),
                           ("Sheet", 0, 0, 0, 1, 0), ("合计", 0, 0, 0, 1, 0)]
    rows = list(book["Sheet"].iter_rows(values_only=True))
    assert rows[0] == ("问题", "原行号", *HEADER)
    assert "18位" in rows[1][0]
    assert rows[1][1:9] == (2, "张三", "男", None, "123", "13800000001", "一组", "H1")


def test_ten_thousand_rows_in_chunks(db, tmp_path):
    rows = [[f"居民{i}", None, None, make_id(f"19{50 + i % 40}0101", i % 1000 // 2 * 2 + 1,
                                             area=f"2201{10 + i // 500:02d}")]
            for i in range(3000)]
    result = run(db, tmp_path, rows)
    assert result.created == 3000 and not result.rejected
    with db.session() as s:
        assert len(s.exec(select(OutboxEntry.mutation_id)).all()) == 3000


def test_cli_import_json_shape(tmp_path):
    path = write_roster(tmp_path / "f.xlsx", [["甲", "男", None, MALE_ID],
                                              ["乙", None, "1950-13-01", None], ["合计：2人"]])
    out = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
                          str(tmp_path / "d"), "import", str(path), "--json",
                          "--report", str(tmp_path / "e.xlsx")],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data == {
        "created": 1, "updated": 0, "unchanged": 0, "flagged_no_id": 0, "id_filled": 0,
        "rejected": [{"sheet": "Sheet", "row": 3, "reasons": [
            "出生日期：日期 1950-13-01 不存在", "无身份证号时性别不能为空"]}],
        "skipped": [{"sheet": "Sheet", "row": 4, "reason": "合计、签名、制表日期或说明行，不是居民"}],
        "sheets": [{"name": "Sheet", "created": 1, "updated": 0, "unchanged": 0, "rejected": 1,
                    "skipped": 1}],
        "skipped_sheets": []}
    assert (tmp_path / "e.xlsx").exists()


# --- a row with an ID for someone imported earlier without one -------------------------------

BABY_ID = make_id("20260501", 13)  # male, born 2026-05-01


def waiting(db):
    with db.session() as s:
        return s.exec(select(Resident).where(Resident.needs_id_match == True)).all()  # noqa: E712


def test_id_row_fills_in_the_id_of_the_resident_waiting_for_it(db, tmp_path):
    first = run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None, None, None, "H9", "子"]])
    assert (first.created, first.flagged_no_id) == (1, 1)
    [baby] = waiting(db)
    later = run(db, tmp_path, [["赵小宝", "男", "2026-05-01", BABY_ID, "13700000009", None,
                                "H9", "子"]])
    assert counts(later) == {"created": 0, "updated": 1, "unchanged": 0, "rejected": [],
                               "flagged_no_id": 0, "id_filled": 1}
    [only] = residents(db).values()
    assert (only.id, only.id_number, only.needs_id_match, only.phone) == (
        baby.id, BABY_ID, False, "13700000009")
    assert only.id_rev == BABY_ID[::-1]
    with db.session() as s:
        update = s.exec(select(OutboxEntry).where(OutboxEntry.op == "update")).one()
    assert update.record_id == baby.id
    assert json.loads(update.changes)["id_number"] == BABY_ID
    again = run(db, tmp_path, [["赵小宝", "男", None, BABY_ID, "13700000009", None, "H9", "子"]])
    assert (again.created, again.updated, again.unchanged, again.id_filled) == (0, 0, 1, 0)


def test_birth_date_from_the_id_is_enough_to_match(db, tmp_path):
    run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None]])
    later = run(db, tmp_path, [["赵小宝", None, None, BABY_ID]])  # sex and birth from the ID
    assert (later.created, later.id_filled) == (0, 1) and not waiting(db)


def test_two_waiting_candidates_are_not_guessed(db, tmp_path):
    # Two people without ID numbers, same name, sex and birth date, different households.
    rows = [["赵小宝", "男", "2026-05-01", None, None, None, "H1", "子"],
            ["赵小宝", "男", "2026-05-01", None, None, None, "H2", "子"]]
    assert run(db, tmp_path, rows).created == 2
    later = run(db, tmp_path, [["赵小宝", "男", None, BABY_ID]])  # no household: ambiguous
    assert (later.created, later.updated, later.id_filled) == (0, 0, 0)
    [rejected] = later.rejected
    assert rejected.row == 2
    assert rejected.reasons == ["有2名无身份证号的居民与该行姓名、性别、出生日期相同，无法确定是哪一位，"
                                "请填写户号或在软件中手工补录身份证号"]
    assert len(waiting(db)) == 2 and BABY_ID not in residents(db)


def test_household_number_tells_waiting_candidates_apart(db, tmp_path):
    rows = [["赵小宝", "男", "2026-05-01", None, None, None, "H1", "子"],
            ["赵小宝", "男", "2026-05-01", None, None, None, "H2", "子"]]
    run(db, tmp_path, rows)
    later = run(db, tmp_path, [["赵小宝", "男", None, BABY_ID, None, None, "H2", "子"]])
    assert (later.created, later.id_filled, later.rejected) == (0, 1, [])
    with db.session() as s:
        filled = s.exec(select(Resident).where(Resident.id_number == BABY_ID)).one()
        assert s.get(Household, filled.household_id).household_no == "H2"
    [still] = waiting(db)
    assert still.id != filled.id


def test_waiting_resident_in_another_household_is_not_matched(db, tmp_path):
    run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None, None, None, "H1", "子"]])
    later = run(db, tmp_path, [["赵小宝", "男", None, BABY_ID, None, None, "H7", "子"]])
    assert (later.created, later.id_filled) == (1, 0)
    assert len(waiting(db)) == 1


def test_rows_without_id_match_ambiguously_are_rejected_too(db, tmp_path):
    run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None, None, None, "H1", "子"]])
    run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None, None, None, "H2", "子"]])
    again = run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None, "13700000001"]])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 0)
    assert "有2名无身份证号的居民" in again.rejected[0].reasons[0]
    assert {r.phone for r in waiting(db)} == {None}


def test_same_person_without_id_twice_in_the_file_is_rejected(db, tmp_path):
    result = run(db, tmp_path, [["赵小宝", "男", "2026-05-01", None, None, None, "H1"],
                                ["赵小宝", "男", "2026-05-01", None, None, None, "H2"],
                                ["赵小宝", "男", "2026/5/1", None, None, None, "H1"]])
    assert result.created == 2
    assert rejected_rows(result) == [
        {"row": 4, "reasons": ["与第2行姓名、性别、出生日期、户号相同（均无身份证号），疑似重复"]}]


# --- how spreadsheets arrive ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [14, 31, 57, 58])
def test_excel_saved_file_shared_strings_and_date_styles(db, tmp_path, fmt):
    from tests.fixtures.rosters import write_excel_style_roster

    path = write_excel_style_roster(
        tmp_path / "excel.xlsx",
        [["王建国", "男", date(1949, 12, 31), MALE_ID, "13800001111", "一组", "H1", "户主"],
         [], [],
         ["李秀英", "女", date(1960, 2, 29), FEMALE_ID, None, "一组", "H1", "配偶"],
         ["无号", "男", 19491231, None, None, None, None, None]],
        title_rows=[["王家村居民花名册"], []], date_format_id=fmt)
    result = import_roster(db, path, today=TODAY)
    assert rejected_rows(result) == [] and result.created == 3
    got = residents(db)
    assert (got[MALE_ID].name, got[MALE_ID].address) == ("王建国", "一组")
    assert got["无号"].birth_date == date(1949, 12, 31)


def test_1904_date_system(db, tmp_path):
    from tests.fixtures.rosters import write_excel_style_roster

    path = write_excel_style_roster(tmp_path / "mac.xlsx", [["无号", "男", date(1950, 3, 1)]],
                                    date1904=True)
    assert import_roster(db, path, today=TODAY).created == 1
    assert residents(db)["无号"].birth_date == date(1950, 3, 1)


def test_birth_date_typed_as_a_number_cell(db, tmp_path):
    result = run(db, tmp_path, [["李四", "男", 19491231, MALE_ID], ["王五", "女", 19500101, None]])
    assert result.created == 2 and not result.rejected


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_roster(db, tmp_path, encoding):
    path = tmp_path / "r.csv"
    lines = ["某村花名册,,,", "姓名,性别,出生日期,身份证号,联系电话",
             f"王建国,男,1949年12月31日,{MALE_ID},13800001111", ",,,,",
             f"李秀英,女,,{FEMALE_ID[:-1]}0,"]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    result = import_roster(db, path, today=TODAY)
    assert result.created == 1
    assert rejected_rows(result) == [{"row": 5, "reasons": ["身份证号校验位错误，请核对号码"]}]


def test_masked_id_numbers_are_named_as_such(db, tmp_path):
    result = run(db, tmp_path, [["张三", "男", None, MALE_ID[:6] + "*" * 8 + MALE_ID[-4:]]])
    assert "脱敏" in result.rejected[0].reasons[0]


def _broken(kind: str, path):
    if kind == "password":  # an encrypted .xlsx is an OLE compound file, as is an old .xls
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    elif kind == "zero":
        path.write_bytes(b"")
    elif kind == "truncated":
        write_roster(path, [["甲", "男", None, MALE_ID]] * 50)
        path.write_bytes(path.read_bytes()[:1500])
    elif kind == "corrupt_xml":
        import zipfile
        write_roster(path, [["甲", "男", None, MALE_ID]])
        with zipfile.ZipFile(path) as zf:
            parts = {n: zf.read(n) for n in zf.namelist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:300]
        with zipfile.ZipFile(path, "w") as zf:
            for n, data in parts.items():
                zf.writestr(n, data)
    elif kind == "docx_like":
        import zipfile
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("word/document.xml", "<w/>")
    return path


@pytest.mark.parametrize("kind, message", [
    ("password", "设置了打开密码"), ("zero", "空文件"), ("truncated", "已损坏"),
    ("corrupt_xml", "已损坏"), ("docx_like", "已损坏")])
def test_password_protected_and_corrupt_files(db, tmp_path, kind, message):
    path = _broken(kind, tmp_path / "bad.xlsx")
    with pytest.raises(ImportFileError, match=message):
        import_roster(db, path, today=TODAY)
    assert residents(db) == {}


@pytest.mark.parametrize("kind", ["password", "truncated", "no_header", "missing"])
def test_cli_broken_file_exits_non_zero_with_chinese_error(tmp_path, kind):
    path = tmp_path / "bad.xlsx"
    if kind == "no_header":
        write_roster(path, [["x", "y"]], header=["编号", "备注"])
    elif kind != "missing":
        _broken(kind, path)
    out = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
                          str(tmp_path / "d"), "import", str(path), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("错误：") and ("bad.xlsx" in out.stderr
                                              or "表头" in out.stderr)


def test_set_based_insert_stores_exactly_what_the_orm_stores(db):
    """The importer inserts through the driver with the columns' own processors: the stored
    text of dates, timestamps and booleans, and the outbox entry, match an ORM insert."""
    from familydoc_desktop.domain.models import new_id, utcnow
    from familydoc_desktop.store.bulk import insert_with_outbox
    from sqlalchemy import text

    now = utcnow()
    values = dict(org_id=db.clinic_id, name="王建国", sex="male", birth_date=date(1949, 12, 31),
                  id_number=MALE_ID, phone="13800001111", needs_id_match=False,
                  created_at=now, updated_at=now)
    with db.session() as s:
        s.add(Resident(id="orm", **values))
    with db.session() as s:
        insert_with_outbox(s, db.capture, "resident",
                           [{**values, "id": "bulk", "id_number": FEMALE_ID, "sex": "female"}])
    with db.session() as s:
        rows = {r.id: dict(r._mapping) for r in s.execute(text("SELECT * FROM resident"))}
        outbox = {o.record_id: json.loads(o.changes) for o in s.exec(select(OutboxEntry))}
    orm, bulk = rows["orm"], rows["bulk"]
    for row in (orm, bulk):
        assert row.pop("hlc") and row.pop("id")
    assert bulk.pop("id_number") == FEMALE_ID and bulk.pop("sex") == "female"
    assert bulk.pop("id_rev") == FEMALE_ID[::-1]
    for key in ("id_number", "sex", "id_rev"):
        orm.pop(key)
    assert bulk == orm
    o_orm, o_bulk = outbox["orm"], outbox["bulk"]
    for o in (o_orm, o_bulk):
        for key in ("id", "hlc", "id_number", "sex"):
            o.pop(key)
    assert o_bulk == o_orm
    assert new_id()  # keep the import honest


def test_cli_imports_csv_and_prints_the_counts(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f"姓名,性别,出生日期,身份证号\n王建国,男,,{MALE_ID}\n赵小宝,男,2020-05-01,\n",
                    encoding="gb18030")
    cmd = [sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
           str(tmp_path / "d"), "import", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "新建 2" in out.stdout and "无身份证号待匹配 1 人" in out.stdout
    again = subprocess.run([*cmd, "--json"], capture_output=True, text=True, check=True)
    assert json.loads(again.stdout)["unchanged"] == 2


def test_set_based_update_writes_what_the_orm_capture_writes(db):
    """The importer updates changed residents set-based: the row (search keys, HLC,
    updated_at) and the outbox entry must be what an ORM edit would have produced."""
    from sqlalchemy import text

    from familydoc_desktop.store.bulk import update_with_outbox

    base = dict(org_id=db.clinic_id, sex="male", birth_date=date(1949, 12, 31),
                phone="13800001111", server_seq=41)
    with db.session() as s:
        s.add(Resident(id="orm", name="王建国", id_number=MALE_ID, **base))
        s.add(Resident(id="bulk", name="王建国", id_number=None, needs_id_match=True, **base))
    with db.session() as s:
        orm = s.get(Resident, "orm")
        orm.phone, orm.name = "13900002222", "王建华"
        s.add(orm)
    with db.session() as s:
        update_with_outbox(s, db.capture, "resident", [(s.get(Resident, "bulk"), {
            "phone": "13900002222", "name": "王建华", "id_number": FEMALE_ID[:-4] + "0000"})])
    with db.session() as s:
        rows = {r.id: dict(r._mapping) for r in s.execute(text("SELECT * FROM resident"))}
        entries = {o.record_id: o for o in s.exec(select(OutboxEntry).where(
            OutboxEntry.op == "update"))}
        clock = s.execute(text("SELECT value FROM sync_state WHERE key='hlc_last'")).scalar()
    o, b = rows["orm"], rows["bulk"]
    assert (b["phone"], b["phone_rev"], b["initials"]) == (o["phone"], o["phone_rev"],
                                                          o["initials"]) == (
        "13900002222", "22220000931", "wjh")
    assert b["id_rev"] == (FEMALE_ID[:-4] + "0000")[::-1]
    assert b["updated_at"] > rows["orm"]["created_at"] and b["hlc"] > o["hlc"]
    assert len(b["updated_at"]) == len(o["updated_at"])  # same stored text format
    eo, eb = entries["orm"], entries["bulk"]
    assert json.loads(eo.changes) == {"phone": "13900002222", "name": "王建华"}
    assert json.loads(eb.changes) == {"phone": "13900002222", "name": "王建华",
                                      "id_number": FEMALE_ID[:-4] + "0000"}
    assert eb.base_seq == eo.base_seq == 41 and eb.hlc == b["hlc"] and clock == b["hlc"]


# --- a row without an ID, re-imported after the resident got one ----------------------------

LIU_ID = "220182194002030246"  # female, born 1940-02-03
LIU = ["刘大妈", "女", "1940-02-03"]


def test_row_without_id_finds_the_resident_who_got_one_since(db, tmp_path):
    assert run(db, tmp_path, [LIU]).created == 1  # n1.xlsx: no ID
    n2 = run(db, tmp_path, [[*LIU, LIU_ID]])
    assert (n2.created, n2.updated, n2.id_filled) == (0, 1, 1)
    again = run(db, tmp_path, [LIU])  # n1.xlsx again: the same person, not a second one
    assert counts(again) == {"created": 0, "updated": 0, "unchanged": 1, "rejected": [],
                               "flagged_no_id": 0, "id_filled": 0}
    phone = run(db, tmp_path, [[*LIU, None, "13800000007", None, None, "户主"]])
    assert (phone.created, phone.updated) == (0, 1)
    [liu] = residents(db).values()  # the ID and its flag survive a row without them
    assert (liu.id_number, liu.needs_id_match, liu.phone) == (LIU_ID, False, "13800000007")


def test_row_without_id_matching_several_residents_is_rejected(db, tmp_path):
    # Two people of the clinic with this name, sex and birth date: one has an ID, one not.
    run(db, tmp_path, [[*LIU, LIU_ID], [*LIU, None, None, None, "H2"]])
    again = run(db, tmp_path, [[*LIU, None, "13800000007"]])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 0)
    assert rejected_rows(again) == [{"row": 2, "reasons": [
        "有2名居民与该行姓名、性别、出生日期相同，无法确定是哪一位，请在表中填写该行的身份证号或户号"]}]
    assert {r.phone for r in residents(db).values()} == {None}
    by_household = run(db, tmp_path, [[*LIU, None, "13800000007", None, "H2"]])
    assert (by_household.updated, by_household.rejected) == (1, [])


def test_row_without_id_matches_only_residents_of_its_clinic(db, tmp_path):
    from familydoc_desktop.domain.models import Organisation

    run(db, tmp_path, [[*LIU, LIU_ID]])
    with db.session() as s:  # her namesake, born the same day, in the next village
        other = Organisation(code="220102001002", name="邻村卫生室", level="clinic")
        s.add(other)
        s.flush()
        s.add(Resident(org_id=other.id, name="刘大妈", sex="female",
                       birth_date=date(1940, 2, 3), id_number=make_id("19400203", 26)))
    result = run(db, tmp_path, [LIU])
    assert (result.created, result.unchanged, result.rejected) == (0, 1, [])


def test_two_rows_landing_on_one_resident_are_not_both_applied(db, tmp_path):
    run(db, tmp_path, [[*LIU, LIU_ID]])
    result = run(db, tmp_path, [[*LIU, LIU_ID, "13800000001"],
                                [*LIU, None, "13900000002", None, "H5"]])
    assert (result.created, result.updated) == (0, 1)
    assert rejected_rows(result) == [
        {"row": 3, "reasons": ["与第2行是同一位居民（姓名、性别、出生日期相同），疑似重复"]}]
    assert residents(db)[LIU_ID].phone == "13800000001"


# --- field values -----------------------------------------------------------------------------

@pytest.mark.parametrize("cell, stored", [
    (110105491231008, "110105194912310089"), (110105491231010.0, "11010519491231010X")])
def test_fifteen_digit_id_stored_as_a_number_is_read_as_text(db, tmp_path, cell, stored):
    from familydoc_desktop.domain.idcard import upgrade_15

    assert stored == upgrade_15(str(int(cell)))
    result = run(db, tmp_path, [["王奶奶", "女", None, cell]])
    assert (result.created, result.rejected) == (1, [])
    assert residents(db)[stored].birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("cell", [220182194912310111, 2.2018219491231e17, 11010549123100.0,
                                  110105491231008.5])
def test_other_numeric_ids_are_still_refused(db, tmp_path, cell):
    result = run(db, tmp_path, [["王奶奶", "女", None, cell]])
    assert rejected_rows(result) == [{"row": 2, "reasons": [ID_AS_NUMBER]}]


def test_phones_are_stored_normalised_and_bad_ones_rejected(db, tmp_path):
    from familydoc_desktop.store import search

    ids = [make_id("19500101", n) for n in range(11, 30, 2)]
    result = run(db, tmp_path, [
        ["甲", None, None, ids[0], "138 0000 0003"], ["乙", None, None, ids[1], "+86 13800000004"],
        ["丙", None, None, ids[2], 13800000005], ["丁", None, None, ids[3], "(0431)8123 4567"],
        ["戊", None, None, ids[4], "138****1111"], ["己", None, None, ids[5], "abc"],
        ["庚", None, None, ids[6], "12345"], ["辛", None, None, ids[7], "1" * 22]])
    assert result.created == 5
    got = residents(db)
    assert [got[i].phone for i in ids[:5]] == ["13800000003", "13800000004", "13800000005",
                                               "0431-81234567", None]
    assert [(r.row, r.reasons) for r in result.rejected] == [
        (n, [f"电话号码“{v}”无法识别（应为11位手机号，或固定电话如0431-81234567）"])
        for n, v in ((7, "abc"), (8, "12345"), (9, "1" * 22))]
    with db.session() as s:  # the tail search QA tried
        assert search.search_ids(s, "00003") == [got[ids[0]].id]


def test_typed_birth_date_has_the_id_numbers_lower_bound(db, tmp_path):
    result = run(db, tmp_path, [["甲", "男", "1880-01-01"], ["乙", "男", "1800-01-01"],
                                ["丙", "男", "1879-12-31", MALE_ID]])
    assert result.created == 1
    assert [(r.row, r.reasons) for r in result.rejected] == [
        (3, ["出生日期（1800-01-01）早于1880年，请核对"]),
        (4, ["出生日期（1879-12-31）早于1880年，请核对"])]  # no mismatch with the ID on top


def test_row_with_only_a_serial_number_or_note_is_blank(db, tmp_path):
    header = ["序号", *HEADER, "备注"]
    result = run(db, tmp_path, [[1, "甲", "男", None, MALE_ID], [2], [3, None, None, None, None,
                                 None, "一组", "H1", None, "已迁出"]], header=header)
    assert rejected_rows(result) == [] and result.created == 1


def test_several_columns_for_one_field_take_the_first_filled(db, tmp_path):
    header = ["姓名", "身份证号", "身份证号码", "电话", "手机"]
    result = run(db, tmp_path, [["甲", None, MALE_ID, "13800000001", "13900000009"],
                                ["乙", FEMALE_ID, "123", " ", "13900000002"]], header=header)
    assert (result.created, result.rejected) == (2, [])
    got = residents(db)
    assert (got[MALE_ID].phone, got[FEMALE_ID].phone) == ("13800000001", "13900000002")


def test_text_longer_than_its_column_is_rejected(db, tmp_path):
    result = run(db, tmp_path, [["名" * 51, "男", None, MALE_ID, None, "址" * 201, "H" * 31],
                                ["名" * 50, "女", None, FEMALE_ID, None, "址" * 200, "H" * 30]])
    assert result.created == 1
    assert rejected_rows(result) == [{"row": 2, "reasons": [
        "姓名过长（51个字，最多50个字）", "现住址过长（201个字，最多200个字）",
        "户号过长（31个字，最多30个字）"]}]


# --- which sheet ------------------------------------------------------------------------------

def _workbook(path, sheets: dict[str, list[list]]):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_roster_on_the_second_sheet_after_an_instructions_sheet(db, tmp_path):
    path = _workbook(tmp_path / "r.xlsx", {
        "说明": [["填表说明"], ["1. 姓名必填"], ["2. 身份证号请设为文本格式"]],
        "花名册": [["某村花名册"], HEADER, ["甲", "男", None, MALE_ID]],
        "汇总": [HEADER, ["乙", "女", None, FEMALE_ID]]})
    result = import_roster(db, path, today=TODAY)
    assert (result.created, result.rejected) == (2, [])
    assert sorted(residents(db)) == sorted([MALE_ID, FEMALE_ID])  # every sheet with a header
    assert [(c.name, c.created) for c in result.sheets] == [("花名册", 1), ("汇总", 1)]
    assert [(s.name, s.reason) for s in result.skipped_sheets] == [
        ("说明", "前10行中没有“姓名”“身份证号”“性别”等列名，不是花名册")]


def test_no_sheet_with_a_header_names_all_sheets(db, tmp_path):
    path = _workbook(tmp_path / "r.xlsx", {"说明": [["填表说明"]], "Sheet2": [["编号", "备注"]],
                                           "Sheet3": []})
    with pytest.raises(ImportFileError, match="未找到表头行：全部3张工作表的前10行中没有"):
        import_roster(db, path, today=TODAY)
    empty = _workbook(tmp_path / "e.xlsx", {"说明": [], "Sheet2": []})
    with pytest.raises(ImportFileError, match="空表格"):
        import_roster(db, empty, today=TODAY)


def test_error_report_refuses_the_roster_and_is_written_with_no_rejected_rows(db, tmp_path):
    from familydoc_desktop.store.importer import ImportResult

    roster = write_roster(tmp_path / "r.xlsx", [["甲", "男", None, MALE_ID]])
    before = roster.read_bytes()
    for same in (roster, tmp_path / "sub" / ".." / "r.xlsx"):
        with pytest.raises(ImportFileError, match="不能保存为正在导入的花名册“r.xlsx”"):
            write_error_report(ImportResult(), same, roster=roster)
    assert roster.read_bytes() == before
    out = write_error_report(ImportResult(), tmp_path / "e.xlsx", roster=roster)
    book = load_workbook(out)
    assert book.sheetnames == ["导入汇总"]  # no rows to correct: only the counts
    assert list(book["导入汇总"].iter_rows(values_only=True)) == [
        ("工作表", "新建", "更新", "未变", "未导入", "跳过"), ("合计", 0, 0, 0, 0, 0)]
