"""The yearly follow-up of every signed resident and the 65+ health check-up: recorded,
refused when wrong, on the due list until recorded, in the resident's record; and the
`familydoc visit add --kind checkup|annual_followup` commands."""
import json
from datetime import date

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import audit, contracts, dossier, due, residents, visits

TODAY = date(2026, 12, 3)
NEW = ["annual_followup", "checkup"]


def person(s, db, name, born, start=date(2026, 1, 1), years=1, signed=True):
    r = residents.create_resident(s, org_id=db.clinic_id, name=name, sex="女", birth_date=born,
                                  today=TODAY)
    if signed:
        contracts.sign_contract(s, resident_id=r.id, start=start, years=years,
                                consent_by="resident", today=TODAY)
    return r.id


def due_for(s, rid, on=TODAY, **kw):
    return [(r.kind, r.due_date) for r in due.due_list(s, on, kinds=NEW, **kw)
            if r.resident_id == rid]


def checkup(s, rid, d, **kw):
    values = dict(sbp=128, dbp=78, weight=60, height=160, conclusion="normal", method="clinic")
    values.update(kw)
    return visits.record_followup(s, resident_id=rid, kind="checkup", visit_date=d,
                                  today=TODAY, **values)


def test_64_not_due_65_signed_today_due_then_recorded_not_due(db):
    with db.session() as s:
        young = person(s, db, "六十四", date(1961, 12, 4), start=TODAY)
        old = person(s, db, "六十五", date(1961, 12, 3), start=TODAY)
        # Signed today: the yearly follow-up is not listed before the last 90 days of the
        # contract year, so only the check-up can be due.
        assert due_for(s, young) == []
        assert due_for(s, old) == [("checkup", TODAY)]
        checkup(s, old, TODAY)
        assert due_for(s, old) == []


def test_checkup_last_year_is_due_this_year_is_not(db):
    with db.session() as s:
        rid = person(s, db, "王奶奶", date(1950, 3, 1), start=date(2025, 3, 1), years=3)
        checkup(s, rid, date(2025, 11, 30))
        assert ("checkup", date(2026, 12, 31)) in due_for(s, rid)
        checkup(s, rid, date(2026, 2, 1))
        assert "checkup" not in [k for k, _ in due_for(s, rid)]
        # The next year it is due again.
        assert ("checkup", date(2027, 12, 31)) in due_for(s, rid, on=date(2027, 1, 5))


def test_unsigned_is_not_due(db):
    with db.session() as s:
        rid = person(s, db, "未签约", date(1950, 1, 1), signed=False)
        assert due_for(s, rid) == []


def test_annual_followup_last_year_due_this_year_not_and_a_checkup_does_not_count(db):
    with db.session() as s:
        # contract 2025-03-01 .. 2028-02-29; contract year 2026-03-01 .. 2027-02-28, listed
        # from 2026-11-30 (the last 90 days)
        rid = person(s, db, "赵大哥", date(1980, 5, 1), start=date(2025, 3, 1), years=3)
        visits.record_followup(s, resident_id=rid, kind="general", visit_date=date(2025, 6, 1),
                               method="home", today=TODAY)
        assert due_for(s, rid) == [("annual_followup", date(2027, 2, 28))]
        assert due_for(s, rid, on=date(2026, 11, 29)) == []
        visits.record_followup(s, resident_id=rid, kind="checkup", visit_date=date(2026, 12, 1),
                               method="clinic", sbp=120, dbp=80, conclusion="normal",
                               today=TODAY)
        assert due_for(s, rid) == [("annual_followup", date(2027, 2, 28))]
        visits.record_followup(s, resident_id=rid, kind="general", visit_date=date(2026, 12, 2),
                               method="phone", today=TODAY)
        assert due_for(s, rid) == []


def test_any_follow_up_kind_is_the_yearly_one(db):
    with db.session() as s:
        rid = person(s, db, "钱大爷", date(1970, 1, 1), start=date(2026, 1, 1))
        residents.add_diagnosis(s, rid, "hypertension", "2020-01-01", today=TODAY)
        assert due_for(s, rid) == [("annual_followup", date(2026, 12, 31))]
        visits.record_followup(s, resident_id=rid, kind="hypertension",
                               visit_date=date(2026, 10, 1), method="clinic", sbp=130, dbp=80,
                               today=TODAY)
        assert due_for(s, rid) == []


def test_a_checkup_is_not_the_80_plus_visit(db):
    with db.session() as s:
        rid = person(s, db, "孙奶奶", date(1940, 1, 1))
        checkup(s, rid, date(2026, 5, 1))
        kinds = [r.kind for r in due.due_list(s, TODAY) if r.resident_id == rid]
        assert "elderly_80" in kinds and "checkup" not in kinds
        assert due.elderly_visit_progress(s, 2026, TODAY) == (0, 1)


@pytest.mark.parametrize("kw, message", [
    ({"visit_date": date(2026, 12, 4)}, "随访日期不能晚于今天"),
    ({"sbp": 300}, "收缩压 300 mmHg 超出合理范围"),
    ({"sbp": 120, "dbp": 130}, "舒张压应低于收缩压"),
    ({"weight": 400}, "体重 400 kg 超出合理范围"),
    ({"height": 20}, "身高 20 cm 超出合理范围"),
    ({"sbp": None}, "健康体检须填写收缩压和舒张压"),
    ({"conclusion": None}, "须填写健康评价"),
    ({"conclusion": "abnormal", "findings": ""}, "须在体检主要结果中写明异常"),
    ({"visit_class": "satisfactory"}, "健康体检没有随访分类"),
    ({"method": "phone"}, "不能电话体检"),
])
def test_bad_checkups_are_refused(db, kw, message):
    with db.session() as s:
        rid = person(s, db, "坏数据", date(1950, 1, 1))
        values = {"visit_date": TODAY, **kw}
        with pytest.raises(DomainError, match=message):
            checkup(s, rid, values.pop("visit_date"), **values)
        assert visits.visits_for(s, rid) == []


def test_checkup_fields_on_another_kind_are_refused(db):
    with db.session() as s:
        rid = person(s, db, "张三", date(1950, 1, 1))
        with pytest.raises(DomainError, match="只用于健康体检"):
            visits.record_followup(s, resident_id=rid, kind="general", visit_date=TODAY,
                                   method="clinic", conclusion="normal", today=TODAY)


def test_checkup_is_kept_and_in_the_resident_record(db):
    with db.session() as s:
        rid = person(s, db, "李奶奶", date(1950, 1, 1))
        out = checkup(s, rid, date(2026, 11, 1), conclusion="abnormal", findings="血压偏高",
                      lifestyle="不吸烟，少量饮酒", health_advice="低盐饮食，三个月后复查",
                      heart_rate=76)
        assert out.visit.kind == "checkup" and out.visit.visit_class is None
        data = dossier.resident_dossier(s, rid, actor=audit.current_actor(s))
        (v,) = data["visits"]
        assert (v["kind"], v["conclusion"], v["findings"], v["lifestyle"], v["health_advice"],
                v["weight"], v["height"]) == ("checkup", "abnormal", "血压偏高",
                                              "不吸烟，少量饮酒", "低盐饮食，三个月后复查", 60, 160)


def test_cli_checkup_and_annual_followup(cli_db, capsys):
    with cli_db.session() as s:
        rid = person(s, cli_db, "李奶奶", date(1950, 1, 1), start=date(2026, 1, 1))
    d = str(cli_db.path.parent)
    cli_db.close()
    due_json = ["--data-dir", d, "due", "--on", TODAY.isoformat(), "--kind", "checkup",
                "--kind", "annual_followup", "--json"]
    assert main(due_json) == 0
    assert sorted(r["kind"] for r in json.loads(capsys.readouterr().out)) == NEW
    assert main(["--data-dir", d, "visit", "add", rid, "--kind", "checkup", "--method",
                 "clinic", "--date", "2026-12-01", "--sbp", "150", "--dbp", "88", "--weight",
                 "70", "--height", "165", "--conclusion", "abnormal", "--findings",
                 "血压偏高"]) == 0
    assert "已登记健康体检：有异常，BMI 25.7" in capsys.readouterr().out
    assert main(["--data-dir", d, "visit", "add", rid, "--kind", "annual_followup",
                 "--method", "home", "--date", "2026-12-02", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "general" and out["bmi"] is None
    assert main(due_json) == 0
    assert json.loads(capsys.readouterr().out) == []
    # Bad input: a message in Chinese, exit code not 0, nothing stored.
    assert main(["--data-dir", d, "visit", "add", rid, "--kind", "checkup", "--method",
                 "clinic", "--sbp", "120", "--dbp", "80"]) != 0
    assert "须填写健康评价" in capsys.readouterr().err
    assert main(["--data-dir", d, "visit", "add", rid, "--kind", "checkup", "--method",
                 "clinic", "--sbp", "120", "--dbp", "80", "--conclusion", "normal",
                 "--weight", "999"]) != 0
    assert "体重 999 kg 超出合理范围" in capsys.readouterr().err


def test_report_lines_by_hand_on_the_desktop_and_the_cli(cli_db, capsys):
    from familydoc_desktop.store.report import township_report
    with cli_db.session() as s:
        a = person(s, cli_db, "甲", date(1950, 1, 1))  # 76, check-up this year
        b = person(s, cli_db, "乙", date(1961, 12, 4))  # 64: check-up does not count, general
        c = person(s, cli_db, "丙", date(1955, 1, 1), start=date(2025, 6, 1), years=3)
        person(s, cli_db, "丁", date(1950, 1, 1), signed=False)  # not signed: counts nowhere
        checkup(s, a, date(2026, 3, 1))
        checkup(s, b, date(2026, 5, 1))
        visits.record_followup(s, resident_id=b, kind="general", visit_date=date(2026, 6, 1),
                               method="home", today=TODAY)
        checkup(s, c, date(2025, 12, 20))  # last year: not in the period
        v = township_report(s, on=TODAY).total.values
    # signed 3 (甲乙丙); followed up: 乙 -> 1/3; 65+ signed: 甲丙, checked up: 甲 -> 1/2
    assert (v["signed"], v["annual_followup_done"], v["annual_followup_rate"]) == (3, 1, 33.3)
    assert (v["aged_65_signed"], v["checkup_65_done"], v["checkup_65_rate"]) == (2, 1, 50.0)
    d = str(cli_db.path.parent)
    cli_db.close()
    assert main(["--data-dir", d, "report", "--on", TODAY.isoformat(), "--json"]) == 0
    total = json.loads(capsys.readouterr().out)["rows"][0]
    assert (total["annual_followup_rate"], total["checkup_65_rate"]) == (33.3, 50.0)


def test_annual_followup_window_edges_feb_29_and_horizon(db):
    # The query picks contracts by the start's month and day; the domain rule decides.
    with db.session() as s:
        leap = person(s, db, "闰日", date(1980, 1, 1), start=date(2024, 2, 29), years=3)
        # contract year 2026-03-01 .. 2027-02-28: in its last 90 days on 2026-12-03
        assert due_for(s, leap) == [("annual_followup", date(2027, 2, 28))]
        late = person(s, db, "差一天", date(1980, 1, 1), start=date(2026, 3, 5), years=1)
        # ends 2027-03-04: listed from 2026-12-04, or today with a 1-day horizon
        assert due_for(s, late) == []
        assert due_for(s, late, horizon_days=1) == [("annual_followup", date(2027, 3, 4))]
        early = person(s, db, "刚过", date(1980, 1, 1), start=date(2025, 12, 10), years=2)
        # contract year 2025-12-10 .. 2026-12-09: due in 6 days; the next one is not yet
        assert due_for(s, early) == [("annual_followup", date(2026, 12, 9))]
        assert due_for(s, early, on=date(2026, 12, 10)) == []


def test_a_checkup_blood_pressure_colours_the_ledger(db):
    from familydoc_desktop.store import ledger
    with db.session() as s:
        rid = person(s, db, "高血压", date(1960, 1, 1))
        residents.add_diagnosis(s, rid, "hypertension", "2020-01-01", today=TODAY)
        visits.record_followup(s, resident_id=rid, kind="hypertension",
                               visit_date=date(2026, 11, 1), method="clinic", sbp=130, dbp=80,
                               today=TODAY)
        out = checkup(s, rid, TODAY, sbp=185, dbp=112, conclusion="abnormal",
                      findings="血压很高")
        assert out.urgent_reasons and out.assessment.colour == "red"
        assert ledger.latest_assessments(s, [rid])[rid].colour == "red"
