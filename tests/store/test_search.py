"""Resident search: name, initials, ID/phone tails, filters, paging; `familydoc search`."""
import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.store import contracts, residents, search, visits
from familydoc_desktop.store.database import Database

TODAY = date(2026, 6, 1)


@pytest.fixture
def people(db):
    with db.session() as s:
        def add(name, **kw):
            return residents.create_resident(s, org_id=db.clinic_id, name=name, today=TODAY, **kw).id
        ids = {
            "王秀英": add("王秀英", id_number="11010519491231002X", phone="13812345678",
                        village_code="220102001001"),
            "王小明": add("王小明", sex="男", birth_date="2022-03-01", phone="13900001111",
                        village_code="220102001002"),
            "李王氏": add("李王氏", sex="女", birth_date="1940-05-05", phone="0431-88885678"),
            "曾国强": add("曾国强", sex="男", birth_date="1960-01-01"),
        }
        residents.add_diagnosis(s, ids["王秀英"], "hypertension", "2020-01-01", today=TODAY)
        for who in ("王秀英", "李王氏"):
            contracts.sign_contract(s, resident_id=ids[who], start=date(2026, 1, 1), years=1,
                                    consent_by="resident", today=TODAY)
        visits.record_followup(s, resident_id=ids["王秀英"], kind="hypertension",
                               visit_date=date(2026, 5, 20), method="clinic", sbp=185, dbp=100,
                               today=TODAY)
        return ids


def names(s, text="", **kw):
    return [r.name for r in search.search_residents(s, text, on=TODAY, **kw)]


@pytest.mark.parametrize("text, expected", [
    ("wxy", ["王秀英"]),
    ("WX", ["王秀英", "王小明"]),
    ("zgq", ["曾国强"]),  # surname reading zeng, not ceng
    ("王", ["王小明", "王秀英", "李王氏"]),  # prefix matches first, then contains
    ("王秀英", ["王秀英"]),
    ("002x", ["王秀英"]),  # ID tail with X
    ("1231002X", ["王秀英"]),
    ("5678", ["王秀英", "李王氏"]),  # phone tails (mobile and landline)
    ("1111", ["王小明"]),
    ("11010519491231002X", ["王秀英"]),  # whole ID: exact
    ("110105194912310021", []),
    ("12", []),  # too short for a tail search, not a name
    ("", ["曾国强", "李王氏", "王小明", "王秀英"]),
])
def test_text_forms(db, people, text, expected):
    with db.session() as s:
        got = names(s, text)
        assert sorted(got) == sorted(expected)
        if text == "王":
            assert got[-1] == "李王氏"
        assert search.count_residents(s, text, on=TODAY) == len(expected)


def test_paging_across_prefix_and_contains_passes(db, people):
    with db.session() as s:
        pages = [names(s, "王", limit=1, offset=i) for i in range(4)]
        assert pages == [["王小明"], ["王秀英"], ["李王氏"], []]


def test_row_fields(db, people):
    with db.session() as s:
        (row,) = search.search_residents(s, "wxy", on=TODAY)
        assert (row.age, row.sex, row.contract_status, row.colour, row.village_code) == (
            76, "female", "active", "red", "220102001001")
        (child,) = search.search_residents(s, "wxm", on=TODAY)
        assert (child.contract_status, child.colour, child.age) == (None, None, 4)


@pytest.mark.parametrize("f, expected", [
    (search.ResidentFilter(village_code="220102001002"), ["王小明"]),
    (search.ResidentFilter(population="aged_80"), ["李王氏"]),
    (search.ResidentFilter(population="aged_65"), ["李王氏", "王秀英", "曾国强"]),
    (search.ResidentFilter(population="child_0_6"), ["王小明"]),
    (search.ResidentFilter(population="hypertension"), ["王秀英"]),
    (search.ResidentFilter(colour="red"), ["王秀英"]),
    (search.ResidentFilter(colour="yellow"), ["李王氏"]),  # aged 80+
    (search.ResidentFilter(contract_status="active"), ["李王氏", "王秀英"]),
    (search.ResidentFilter(contract_status="unsigned"), ["曾国强", "王小明"]),
    (search.ResidentFilter(population="aged_65", colour="red"), ["王秀英"]),
])
def test_filters(db, people, f, expected):
    with db.session() as s:
        assert sorted(names(s, filters=f)) == sorted(expected)
        assert search.count_residents(s, filters=f, on=TODAY) == len(expected)


def test_deleted_hidden(db, people):
    with db.session() as s:
        residents.delete_resident(s, people["王小明"])
        assert names(s, "wx") == ["王秀英"]


def test_cli_search_masks_unless_unmask(cli_db, capsys):
    with cli_db.session() as s:
        residents.create_resident(s, org_id=cli_db.clinic_id, name="王秀英", phone="13812345678",
                                  id_number="11010519491231002X", today=TODAY)
    d = str(cli_db.path.parent)
    cli_db.close()
    assert main(["--data-dir", d, "search", "wxy", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id_number"], row["phone"]) == ("110105********002X", "138****5678")
    assert main(["--data-dir", d, "search", "王秀英"]) == 0
    out = capsys.readouterr().out
    assert "110105********002X" in out and "11010519491231002X" not in out
    assert main(["--data-dir", d, "search", "002X", "--unmask", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id_number"] == "11010519491231002X"


def test_cli_resident_add_and_errors(tmp_path, capsys):
    d = str(tmp_path / "cli")
    assert main(["--data-dir", d, "resident", "add", "--name", "王秀英",
                 "--id-number", "11010519491231002X", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sex"] == "female"
    assert main(["--data-dir", d, "resident", "add", "--name", "王二",
                 "--id-number", "11010519491231002X"]) == 1
    assert "该身份证号已登记（王秀英）" in capsys.readouterr().err
    db = Database(tmp_path / "cli" / "familydoc.db")
    with db.session() as s:
        assert names(s, "") == ["王秀英"]
    db.close()
