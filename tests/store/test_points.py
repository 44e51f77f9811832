"""Health points: earned under the rule set in resources/rulesets/points_default.json, redeemed
for services or tools, the balance never negative; the CLI with the issue's syntax."""
from __future__ import annotations

import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain import services as rules
from familydoc_desktop.domain.errors import DomainError, RulesetError
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store import residents, services

TODAY = date(2026, 6, 1)


@pytest.fixture
def rid(db):
    with db.session() as s:
        return residents.create_resident(s, org_id=db.clinic_id, name="郑桂芳",
                                         id_number="11010519491231002X", today=TODAY).id


def earn(s, rid, points, reason, on=date(2026, 5, 1)):
    return services.earn_points(s, resident_id=rid, points=points, reason=reason, on_date=on,
                                today=TODAY)


def test_earn_by_rule_code_or_name_and_redeem(db, rid):
    with db.session() as s:
        row = earn(s, rid, 10, "checkup")
        assert (row.points, row.reason, row.rule) == (10, "参加健康体检", "checkup")
        earn(s, rid, 5, "参加健康讲座")
        out = services.redeem_points(s, resident_id=rid, points=12, for_what="血糖试纸一盒",
                                     today=TODAY)
        assert (out.points, out.reason) == (-12, "兑换：血糖试纸一盒")
        assert services.points_balance(s, rid) == 3
        assert [e.detail for e in services.history_for(s, rid)][0] == "-12分：兑换：血糖试纸一盒"


def test_overdrawn_balance_refused(db, rid):
    with db.session() as s:
        earn(s, rid, 5, "health_talk")
    with pytest.raises(DomainError, match="积分不足：现有5分，不能兑换6分"):
        with db.session() as s:
            services.redeem_points(s, resident_id=rid, points=6, for_what="血压计", today=TODAY)
    with db.session() as s:
        assert services.points_balance(s, rid) == 5
        services.redeem_points(s, resident_id=rid, points=5, for_what="血压计", today=TODAY)
        assert services.points_balance(s, rid) == 0  # down to zero, never below


@pytest.mark.parametrize("points, reason, message", [
    (0, "checkup", "积分须为正整数"),
    (-5, "checkup", "积分须为正整数"),
    (11, "checkup", "每次最多10分，不能记11分"),
    (5, "跑步", "积分只能按积分规则获得"),
    (5, "", "积分只能按积分规则获得"),
])
def test_bad_earning_refused(db, rid, points, reason, message):
    with db.session() as s:
        with pytest.raises(DomainError, match=message):
            earn(s, rid, points, reason)
        assert services.points_balance(s, rid) == 0


def test_yearly_limit_of_a_rule(db, rid):
    with db.session() as s:
        earn(s, rid, 10, "checkup", on=date(2025, 11, 1))  # last year's does not count
        earn(s, rid, 10, "checkup", on=date(2026, 3, 1))
        with pytest.raises(DomainError, match="每年最多计1次，今年已满"):
            earn(s, rid, 10, "checkup", on=date(2026, 5, 1))
        with pytest.raises(DomainError, match="兑换的服务或用品"):
            services.redeem_points(s, resident_id=rid, points=1, for_what=" ", today=TODAY)


def test_rule_set_shipped_and_checked():
    shipped = rules.earn_rules(load_ruleset("points_default"))
    assert {"checkup", "followup_kept", "health_talk"} <= set(shipped)
    with pytest.raises(RulesetError, match="不完整"):
        rules.earn_rules({"earn": {"x": {"name": "无分值"}}})


def cli(db, *argv):
    return main(["--data-dir", str(db.path.parent), *argv])


def test_cli(cli_db, capsys):
    with cli_db.session() as s:
        residents.create_resident(s, org_id=cli_db.clinic_id, name="郑桂芳",
                                  id_number="11010519491231002X", today=TODAY)
    person = "11010519491231002X"
    assert cli(cli_db, "points", "add", person, "--points", "5", "--reason", "health_talk") == 0
    assert cli(cli_db, "points", "add", person, "--points", "5", "--reason", "按时接受随访") == 0
    capsys.readouterr()
    assert cli(cli_db, "points", "redeem", person, "--points", "11", "--for", "血压计") == 1
    assert "积分不足：现有10分" in capsys.readouterr().err
    assert cli(cli_db, "points", "redeem", person, "--points", "4", "--for", "控盐勺") == 0
    capsys.readouterr()
    assert cli(cli_db, "--json", "points", "balance", person) == 0
    assert json.loads(capsys.readouterr().out) == {"balance": 6}
    assert cli(cli_db, "points", "balance", person) == 0
    assert "现有健康积分 6 分" in capsys.readouterr().out
