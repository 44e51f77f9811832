"""Satisfaction surveys: a signed resident's answers, 1-5 per question, by phone or in person;
a score of 9 and other bad input refused in Chinese; the satisfaction rate per team."""
from __future__ import annotations

import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import contracts, residents, services
from familydoc_desktop.store.report import township_report

TODAY = date(2026, 6, 1)


def signed(s, db, name="冯秀英", id_number="11010519491231002X"):
    r = residents.create_resident(s, org_id=db.clinic_id, name=name, id_number=id_number,
                                  today=TODAY)
    contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                            consent_by="resident", today=TODAY)
    return r.id


def test_answers_overall_score_and_rate_per_team(db):
    with db.session() as s:
        a = signed(s, db)
        b = signed(s, db, "陈大海", "110101199003074514")
        row = services.add_satisfaction(s, resident_id=a, scores=[5, 4, 4], method="phone",
                                        on_date=date(2026, 5, 1), today=TODAY)
        assert (row.score, row.answers, row.method) == (4, "5,4,4", "phone")
        services.add_satisfaction(s, resident_id=b, scores=[3, 3, 4], on_date=date(2026, 5, 2),
                                  today=TODAY)  # 3.3 -> 3: not satisfied
        assert "电话调查 4分（各题 5,4,4）" in services.history_for(s, a)[0].detail
        report = township_report(s, on=TODAY, by="team")
    (team,) = [r for r in report.rows if r.key is not None]
    assert team.values["survey_count"] == 2 and team.values["satisfaction_rate"] == 50.0


@pytest.mark.parametrize("kw, message", [
    ({"scores": [9]}, "满意度评分须为1—5分，当前为 9"),
    ({"scores": [5, 0]}, "当前为 0"),
    ({"scores": []}, "请至少填写一题"),
    ({"scores": [5], "method": "email"}, "调查方式只能是电话"),
    ({"scores": [5], "on_date": date(2026, 6, 2)}, "调查日期不能晚于今天"),
    ({"scores": [5], "on_date": date(2025, 12, 1)}, "面向签约居民"),
])
def test_bad_survey_refused(db, kw, message):
    with db.session() as s:
        rid = signed(s, db)
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            services.add_satisfaction(s, resident_id=rid, today=TODAY, **kw)
    with db.session() as s:
        assert services.surveys_for(s, rid) == []


def test_cli(cli_db, capsys):
    with cli_db.session() as s:
        signed(s, cli_db)
    capsys.readouterr()
    argv = ["--data-dir", str(cli_db.path.parent)]
    assert main([*argv, "survey", "add", "11010519491231002X", "--score", "9"]) == 1
    assert "当前为 9" in capsys.readouterr().err
    assert main([*argv, "--json", "survey", "add", "11010519491231002X", "--score", "5",
                 "--score", "4", "--method", "phone"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["score"], out["answers"], out["method"]) == (5, [5, 4], "phone")
    with pytest.raises(SystemExit):
        main([*argv, "survey", "add", "11010519491231002X", "--score", "5", "--method", "mail"])
    assert "无效的选项" in capsys.readouterr().err


def test_survey_list_pages_newest_first_with_team_and_rate_per_team(db):
    from familydoc_desktop.domain.models import Team
    from familydoc_desktop.store import orgs

    with db.session() as s:
        a = signed(s, db)
        b = signed(s, db, "陈大海", "110101199003074514")
        team_a = orgs.ensure_default_team(s, db.clinic_id)
        team_b = Team(org_id=db.clinic_id, name="第二团队", leader_id=team_a.leader_id)
        s.add(team_b)
        s.flush()
        for c in contracts.contracts_for(s, b):
            c.team_id = team_b.id
            s.add(c)
        for n, (rid, score, day) in enumerate([(a, 5, 3), (a, 4, 5), (b, 2, 4), (b, 5, 6)]):
            services.add_satisfaction(s, resident_id=rid, scores=[score],
                                      method="phone" if n % 2 else "in_person",
                                      on_date=date(2026, 5, day), today=TODAY)
    with db.session() as s:
        assert services.survey_count(s) == 4
        rows = services.survey_list(s, limit=3, on=TODAY)
        assert [(r.survey.on_date.day, r.name, r.team, r.survey.method, r.survey.score)
                for r in rows] == [(6, "陈大海", "第二团队", "phone", 5),
                                   (5, "冯秀英", "家庭医生团队", "phone", 4),
                                   (4, "陈大海", "第二团队", "in_person", 2)]
        assert [r.survey.on_date.day for r in services.survey_list(s, offset=3, on=TODAY)] == [3]
        teams = services.satisfaction_by_team(s, start=date(2026, 1, 1), end=TODAY)
        # 家庭医生团队: 5 and 4 both satisfied; 第二团队: 2 no, 5 yes.
        assert [(t.team, t.surveys, t.satisfied, t.rate) for t in teams] == [
            ("家庭医生团队", 2, 2, 100.0), ("第二团队", 2, 1, 50.0)]
        assert services.satisfaction_by_team(s, start=date(2026, 5, 6), end=TODAY)[0].rate == 100.0
        # The same rate per team as the report by team.
        report = township_report(s, on=TODAY, start=date(2026, 1, 1), end=TODAY, by="team")
        assert {r.label: (r.values["survey_count"], r.values["satisfaction_rate"])
                for r in report.rows if r.key is not None} == {
            t.team: (t.surveys, t.rate) for t in teams}
