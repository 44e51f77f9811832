"""The township indicator report, counted by hand on a small clinic with one resident per
case, and checked for consistency on the demo township."""
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain import indicators as ind
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import contracts, residents, services, sickbeds, visits
from familydoc_desktop.store.report import township_report

TODAY = date(2026, 6, 30)
START = date(2026, 1, 1)


def person(s, db, name, born, *, dx=None, signed_from=None, years=1):
    r = residents.create_resident(s, org_id=db.clinic_id, name=name, sex="女", birth_date=born,
                                  today=TODAY)
    if dx:
        residents.add_diagnosis(s, r.id, dx, "2020-01-01", today=TODAY)
    contract = None
    if signed_from:
        signed_from = date.fromisoformat(str(signed_from))
        contract = contracts.sign_contract(s, resident_id=r.id, start=signed_from, years=years,
                                           consent_by="resident", today=min(signed_from, TODAY))
    return r.id, contract


def visit(s, rid, kind, d, method="clinic", **kw):
    return visits.record_followup(s, resident_id=rid, kind=kind, visit_date=d, method=method,
                                  today=TODAY, **kw)


@pytest.fixture
def clinic(db):
    with db.session() as s:
        a, _ = person(s, db, "甲", "1940-03-01", signed_from=START)  # 86, visited at home
        visit(s, a, "elderly_80", date(2026, 3, 1), method="home")
        b, _ = person(s, db, "乙", "1945-01-01", signed_from=START)  # 81, only a phone call
        visit(s, b, "elderly_80", date(2026, 3, 1), method="phone")
        c, _ = person(s, db, "丙", "1960-01-01", dx="hypertension", signed_from=START)
        visit(s, c, "hypertension", date(2026, 1, 10), sbp=150, dbp=95)
        visit(s, c, "hypertension", date(2026, 4, 10), sbp=130, dbp=80)  # 2 visits, controlled
        d, _ = person(s, db, "丁", "1970-01-01", dx="diabetes", signed_from=START)
        visit(s, d, "diabetes", date(2026, 2, 1), fasting_glucose=8.0)
        visit(s, d, "diabetes", date(2026, 5, 1), fasting_glucose=6.5)
        e, _ = person(s, db, "戊", "1980-01-01", dx="hypertension")  # not signed, 1 visit
        visit(s, e, "hypertension", date(2026, 3, 1), sbp=185, dbp=112)
        f, _ = person(s, db, "己", "1990-01-01", signed_from=date(2025, 3, 1))  # lapsed
        g, old = person(s, db, "庚", "1985-01-01", signed_from=date(2025, 2, 1))
        contracts.renew_contract(s, old.id, years=1, consent_by="resident",
                                 today=date(2026, 1, 15))
        h, _ = person(s, db, "辛", "1950-01-01", signed_from=START)
        residents.update_resident(s, h, died_on="2026-03-01", today=TODAY)
        open_bed = sickbeds.admit(s, resident_id=a, admitted_on=date(2026, 6, 20),
                                  bed_type="treatment", diagnosis="脑梗死后遗症", today=TODAY)
        closed = sickbeds.admit(s, resident_id=b, admitted_on=date(2025, 12, 25),
                                bed_type="rehabilitation", diagnosis="骨折术后", today=TODAY)
        sickbeds.discharge(s, closed.id, discharged_on=date(2026, 1, 5), outcome="improved",
                           today=TODAY)
        services.add_referral(s, resident_id=c, direction="up", referral_date=date(2026, 3, 1),
                              receiving_unit="县医院", reason="血压控制不佳", today=TODAY)
        returned = services.add_referral(s, resident_id=e, direction="up",
                                         referral_date=date(2026, 3, 2),
                                         receiving_unit="县医院", reason="血压高", today=TODAY)
        services.set_referral_status(s, returned.id, "returned", on=date(2026, 3, 3),
                                     today=TODAY)
        old_down = services.add_referral(s, resident_id=d, direction="down",
                                         referral_date=date(2025, 12, 1), receiving_unit="县医院",
                                         reason="出院康复", today=TODAY)  # before the period
        services.set_referral_status(s, old_down.id, "received", on=date(2025, 12, 2),
                                     today=TODAY)
        # Sent before the period, completed in it: counted as completed only.
        services.set_referral_status(s, old_down.id, "completed", on=date(2026, 1, 10),
                                     today=TODAY)
        services.add_long_prescription(s, resident_id=c, weeks=4, drugs=["氨氯地平片 5mg qd"],
                                       start_date=date(2026, 2, 1), today=TODAY)
        services.add_long_prescription(s, resident_id=d, weeks=12, drugs=["二甲双胍片 0.5g tid"],
                                       start_date=date(2026, 6, 1), today=TODAY)
        services.add_drug_shortage(s, resident_id=a, drug_name="胰岛素",
                                   reported_on=date(2026, 2, 1), today=TODAY)  # still missing
        solved = services.add_drug_shortage(s, resident_id=b, drug_name="阿托伐他汀钙片",
                                            reported_on=date(2026, 2, 1), today=TODAY)
        services.resolve_drug_shortage(s, solved.id, on=date(2026, 3, 1), today=TODAY)
        services.earn_points(s, resident_id=a, points=10, reason="checkup",
                             on_date=date(2026, 2, 1), today=TODAY)
        services.earn_points(s, resident_id=b, points=5, reason="health_talk",
                             on_date=date(2025, 12, 1), today=TODAY)  # before the period
        services.redeem_points(s, resident_id=a, points=4, for_what="血糖试纸",
                               on_date=date(2026, 3, 1), today=TODAY)
        services.add_satisfaction(s, resident_id=a, on_date=date(2026, 5, 1), scores=[5, 5, 4],
                                  today=TODAY)
        services.add_satisfaction(s, resident_id=b, on_date=date(2026, 5, 1), scores=[3, 4, 2],
                                  today=TODAY)
        fee = s.execute(text("SELECT fee_public_health_fen, fee_insurance_fen, fee_personal_fen"
                             " FROM contract LIMIT 1")).one()
    return {"fee": fee, "open_bed": open_bed.id}


def test_every_indicator_counted_by_hand(db, clinic):
    with db.session() as s:
        v = township_report(s, on=TODAY, start=START, end=TODAY).total.values
    assert v["on_file"] == 7  # 辛 died in March
    assert v["signed"] == 5 and v["coverage"] == 71.4  # 甲乙丙丁庚
    # 甲乙 80+, 丙 65+ and hypertension, 丁 diabetes, 戊 hypertension
    assert v["key_population"] == 5 and v["key_population_signed"] == 4
    assert v["key_population_share"] == 71.4 and v["key_population_coverage"] == 80.0
    assert (v["pop_hypertension"], v["pop_hypertension_signed"],
            v["pop_hypertension_coverage"]) == (2, 1, 50.0)
    assert v["pop_tuberculosis"] == 0 and v["pop_tuberculosis_coverage"] is None
    assert (v["renewal_due"], v["renewed"], v["renewal_rate"]) == (2, 1, 50.0)  # 己 lapsed
    # 甲 red (open sickbed), 乙 yellow (80+), 丙 and 丁 green (controlled at the last visit)
    assert (v["ledger_red"], v["ledger_yellow"], v["ledger_green"]) == (1, 1, 2)
    assert (v["aged_80_signed"], v["aged_80_visited"], v["aged_80_visit_rate"]) == (2, 1, 50.0)
    # Jan-Jun asks for two follow-ups: 丙 and 丁 have two, 戊 one (and uncontrolled).
    assert (v["hypertension_managed"], v["hypertension_standard"],
            v["hypertension_controlled"]) == (2, 1, 1)
    assert v["hypertension_standard_rate"] == 50.0 and v["hypertension_control_rate"] == 50.0
    assert (v["diabetes_managed"], v["diabetes_standard"], v["diabetes_controlled"]) == (1, 1, 1)
    assert (v["sickbed_open"], v["sickbed_admitted"], v["sickbed_discharged"]) == (1, 1, 1)
    assert v["sickbed_days"] == 11 + 4  # 20-30 June; 1-4 January (discharge day excluded)
    assert (v["referral_up"], v["referral_down"], v["referral_completed"]) == (1, 0, 1)
    assert v["long_prescriptions"] == 2  # 丙's ran in February, 丁's runs from June
    assert v["drug_shortages_open"] == 1  # 乙's was resolved in March
    assert (v["points_earned"], v["points_redeemed"]) == (10, 4)  # 乙's came in December
    assert (v["survey_count"], v["survey_satisfied"], v["satisfaction_rate"]) == (2, 1, 50.0)
    ph, ins, pers = clinic["fee"]
    assert v["fee_public_health"] == 5 * ph / 100 and v["fee_insurance"] == 5 * ins / 100
    assert v["fee_total"] == 5 * (ph + ins + pers) / 100


def test_as_of_an_earlier_date_and_period(db, clinic):
    with db.session() as s:
        v = township_report(s, on=date(2026, 2, 15), start=START, end=date(2026, 2, 15)).total.values
    assert v["on_file"] == 8  # 辛 still alive
    assert v["signed"] == 7  # 己's first term still runs
    assert (v["renewal_due"], v["renewed"]) == (1, 1)  # only 庚's term has ended
    assert v["hypertension_managed"] == 1 and v["diabetes_managed"] == 1
    assert v["sickbed_open"] == 0 and v["sickbed_days"] == 4
    assert v["long_prescriptions"] == 1  # 丁's starts in June
    assert v["drug_shortages_open"] == 2  # both still missing in mid-February


def test_groups_add_up_to_the_total(db, clinic):
    with db.session() as s:
        report = township_report(s, on=TODAY, start=START, end=TODAY, by="team")
    total, *groups = report.rows
    assert groups[-1].label == "（未签约）" and groups[-1].counts["on_file"] == 1  # 戊
    for code in ind.COUNT_CODES:
        assert total.values[code] == pytest.approx(sum(g.values[code] for g in groups)), code


def test_bad_periods_are_refused_in_chinese(db):
    with db.session() as s:
        with pytest.raises(DomainError, match="开始日期不能晚于结束日期"):
            township_report(s, on=TODAY, start=date(2026, 6, 1), end=date(2026, 5, 1))
        with pytest.raises(DomainError, match="不能晚于统计日期"):
            township_report(s, on=TODAY, start=START, end=date(2026, 7, 1))
        with pytest.raises(DomainError, match="分组"):
            township_report(s, on=TODAY, by="county")


@pytest.mark.parametrize("start, end, needed", [
    (date(2026, 1, 1), date(2026, 12, 31), 4), (date(2026, 1, 1), date(2026, 6, 30), 2),
    (date(2026, 1, 1), date(2026, 3, 31), 1), (date(2026, 1, 1), date(2026, 1, 31), 1),
    (date(2026, 1, 1), date(2026, 9, 30), 3), (date(2026, 1, 1), date(2026, 11, 24), 3),
    (date(2026, 4, 1), date(2026, 6, 30), 1), (date(2025, 7, 1), date(2026, 6, 30), 4)])
def test_standard_followups_per_quarter(start, end, needed):
    assert ind.standard_followups(start, end) == needed


def test_demo_township_report_is_consistent_and_exports(cli_db, tmp_path, capsys):
    from familydoc_desktop.store.bulk import load_demo

    load_demo(cli_db, residents=1500, seed=11, today=TODAY, n_clinics=3)
    with cli_db.session() as s:
        report = township_report(s, on=TODAY, by="village")
        n_residents = s.execute(text("SELECT count(*) FROM resident WHERE deleted = 0"
                                     " AND died_on IS NULL")).scalar_one()
    total, *villages = report.rows
    assert len(villages) == 3 and total.values["on_file"] == n_residents
    for row in report.rows:
        v = row.values
        assert v["signed"] <= v["on_file"] and v["key_population_signed"] <= v["key_population"]
        assert v["ledger_red"] + v["ledger_yellow"] + v["ledger_green"] == v["key_population_signed"]
        assert v["hypertension_standard"] <= v["hypertension_managed"]
    for code in ind.COUNT_CODES:
        assert total.values[code] == pytest.approx(sum(g.values[code] for g in villages)), code
    d = str(cli_db.path.parent)
    cli_db.close()
    out = tmp_path / "report.xlsx"
    assert main(["--data-dir", d, "--json", "report", "--on", "2026-06-30", "--by", "village",
                 "--output", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][0]["label"] == "合计" and data["rows"][0]["on_file"] == n_residents
    sheet = load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("指标", "单位", "合计") and len(rows[1]) == 3 + 3
    assert rows[2][0] == "在册居民" and rows[2][2] == n_residents
    assert main(["--data-dir", d, "report", "--on", "2026-06-30"]) == 0
    printed = capsys.readouterr().out
    assert "签约率" in printed and "续签率" in printed and "80岁以上老人年度访视完成率" in printed


def test_80_plus_visit_rate_counts_a_home_hypertension_follow_up(db):
    # seed 001 item 22: any face-to-face or home follow-up is the year's 80+ visit.
    with db.session() as s:
        a, _ = person(s, db, "甲", "1940-03-01", dx="hypertension", signed_from=START)
        visit(s, a, "hypertension", date(2026, 3, 1), method="home", sbp=130, dbp=80)
        b, _ = person(s, db, "乙", "1941-03-01", dx="hypertension", signed_from=START)
        visit(s, b, "hypertension", date(2026, 3, 1), method="phone", sbp=130, dbp=80)
        v = township_report(s, on=TODAY, start=START, end=TODAY).total.values
    assert (v["aged_80_signed"], v["aged_80_visited"], v["aged_80_visit_rate"]) == (2, 1, 50.0)
