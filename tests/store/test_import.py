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
from tests.fixtures.rosters import make_id, write_roster

TODAY = date(2026, 6, 30)
MALE_ID = make_id("19491231", 11)  # odd sequence: male
FEMALE_ID = make_id("19600229", 20)


def run(db, tmp_path, rows, **kw):
    path = write_roster(tmp_path / "r.xlsx", rows, **kw)
    return import_roster(db, path, today=TODAY)


def residents(db):
    with db.session() as s:
        return {r.id_number or r.name: r for r in s.exec(select(Resident))}


def test_title_rows_above_header_and_header_variants(db, tmp_path):
    header = ["序号", "居民姓名", "性别(男/女)", "出生年月", "公民身份号码", "手机号码",
              "家庭住址", "家庭编号", "关系"]
    result = run(db, tmp_path, [[1, "王建国", "男", "1949-12-31", MALE_ID, "13800001111",
                                 "演示镇王家村1组", "H01", "户主"]],
                 header=header, title_rows=[["演示镇王家村居民花名册"], [], ["填报日期：2026年6月"]])
    assert result.to_json() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": [],
                                "flagged_no_id": 0}
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
    (["张三", "男", None, None], ["无身份证号时出生日期不能为空"]),
    (["张三", "男", "2030-01-01", None], ["晚于今天"]),
    (["张三", None, "1950-01-01", None], ["无身份证号时性别不能为空"]),
    (["张三", "X", "1950-01-01", None], ["性别“X”无法识别"]),
    ([None, None, "1950-13-01", None], ["姓名为空", "出生日期", "无身份证号时性别不能为空"]),
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
    assert result.to_json()["rejected"] == [{"row": 4, "reasons": ["与第2行身份证号重复"]}]


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


def test_error_report_lists_rows_names_and_reasons(db, tmp_path):
    result = run(db, tmp_path, [["张三", "男", None, "123"]])
    out = write_error_report(result, tmp_path / "errors.xlsx")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "姓名", "问题")
    assert rows[1][:2] == (2, "张三") and "18位" in rows[1][2]


def test_ten_thousand_rows_in_chunks(db, tmp_path):
    rows = [[f"居民{i}", None, None, make_id(f"19{50 + i % 40}0101", i % 1000 // 2 * 2 + 1,
                                             area=f"2201{10 + i // 500:02d}")]
            for i in range(3000)]
    result = run(db, tmp_path, rows)
    assert result.created == 3000 and not result.rejected
    with db.session() as s:
        assert len(s.exec(select(OutboxEntry.mutation_id)).all()) == 3000


def test_cli_import_json_shape(tmp_path):
    path = write_roster(tmp_path / "f.xlsx", [["甲", "男", None, MALE_ID], ["乙", None, None, None]])
    out = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
                          str(tmp_path / "d"), "import", str(path), "--json",
                          "--report", str(tmp_path / "e.xlsx")],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data == {"created": 1, "updated": 0, "unchanged": 0, "flagged_no_id": 0,
                    "rejected": [{"row": 3, "reasons": ["无身份证号时出生日期不能为空",
                                                        "无身份证号时性别不能为空"]}]}
    assert (tmp_path / "e.xlsx").exists()
