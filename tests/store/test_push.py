"""Health-information pushes (seed 001 item 1: >= 12 a year per signed resident): one record
per resident per push, a group push at once, the list of signed residents short of 12 this
year, bad input refused in Chinese with nothing written, and the CLI."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import HealthPush, Organisation
from familydoc_desktop.store import contracts, dossier, residents, services
from familydoc_desktop.store.settings import set_setting

TODAY = date(2026, 6, 1)
VILLAGE = "220102001001"
OTHER_VILLAGE = "220102001002"


def person(s, db, name, *, signed=True, born="1950-03-01", village=VILLAGE, org=None, **kw):
    r = residents.create_resident(s, org_id=org or db.clinic_id, name=name, birth_date=born, sex="女",
                                  village_code=village, today=TODAY, **kw)
    if signed:
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=2,
                                consent_by="resident", today=TODAY)
    return r.id


def other_clinic(s) -> str:
    org = Organisation(code="220102001009", name="西村卫生室", level="clinic")
    s.add(org)
    s.flush()
    return org.id


def count(db, table="health_push") -> int:
    with db.session() as s:
        return s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_push_to_one_and_to_a_group(db):
    with db.session() as s:
        a, b, c = (person(s, db, n) for n in ("张秀兰", "李建国", "王桂芳"))
        (one,) = services.add_pushes(s, resident_ids=[a], topic=" 夏季  防中暑 ",
                                     channel="wechat", on_date=date(2026, 5, 1), today=TODAY)
        assert (one.topic, one.channel, one.on_date, one.batch_id) == (
            "夏季 防中暑", "wechat", date(2026, 5, 1), None)
        group = services.add_pushes(s, resident_ids=[a, b, c, b], topic="高血压用药",
                                    channel="print", today=TODAY)
    assert len(group) == 3  # b named twice: one push each
    assert {p.resident_id for p in group} == {a, b, c}
    assert len({p.batch_id for p in group}) == 1 and group[0].batch_id is not None
    assert {p.on_date for p in group} == {TODAY} and {p.org_id for p in group} == {db.clinic_id}
    # Every row waits in the outbox to sync, written in the same transaction.
    with db.session() as s:
        queued = s.execute(text("SELECT count(*) FROM sync_outbox WHERE table_name = "
                                "'health_push'")).scalar_one()
        assert queued == 4
        assert services.pushes_this_year(s, a, TODAY) == 2
        history = services.history_for(s, a)
        assert [(e.kind, e.detail, e.public_health) for e in history] == [
            ("health_push", "纸质资料：高血压用药", True),
            ("health_push", "微信：夏季 防中暑", True)]
        record = dossier.resident_dossier(s, a, actor="测试")
        assert [(e["kind"], e["label"]) for e in record["services"]] == [
            ("health_push", "基本公共卫生服务")] * 2


@pytest.mark.parametrize("kw, message", [
    ({"topic": "   "}, "请填写推送主题"),
    ({"topic": "讲" * 201}, "推送主题不能超过200个字"),
    ({"channel": "email"}, "推送方式只能是：微信（wechat）、短信（sms）"),
    ({"channel": None}, "推送方式只能是"),
    ({"on_date": TODAY + timedelta(days=1)}, "推送日期不能晚于今天"),
    ({"on_date": "2026-02-30"}, "日期"),
    ({"resident_ids": []}, "请至少选择一位居民"),
    ({"resident_ids": ["no-such-id"]}, "找不到该居民：no-such-id"),
])
def test_bad_push_refused_and_nothing_written(db, kw, message):
    with db.session() as s:
        rid = person(s, db, "赵淑珍")
    args = {"resident_ids": [rid], "topic": "合理膳食", "channel": "sms", **kw}
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            services.add_pushes(s, today=TODAY, **args)
    assert count(db) == 0


def test_resident_of_another_clinic_refused_unless_a_township_pc(db):
    with db.session() as s:
        mine = person(s, db, "孙凤英")
        theirs = person(s, db, "周德胜", org=other_clinic(s), village=OTHER_VILLAGE)
    with pytest.raises(DomainError, match="居民周德胜不属于本卫生室，不能为其登记健康信息推送"):
        with db.session() as s:  # one outside the clinic refuses the whole group push
            services.add_pushes(s, resident_ids=[mine, theirs], topic="控烟", channel="wechat",
                                today=TODAY)
    assert count(db) == 0
    with db.session() as s:  # a township account's PC records for every clinic it holds
        town = Organisation(code="220102001000", name="测试镇卫生院", level="township")
        s.add(town)
        s.flush()
        set_setting(s, "login_org_id", town.id)
        rows = services.add_pushes(s, resident_ids=[mine, theirs], topic="控烟",
                                   channel="wechat", today=TODAY)
    assert sorted(p.org_id for p in rows) == sorted([db.clinic_id, rows[1].org_id])
    assert {p.org_id for p in rows} != {db.clinic_id}  # each row is its resident's clinic's


def test_residents_short_of_12_this_year(db):
    with db.session() as s:
        full = person(s, db, "甲满额")
        short = person(s, db, "乙差一")
        none = person(s, db, "丙没有", village=OTHER_VILLAGE, born="1990-01-01")
        person(s, db, "丁未签约", signed=False)
        for n in range(12):
            services.add_pushes(s, resident_ids=[full] + ([short] if n < 11 else []),
                                topic=f"第{n + 1}期", channel="wechat",
                                on_date=date(2026, 1, 10) + timedelta(days=n), today=TODAY)
        # Last year's pushes and a deleted one do not count this year.
        services.add_pushes(s, resident_ids=[none], topic="去年", channel="sms",
                            on_date=date(2025, 12, 31), today=TODAY)
        gone = services.add_pushes(s, resident_ids=[none], topic="删了", channel="sms",
                                   today=TODAY)[0]
        s.execute(text("UPDATE health_push SET deleted = 1 WHERE id = :id"), {"id": gone.id})
    with db.session() as s:
        assert services.push_due_count(s, on=TODAY) == 2
        rows = services.push_due_list(s, on=TODAY)
        assert [(r.name, r.pushes, r.short) for r in rows] == [("丙没有", 0, 12), ("乙差一", 11, 1)]
        assert [r.name for r in services.push_due_list(s, on=TODAY, offset=1, limit=1)] == ["乙差一"]
        assert services.push_due_count(s, village_code=VILLAGE, on=TODAY) == 1
        assert services.push_due_count(s, population="aged_65", on=TODAY) == 1
        everyone = services.push_due_list(s, short_only=False, on=TODAY)
        assert [(r.name, r.pushes) for r in everyone] == [("丙没有", 0), ("乙差一", 11),
                                                          ("甲满额", 12)]
        assert services.push_due_ids(s, village_code=OTHER_VILLAGE, on=TODAY) == [none]
        # Next year everybody starts again from 0; before signing nobody is listed.
        assert [(r.name, r.pushes) for r in services.push_due_list(s, on=date(2027, 1, 1))] == [
            ("丙没有", 0), ("乙差一", 0), ("甲满额", 0)]
        assert services.push_due_count(s, on=date(2025, 12, 31)) == 0


def test_short_list_reads_the_index(db):
    """The count per resident is answered from the partial index, not a table scan."""
    with db.session() as s:
        where, params = services._push_where(s, None, None, True, TODAY)
        plan = s.execute(text("EXPLAIN QUERY PLAN SELECT count(*) FROM resident r"
                              f" WHERE r.deleted = 0{where}"), params).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "ix_health_push_live_resident" in details, details


def test_cli_push_to_several_residents(cli_db, capsys):
    today = date.today()
    with cli_db.session() as s:
        residents.create_resident(s, org_id=cli_db.clinic_id, name="冯秀英",
                                  id_number="11010519491231002X")
        b = residents.create_resident(s, org_id=cli_db.clinic_id, name="陈大海", sex="男",
                                      birth_date="1960-01-01").id
        c = residents.create_resident(s, org_id=other_clinic(s), name="外村人", sex="男",
                                      birth_date="1960-01-01").id
    argv = ["--data-dir", str(cli_db.path.parent)]
    capsys.readouterr()
    assert main([*argv, "--json", "push", "add", "11010519491231002X", b, "--topic",
                 "流感疫苗接种", "--channel", "wechat"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["count"], out["topic"], out["channel"], out["on_date"]) == (
        2, "流感疫苗接种", "wechat", today.isoformat())
    assert [(p["name"], p["pushes_this_year"]) for p in out["pushes"]] == [("冯秀英", 1),
                                                                          ("陈大海", 1)]
    assert out["batch_id"]
    assert main([*argv, "push", "add", b, "--topic", "控盐", "--channel", "print",
                 "--date", today.isoformat()]) == 0
    assert "共 1 人" in capsys.readouterr().out
    assert main([*argv, "push", "add", b, "--topic", "控盐", "--channel", "sms", "--date",
                 (today + timedelta(days=1)).isoformat()]) == 1
    assert "推送日期不能晚于今天" in capsys.readouterr().err
    assert main([*argv, "push", "add", b, "--topic", "", "--channel", "sms"]) == 1
    assert "请填写推送主题" in capsys.readouterr().err
    assert main([*argv, "push", "add", b, c, "--topic", "控盐", "--channel", "sms"]) == 1
    assert "外村人不属于本卫生室" in capsys.readouterr().err
    assert main([*argv, "push", "add", "不存在的人", "--topic", "控盐", "--channel", "sms"]) == 1
    assert "找不到居民" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv, "push", "add", b, "--topic", "控盐", "--channel", "email"])
    assert "无效的选项" in capsys.readouterr().err
    with cli_db.session() as s:
        assert s.execute(text("SELECT count(*) FROM health_push")).scalar_one() == 3
        assert services.pushes_this_year(s, b) == 2


def test_report_health_push_12_rate_by_hand(db):
    """health_push_12_rate = signed residents with >= 12 pushes from 1 January to the report
    date / signed residents. Here: 4 signed (甲 12 this year, 乙 13, 丙 11 + 3 last year, 丁 0),
    戊 unsigned with 12: 2 / 4 = 50.0 %. By village: east 甲 乙 丙 -> 2/3 = 66.7 %, west 丁 -> 0/1."""
    from familydoc_desktop.store.report import township_report

    with db.session() as s:
        a, b, c = (person(s, db, n) for n in ("甲", "乙", "丙"))
        d = person(s, db, "丁", village=OTHER_VILLAGE)
        e = person(s, db, "戊", signed=False)
        for n in range(13):
            day = date(2026, 1, 2) + timedelta(days=10 * n)  # Jan 2 .. May 2
            group = [b] + ([a, e] if n < 12 else []) + ([c] if n < 11 else [])
            services.add_pushes(s, resident_ids=group, topic=f"第{n + 1}期", channel="sms",
                                on_date=day, today=TODAY)
        services.add_pushes(s, resident_ids=[c], topic="去年", channel="print",
                            on_date=date(2025, 12, 20), today=TODAY)
    with db.session() as s:
        report = township_report(s, on=TODAY)
        v = report.total.values
        assert (v["signed"], v["health_push_12"], v["health_push_12_rate"]) == (4, 2, 50.0)
        by_village = {r.key: r.values for r in township_report(s, on=TODAY, by="village").rows}
        assert (by_village[VILLAGE]["health_push_12"], by_village[VILLAGE]["health_push_12_rate"]
                ) == (2, 66.7)
        assert by_village[OTHER_VILLAGE]["health_push_12_rate"] == 0.0
        # On 1 March only the pushes up to then count: nobody has 12 yet.
        early = township_report(s, on=date(2026, 3, 1)).total.values
        assert (early["health_push_12"], early["health_push_12_rate"]) == (0, 0.0)
    assert d and e


def test_resident_show_prints_the_mark_on_pushes_and_nbphs_follow_ups(cli_db, capsys):
    from familydoc_desktop.store import visits

    today = date.today()
    with cli_db.session() as s:
        r = residents.create_resident(s, org_id=cli_db.clinic_id, name="冯秀英",
                                      id_number="11010519491231002X")
        residents.add_diagnosis(s, r.id, "hypertension", "2020-01-01")
        visits.record_followup(s, resident_id=r.id, kind="hypertension", visit_date=today,
                               method="clinic", sbp=128, dbp=78)
        visits.record_followup(s, resident_id=r.id, kind="elderly_80", visit_date=today,
                               method="home")
        services.add_pushes(s, resident_ids=[r.id], topic="控盐", channel="in_person")
        services.add_drug_shortage(s, resident_id=r.id, drug_name="胰岛素")
    capsys.readouterr()
    assert main(["--data-dir", str(cli_db.path.parent), "resident", "show",
                 "11010519491231002X"]) == 0
    lines = capsys.readouterr().out.splitlines()
    marked = [line for line in lines if "【基本公共卫生服务】" in line]
    assert len(marked) == 2, lines
    assert any("高血压随访" in line for line in marked)
    assert any("健康信息推送  当面宣教：控盐" in line for line in marked)
    assert any("缺药登记" in line and "【" not in line for line in lines)
    assert any("80岁以上" in line and "【" not in line for line in lines)
