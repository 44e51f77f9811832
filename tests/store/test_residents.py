"""Resident registration rules, edits, soft delete, outbox capture, populations."""
import json
from datetime import date

import pytest
from sqlmodel import select

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import OutboxEntry, Resident
from familydoc_desktop.store import audit, households, residents

TODAY = date(2026, 6, 1)
ID_F = "11010519491231002X"  # female, born 1949-12-31


def add(s, db, **kw):
    kw.setdefault("name", "王秀英")
    return residents.create_resident(s, org_id=db.clinic_id, today=TODAY, **kw)


def test_id_number_fills_sex_and_birth_and_is_normalised(db):
    with db.session() as s:
        r = add(s, db, id_number=" １１０１０５１９４９１２３１００２x ")
        assert (r.id_number, r.sex, r.birth_date, r.needs_id_match) == (
            ID_F, "female", date(1949, 12, 31), False)


@pytest.mark.parametrize("kw, message", [
    ({"id_number": ID_F, "sex": "男"}, "性别（男）与身份证号（女）不符"),
    ({"id_number": ID_F, "birth_date": "1950-01-01"}, "出生日期（1950-01-01）与身份证号"),
    ({"id_number": "110105194912310021"}, "校验位"),
    ({"name": "  "}, "姓名不能为空"),
    ({"sex": "女"}, "无身份证号时须填写出生日期"),
    ({"birth_date": "1950-01-01"}, "无身份证号时须填写性别"),
    ({"sex": "女", "birth_date": "2026-07-01"}, "出生日期（2026-07-01）不能晚于今天"),
    ({"id_number": ID_F, "phone": "1381234567"}, "电话号码“1381234567”无法识别"),
    ({"id_number": ID_F, "phone": "abc"}, "电话号码“abc”无法识别"),
    ({"id_number": ID_F, "village_code": "123"}, "12位数字"),
])
def test_bad_input_is_refused_with_chinese_message_and_nothing_written(db, kw, message):
    with pytest.raises(DomainError, match=message):
        with db.session() as s:
            add(s, db, **kw)
    with db.session() as s:
        assert s.exec(select(Resident)).all() == []
        assert s.exec(select(OutboxEntry)).all() == []


def test_without_id_is_flagged_and_matchable(db):
    with db.session() as s:
        r = add(s, db, sex="女", birth_date="1950-03-01", phone="0431-88888888")
        assert r.needs_id_match and r.phone == "0431-88888888"
        assert [m.id for m in residents.match_without_id(s, "王秀英", "female", "1950-03-01")] == [r.id]
        assert residents.match_without_id(s, "王秀英", "male", "1950-03-01") == []


def test_duplicate_id_refused_with_existing_name(db):
    with db.session() as s:
        add(s, db, id_number=ID_F)
    with pytest.raises(DomainError, match="该身份证号已登记（王秀英）"):
        with db.session() as s:
            add(s, db, name="王秀", id_number=ID_F.lower())


def test_record_no_is_village_code_plus_sequence(db):
    with db.session() as s:
        a = add(s, db, sex="女", birth_date="1950-01-01", village_code="220102001001")
        b = add(s, db, name="李四", sex="男", birth_date="1950-01-01", village_code="220102001001")
        c = add(s, db, name="张三", sex="男", birth_date="1950-01-01")
        assert (a.record_no, b.record_no, c.record_no) == (
            "22010200100100001", "22010200100100002", None)


def test_create_and_edit_write_outbox_entries(db):
    with db.session() as s:
        r = add(s, db, id_number=ID_F)
    with db.session() as s:
        residents.update_resident(s, r.id, phone="13812345678", today=TODAY)
    with db.session() as s:
        entries = s.exec(select(OutboxEntry).where(OutboxEntry.record_id == r.id)
                         .order_by(OutboxEntry.mutation_id)).all()
        assert [e.op for e in entries] == ["insert", "update"]
        assert json.loads(entries[1].changes) == {"phone": "13812345678"}


def test_update_applies_same_rules(db):
    with db.session() as s:
        r = add(s, db, id_number=ID_F)
    with pytest.raises(DomainError, match="性别（男）与身份证号（女）不符"):
        with db.session() as s:
            residents.update_resident(s, r.id, sex="male", today=TODAY)
    with db.session() as s:
        other = add(s, db, name="李四", sex="男", birth_date="1950-01-01")
    with pytest.raises(DomainError, match="该身份证号已登记"):
        with db.session() as s:
            residents.update_resident(s, other.id, id_number=ID_F, today=TODAY)
    with db.session() as s:  # a valid ID for the ID-less resident fills sex/birth, clears flag
        upd = residents.update_resident(s, other.id, id_number="220102195001010019", today=TODAY)
        assert (upd.needs_id_match, upd.sex, upd.birth_date) == (False, "male", date(1950, 1, 1))


def test_soft_delete_hides_and_keeps_tombstone(db):
    with db.session() as s:
        r = add(s, db, id_number=ID_F)
    with db.session() as s:
        residents.delete_resident(s, r.id, actor="doc1")
    with db.session() as s:
        assert residents.get_resident(s, r.id) is None
        assert residents.find_by_id_number(s, ID_F) is None
        assert s.get(Resident, r.id).deleted
        assert [e.action for e in audit.entries_for(s, r.id)] == ["delete"]
    with pytest.raises(DomainError, match="已删除的居民档案"):
        with db.session() as s:
            add(s, db, id_number=ID_F)


def test_view_with_actor_is_audited_without_personal_data(db):
    with db.session() as s:
        r = add(s, db, id_number=ID_F, phone="13812345678")
        residents.get_resident(s, r.id, actor="doc1")
        (entry,) = audit.entries_for(s, r.id)
        assert (entry.actor, entry.action, entry.table_name) == ("doc1", "view", "resident")
        with pytest.raises(ValueError):
            audit.log(s, "doc1", "export", detail="号码 13812345678")


def test_populations_from_age_diagnoses_memberships(db):
    with db.session() as s:
        r = add(s, db, id_number=ID_F)
        residents.add_diagnosis(s, r.id, "hypertension", "2020-01-01", today=TODAY)
        residents.add_diagnosis(s, r.id, "tuberculosis", "2020-01-01", "2021-01-01", today=TODAY)
        residents.add_membership(s, r.id, "disabled", "2019-01-01", today=TODAY)
        assert residents.resident_populations(s, r.id, TODAY) == {
            "aged_65", "hypertension", "disabled"}
        man = add(s, db, name="李四", sex="男", birth_date="1990-01-01")
        with pytest.raises(DomainError, match="男性居民不能登记孕产期"):
            residents.add_diagnosis(s, man.id, "pregnancy", "2026-01-01", today=TODAY)
        with pytest.raises(DomainError, match="结束日期不能早于诊断日期"):
            residents.add_diagnosis(s, man.id, "hypertension", "2026-01-01", "2025-01-01", today=TODAY)


def test_households_members_and_head(db):
    with db.session() as s:
        h = households.create_household(s, org_id=db.clinic_id, household_no="H001",
                                        village_code="220102001001")
        with pytest.raises(DomainError, match="户号 H001 已存在"):
            households.create_household(s, org_id=db.clinic_id, household_no="H001")
        r = add(s, db, id_number=ID_F, household_id=h.id)
        assert r.village_code == "220102001001"  # taken from the household
        households.set_head(s, h.id, r.id)
        assert h.head_id == r.id and [m.id for m in households.members(s, h.id)] == [r.id]
        loner = add(s, db, name="李四", sex="男", birth_date="1950-01-01")
        with pytest.raises(DomainError, match="户主必须是该家庭的成员"):
            households.set_head(s, h.id, loner.id)
