"""Long prescriptions: 4-12 weeks for a signed chronic patient, drugs with doses, the refill on
the due list; every refusal in Chinese with its reason; the CLI with the issue's syntax."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain import prescription as rules
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import contracts, due, residents, services

TODAY = date(2026, 6, 1)


def patient(s, db, *, dx="hypertension", signed=True, id_number="11010519491231002X"):
    r = residents.create_resident(s, org_id=db.clinic_id, name="孙桂兰", id_number=id_number,
                                  today=TODAY)
    if dx:
        residents.add_diagnosis(s, r.id, dx, "2020-01-01", today=TODAY)
    if signed:
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                                consent_by="resident", today=TODAY)
    return r.id


def prescribe(s, rid, **kw):
    kw.setdefault("weeks", 8)
    kw.setdefault("drugs", ["苯磺酸氨氯地平片 5mg 每日一次", "二甲双胍片  0.5g 每日三次"])
    kw.setdefault("start_date", date(2026, 5, 1))
    return services.add_long_prescription(s, resident_id=rid, today=TODAY, **kw)


def test_prescription_and_its_refill_date(db):
    with db.session() as s:
        rid = patient(s, db)
        row = prescribe(s, rid)
        assert (row.weeks, row.end_date) == (8, date(2026, 6, 26))
        assert row.drugs == "苯磺酸氨氯地平片 5mg 每日一次；二甲双胍片 0.5g 每日三次"
        assert row.doctor_id == contracts.active_contract(s, rid, TODAY).doctor_id
        assert [p.id for p in services.long_prescriptions_for(s, rid)] == [row.id]


@pytest.mark.parametrize("kw, message", [
    ({"weeks": 3}, "须为4—12周，3周太短"),
    ({"weeks": 13}, "须为4—12周，13周超过上限"),
    ({"weeks": "8"}, "须为4—12的整数"),
    ({"weeks": True}, "须为4—12的整数"),
    ({"drugs": []}, "至少需要一种药品"),
    ({"drugs": ["  "]}, "请填写药品名称和用法用量"),
    ({"drugs": ["氨氯地平片"]}, "“氨氯地平片”缺少用法用量"),
    ({"drugs": ["氨氯地平片 5mg", "氨氯地平片 10mg"]}, "不能重复"),
    ({"drugs": [f"药{i} 1片" for i in range(11)]}, "最多10种"),
    ({"start_date": date(2026, 6, 2)}, "处方日期不能晚于今天"),
    ({"start_date": date(2025, 12, 31)}, "没有有效的签约"),  # before the contract began
])
def test_refused_with_the_reason(db, kw, message):
    with db.session() as s:
        rid = patient(s, db)
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            prescribe(s, rid, **kw)
    with db.session() as s:
        assert services.long_prescriptions_for(s, rid) == []


@pytest.mark.parametrize("kw, message", [
    ({"signed": False}, "只为已签约的居民开具"),
    ({"dx": None}, "没有高血压、2型糖尿病或慢阻肺诊断"),
    ({"dx": "tuberculosis"}, "没有高血压、2型糖尿病或慢阻肺诊断"),
])
def test_only_for_a_signed_chronic_patient(db, kw, message):
    with db.session() as s:
        rid = patient(s, db, **kw)
        with pytest.raises(rules.PrescriptionError, match=message):
            prescribe(s, rid)


def test_copd_patient_allowed(db):
    with db.session() as s:
        assert prescribe(s, patient(s, db, dx="copd"), weeks=4).weeks == 4


def test_refill_on_the_due_list_until_the_next_prescription(db):
    with db.session() as s:
        rid = patient(s, db)
        prescribe(s, rid, weeks=4, start_date=date(2026, 5, 1))  # runs out 2026-05-29
    kinds = ["long_rx_refill"]
    with db.session() as s:
        assert due.due_list(s, date(2026, 5, 21), kinds=kinds) == []  # 8 days before
        (early,) = due.due_list(s, date(2026, 5, 22), kinds=kinds)  # a week before
        assert (early.due_date, early.overdue_days) == (date(2026, 5, 29), 0)
        assert "需续方" in early.detail and "苯磺酸氨氯地平片" in early.detail
        (late,) = due.due_list(s, TODAY, kinds=kinds)
        assert late.overdue_days == 3
        assert due.due_list(s, date(2026, 6, 29), kinds=kinds) == []  # lapsed after 30 days
        prescribe(s, rid, weeks=12, start_date=TODAY)  # the refill
    with db.session() as s:
        assert due.due_list(s, TODAY, kinds=kinds) == []


def cli(db, *argv):
    return main(["--data-dir", str(db.path.parent), *argv])


def test_cli(cli_db, capsys):
    with cli_db.session() as s:
        patient(s, cli_db)
    capsys.readouterr()
    assert cli(cli_db, "--json", "prescription", "add", "11010519491231002X", "--weeks", "12",
               "--drug", "厄贝沙坦片 150mg 每日一次", "--drug", "阿司匹林肠溶片 100mg 每晚") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["weeks"] == 12 and data["drugs"] == ["厄贝沙坦片 150mg 每日一次",
                                                     "阿司匹林肠溶片 100mg 每晚"]
    assert data["refill_date"] == (date.today() + timedelta(weeks=12)).isoformat()
    assert cli(cli_db, "prescription", "add", "11010519491231002X", "--weeks", "3",
               "--drug", "厄贝沙坦片 150mg") == 1
    assert "须为4—12周，3周太短" in capsys.readouterr().err
    assert cli(cli_db, "prescription", "list", "--active") == 0
    out = capsys.readouterr().out
    assert "共 1 张长期处方" in out and "孙桂兰" in out and "12周" in out
    with pytest.raises(SystemExit):
        cli(cli_db, "prescription", "add", "11010519491231002X", "--weeks", "x",
            "--drug", "a b")
    assert "无效的整数" in capsys.readouterr().err
