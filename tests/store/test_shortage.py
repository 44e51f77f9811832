"""Drug-shortage register: a resident's request for a drug the clinic lacks, its resolution
and date; bad input refused in Chinese; the CLI with the issue's syntax."""
from __future__ import annotations

import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import residents, services

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    with db.session() as s:
        return residents.create_resident(s, org_id=db.clinic_id, name="吴玉珍",
                                         id_number="11010519491231002X", today=TODAY).id


def test_register_and_resolve(db, rid):
    with db.session() as s:
        row = services.add_drug_shortage(s, resident_id=rid, drug_name=" 阿托伐他汀钙片 ",
                                         specification="20mg", reported_on=date(2026, 5, 2),
                                         today=TODAY)
        (listed,) = services.shortage_list(s, open_only=True)
        assert (listed.name, listed.clinic, listed.shortage.drug_name) == (
            "吴玉珍", "测试村卫生室", "阿托伐他汀钙片")
        services.resolve_drug_shortage(s, row.id[-8:], on=date(2026, 5, 9),
                                       resolution="医共体调配", today=TODAY)
    with db.session() as s:
        assert services.shortage_list(s, open_only=True) == []
        (back,) = services.shortage_list(s)
        assert (back.shortage.resolved_on, back.shortage.resolution) == (
            date(2026, 5, 9), "医共体调配")
        (entry,) = services.history_for(s, rid)
        assert entry.kind == "drug_shortage" and "2026-05-09 已解决（医共体调配）" in entry.detail
        with pytest.raises(DomainError, match="已于 2026-05-09 解决"):
            services.resolve_drug_shortage(s, row.id, today=TODAY)


@pytest.mark.parametrize("kw, message", [
    ({"drug_name": "  "}, "请填写缺少的药品"),
    ({"drug_name": "药" * 101}, "缺少的药品不能超过100个字"),
    ({"reported_on": date(2026, 6, 2)}, "登记日期不能晚于今天"),
    ({"reported_on": "2026-02-30"}, "日期"),
])
def test_bad_registration_refused(db, rid, kw, message):
    kw.setdefault("drug_name", "胰岛素")
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            services.add_drug_shortage(s, resident_id=rid, today=TODAY, **kw)
    with db.session() as s:
        assert services.shortage_list(s) == []


@pytest.mark.parametrize("on, message", [
    (date(2026, 5, 1), "不能早于登记日期（2026-05-02）"),
    (date(2026, 6, 2), "解决日期不能晚于今天"),
])
def test_bad_resolution_refused(db, rid, on, message):
    with db.session() as s:
        row = services.add_drug_shortage(s, resident_id=rid, drug_name="胰岛素",
                                         reported_on=date(2026, 5, 2), today=TODAY)
        with pytest.raises(DomainError, match=message):
            services.resolve_drug_shortage(s, row.id, on=on, today=TODAY)
        with pytest.raises(DomainError, match="找不到该缺药登记"):
            services.resolve_drug_shortage(s, "nothing", today=TODAY)


def cli(db, *argv):
    return main(["--data-dir", str(db.path.parent), *argv])


def test_cli(cli_db, capsys):
    with cli_db.session() as s:
        residents.create_resident(s, org_id=cli_db.clinic_id, name="吴玉珍",
                                  id_number="11010519491231002X", today=TODAY)
    capsys.readouterr()
    assert cli(cli_db, "--json", "shortage", "add", "11010519491231002X", "--drug", "胰岛素") == 0
    new = json.loads(capsys.readouterr().out)
    assert new["drug"] == "胰岛素" and new["resolved_on"] is None
    assert cli(cli_db, "shortage", "list") == 0
    out = capsys.readouterr().out
    assert "未解决 1 条" in out and "测试村卫生室" in out and new["id"][-8:] in out
    assert cli(cli_db, "shortage", "resolve", new["id"][-8:], "--how", "已采购") == 0
    assert "解决" in capsys.readouterr().out
    assert cli(cli_db, "shortage", "resolve", new["id"]) == 1
    assert "已于" in capsys.readouterr().err
    assert cli(cli_db, "--json", "shortage", "list", "--open") == 0
    assert json.loads(capsys.readouterr().out) == []
