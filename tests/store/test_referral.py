"""Two-way referral: the workflow sent -> received -> completed, or returned, each step dated;
every impossible step and bad input refused in Chinese; the down-referral's follow-up on the
due list; the CLI with the issue's syntax."""
from __future__ import annotations

import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain import referral as rules
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import due, residents, services, visits

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    with db.session() as s:
        return residents.create_resident(s, org_id=db.clinic_id, name="王秀英",
                                         id_number="11010519491231002X", today=TODAY).id


def refer(s, rid, **kw):
    kw.setdefault("direction", "up")
    kw.setdefault("receiving_unit", "县人民医院")
    kw.setdefault("reason", "血压控制不佳")
    kw.setdefault("referral_date", date(2026, 5, 1))
    return services.add_referral(s, resident_id=rid, today=TODAY, **kw)


def test_workflow_each_step_dated(db, rid):
    with db.session() as s:
        row = refer(s, rid, urgent=True)
        assert (row.status, row.urgent, row.referral_date) == ("sent", True, date(2026, 5, 1))
        services.set_referral_status(s, row.id, "received", on=date(2026, 5, 2), today=TODAY)
        services.set_referral_status(s, row.id[-8:], "completed", on=date(2026, 5, 20),
                                     today=TODAY)
    with db.session() as s:
        (back,) = services.referrals_for(s, rid)
        assert (back.status, back.received_on, back.completed_on, back.returned_on) == (
            "completed", date(2026, 5, 2), date(2026, 5, 20), None)


@pytest.mark.parametrize("steps, new, message", [
    ([], "completed", "须先由接收机构接收"),
    ([], "sent", "只能改为"),
    ([], "lost", "只能改为"),
    (["received"], "received", "当前为已接收，不能改为已接收"),
    (["received", "completed"], "returned", "该转诊已完成，不能再改为已退回"),
    (["returned"], "received", "该转诊已退回，不能再改为已接收"),
])
def test_impossible_steps_refused(db, rid, steps, new, message):
    with db.session() as s:
        row = refer(s, rid)
        for step in steps:
            services.set_referral_status(s, row.id, step, on=date(2026, 5, 3), today=TODAY)
    with pytest.raises(rules.ReferralError, match=message):
        with db.session() as s:
            services.set_referral_status(s, row.id, new, on=date(2026, 5, 4), today=TODAY)
    with db.session() as s:  # nothing changed
        assert services.referrals_for(s, rid)[0].status == (steps[-1] if steps else "sent")


@pytest.mark.parametrize("on, message", [
    (date(2026, 4, 30), "不能早于上一步的日期（2026-05-01）"),
    (date(2026, 6, 2), "日期不能晚于今天"),
])
def test_step_dates_checked(db, rid, on, message):
    with db.session() as s:
        row = refer(s, rid)
        with pytest.raises(DomainError, match=message):
            services.set_referral_status(s, row.id, "received", on=on, today=TODAY)


@pytest.mark.parametrize("kw, message", [
    ({"direction": "sideways"}, "转诊方向只能是上转"),
    ({"receiving_unit": "  "}, "请填写接收机构"),
    ({"receiving_unit": "院" * 101}, "不能超过100个字"),
    ({"reason": ""}, "请填写转诊原因"),
    ({"referral_date": date(2026, 6, 2)}, "转诊日期不能晚于今天"),
])
def test_bad_referral_refused(db, rid, kw, message):
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            refer(s, rid, **kw)
    with db.session() as s:
        assert services.referrals_for(s, rid) == []


def test_unknown_referral_and_resident(db, rid):
    with db.session() as s:
        with pytest.raises(DomainError, match="找不到该转诊记录"):
            services.set_referral_status(s, "nope", "received", today=TODAY)
        with pytest.raises(DomainError, match="找不到该居民"):
            refer(s, "no-such-resident")


def test_units_kept_per_township(db):
    catalogue = {"default": ["县医院"], "townships": {"220102001000": ["镇卫生院", "市医院"]}}
    assert rules.units_for(catalogue, "220102001000") == ["镇卫生院", "市医院"]
    assert rules.units_for(catalogue, "999999999000") == ["县医院"]
    with db.session() as s:  # the test clinic 220102001001 lies in township 220102001000
        units = services.receiving_units(s)
    assert units == ["城关镇卫生院", "县人民医院", "县中医院", "市第一人民医院"]
    with db.session() as s:  # free text is allowed
        r = residents.create_resident(s, org_id=db.clinic_id, name="李四", sex="男",
                                      birth_date="1960-01-01", today=TODAY)
        assert refer(s, r.id, receiving_unit="省肿瘤医院").receiving_unit == "省肿瘤医院"


def test_down_referral_puts_a_follow_up_on_the_due_list(db, rid):
    with db.session() as s:
        refer(s, rid, direction="down", receiving_unit="县人民医院", reason="术后康复",
              referral_date=date(2026, 5, 10))
        refer(s, rid, direction="up")  # an up-referral asks nothing of the clinic
        returned = refer(s, rid, direction="down", referral_date=date(2026, 5, 12))
        services.set_referral_status(s, returned.id, "returned", on=date(2026, 5, 12),
                                     today=TODAY)
    with db.session() as s:
        rows = due.due_list(s, TODAY, kinds=["referral_followup"])
        assert [(r.resident_id, r.due_date, r.overdue_days) for r in rows] == [
            (rid, date(2026, 5, 24), 8)]
        assert "由县人民医院下转" in rows[0].detail
        assert due.due_list(s, date(2026, 5, 9), kinds=["referral_followup"]) == []
        visits.record_followup(s, resident_id=rid, kind="general", visit_date=date(2026, 5, 30),
                               method="home", today=TODAY)
    with db.session() as s:
        assert due.due_list(s, TODAY, kinds=["referral_followup"]) == []


def cli(cli_db, *argv):
    return main(["--data-dir", str(cli_db.path.parent), *argv])


def test_cli(cli_db, capsys):
    with cli_db.session() as s:
        residents.create_resident(s, org_id=cli_db.clinic_id, name="赵六",
                                  id_number="11010519491231002X", today=TODAY)
    capsys.readouterr()
    assert cli(cli_db, "--json", "referral", "add", "11010519491231002X", "--direction", "up",
               "--to", "县中医院", "--reason", "胸痛待查", "--urgent") == 0
    new = json.loads(capsys.readouterr().out)
    assert new["id"] and new["status"] == "sent" and new["urgent"] is True
    assert cli(cli_db, "referral", "status", new["id"][-8:], "--set", "completed") == 1
    assert "须先由接收机构接收" in capsys.readouterr().err
    assert cli(cli_db, "referral", "status", new["id"], "--set", "received") == 0
    assert "已接收" in capsys.readouterr().out
    assert cli(cli_db, "--json", "referral", "list") == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["id"], listed["status"], listed["name"]) == (new["id"], "received", "赵六")
    assert cli(cli_db, "referral", "list") == 0
    out = capsys.readouterr().out
    assert "上转（紧急）" in out and "县中医院" in out and new["id"][-8:] in out
    assert cli(cli_db, "referral", "add", "nobody", "--direction", "up", "--to", "x",
               "--reason", "y") == 1
    assert "找不到居民" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(cli_db, "referral", "status", new["id"], "--set", "lost")
    assert "无效的选项" in capsys.readouterr().err
