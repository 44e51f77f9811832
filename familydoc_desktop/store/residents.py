"""Residents (居民): registration with ID-number checks, edits, soft delete, diagnoses and
key-population memberships.

Validation happens before anything is written, so a refused form loses nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from familydoc_desktop.domain import idcard, person
from familydoc_desktop.domain.codes import Membership, Population, Sex
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import (
    Diagnosis, Household, PopulationMembership, Resident,
)
from familydoc_desktop.domain.phone import normalize_phone
from familydoc_desktop.domain.population import PersonFacts, derive_populations, facts_from_rows
from familydoc_desktop.store import audit
from familydoc_desktop.store.changes import soft_delete

EDITABLE = frozenset({"name", "sex", "birth_date", "id_number", "phone", "address",
                      "household_id", "relation_to_head", "village_code", "registered",
                      "insurance_type", "ethnicity", "note", "died_on"})


# ---- field checks -------------------------------------------------------------------------

def clean_name(name: str | None) -> str:
    return person.clean_name(name)


def clean_sex(value) -> Sex | None:  # noqa: ANN001
    return person.parse_sex(value)


def clean_phone(value: str | None) -> str | None:
    """The stored form (domain/phone.py: the one rule for forms, CLI and roster import);
    None when left blank."""
    if not (value or "").strip():
        return None
    return normalize_phone(value)


def clean_village_code(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) != 12 or not text.isdigit():
        raise DomainError("village_code", "村（居）区划代码应为12位数字")
    return text


def _birth(value, today: date) -> date | None:  # noqa: ANN001
    if value is None or value == "":
        return None
    return person.check_birth(parse_date(value), today)


def _died_on(value, today: date) -> date:  # noqa: ANN001
    died = parse_date(value)
    if died > today:
        raise DomainError("died_on", f"死亡日期（{died.isoformat()}）不能晚于今天")
    return died


def _identity(id_number, sex, birth_date, today: date) -> tuple[str | None, Sex | None, date | None]:
    """ID number wins for sex and birth date; a typed value contradicting it is an error
    (domain/person.py: the same rules as the roster import)."""
    sex = clean_sex(sex)
    born = _birth(birth_date, today)
    raw = idcard.normalize_id(id_number or "")
    if not raw:
        return None, sex, born
    info = idcard.parse_id(raw, today=today)
    for code, problems in (("sex_mismatch", person.identity_mismatches(info, sex, None)),
                           ("birth_mismatch", person.identity_mismatches(info, None, born))):
        if problems:  # the form highlights the field the code names
            raise DomainError(code, problems[0])
    return info.number, info.sex, info.birth_date


def _check_unique_id(session: Session, number: str, exclude_id: str | None = None) -> None:
    other = session.exec(select(Resident).where(Resident.id_number == number)).first()
    if other is None or other.id == exclude_id:
        return
    if other.deleted:
        # The unique index covers tombstones too: the old record must be restored instead.
        raise DomainError("id_duplicate_deleted",
                          f"该身份证号属于已删除的居民档案（{other.name}），请恢复原档案")
    raise DomainError("id_duplicate", f"该身份证号已登记（{other.name}）")


def _next_record_no(session: Session, village_code: str) -> str:
    """健康档案编号 = 12-digit village code + 5-digit sequence within the village."""
    last = session.exec(select(func.max(Resident.record_no)).where(
        Resident.village_code == village_code, Resident.record_no.like(f"{village_code}%"))).one()
    seq = int(last[12:]) + 1 if last else 1
    if seq > 99999:
        raise DomainError("record_no", "该村健康档案编号已用完（99999）")
    return f"{village_code}{seq:05d}"


def _household(session: Session, household_id: str | None) -> Household | None:
    if not household_id:
        return None
    household = session.get(Household, household_id)
    if household is None or household.deleted:
        raise DomainError("household_unknown", "找不到该家庭")
    return household


# ---- residents ----------------------------------------------------------------------------

def create_resident(session: Session, *, org_id: str, name: str, sex=None, birth_date=None,
                    id_number: str | None = None, phone: str | None = None,
                    address: str | None = None, household_id: str | None = None,
                    relation_to_head: str | None = None, village_code: str | None = None,
                    registered: bool = True, insurance_type: str | None = None,
                    ethnicity: str | None = None, note: str | None = None,
                    today: date | None = None, actor: str | None = None) -> Resident:
    today = today or date.today()
    name = clean_name(name)
    number, sex, born = _identity(id_number, sex, birth_date, today)
    if number is None:
        # Newborns and some elderly have no ID yet: allowed, flagged, matched later.
        if sex is None:
            raise DomainError("sex", "无身份证号时须填写性别")
        if born is None:
            raise DomainError("birth_date", "无身份证号时须填写出生日期")
    else:
        _check_unique_id(session, number)
    phone = clean_phone(phone)
    household = _household(session, household_id)
    village_code = clean_village_code(village_code) or (household.village_code if household else None)
    resident = Resident(
        org_id=org_id, name=name, sex=sex, birth_date=born, id_number=number,
        needs_id_match=number is None, phone=phone, address=(address or "").strip() or None,
        household_id=household_id, relation_to_head=relation_to_head, village_code=village_code,
        registered=registered, insurance_type=insurance_type, ethnicity=ethnicity, note=note,
        record_no=_next_record_no(session, village_code) if village_code else None)
    session.add(resident)
    session.flush()
    if actor:
        audit.log(session, actor, "create", "resident", resident.id, org_id=org_id)
    return resident


def update_resident(session: Session, resident_id: str, *, today: date | None = None,
                    actor: str | None = None, **fields) -> Resident:
    """Change the given fields with the same checks as create_resident."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise DomainError("field", f"不能修改的字段：{', '.join(sorted(unknown))}")
    resident = _require(session, resident_id)
    today = today or date.today()
    merged = {f: fields.get(f, getattr(resident, f)) for f in ("id_number", "sex", "birth_date")}
    if "id_number" in fields and fields["id_number"]:
        # A new ID number brings its own sex and birth date unless the form also sent them.
        merged["sex"] = fields.get("sex")
        merged["birth_date"] = fields.get("birth_date")
    number, sex, born = _identity(merged["id_number"], merged["sex"], merged["birth_date"], today)
    if number is None and (sex is None or born is None):
        raise DomainError("identity", "无身份证号时须填写性别和出生日期")
    if number is not None:
        _check_unique_id(session, number, exclude_id=resident.id)
    values: dict = {"id_number": number, "sex": sex, "birth_date": born,
                    "needs_id_match": number is None}
    if "name" in fields:
        values["name"] = clean_name(fields["name"])
    if "phone" in fields:
        values["phone"] = clean_phone(fields["phone"])
    if "village_code" in fields:
        values["village_code"] = clean_village_code(fields["village_code"])
    if "household_id" in fields:
        _household(session, fields["household_id"])
        values["household_id"] = fields["household_id"] or None
    if "died_on" in fields:
        values["died_on"] = _died_on(fields["died_on"], today) if fields["died_on"] else None
    for f in ("address", "relation_to_head", "registered", "insurance_type", "ethnicity", "note"):
        if f in fields:
            values[f] = fields[f]
    for key, value in values.items():
        if getattr(resident, key) != value:
            setattr(resident, key, value)
    if resident.village_code and not resident.record_no:
        resident.record_no = _next_record_no(session, resident.village_code)
    session.add(resident)
    session.flush()
    if actor:
        audit.log(session, actor, "update", "resident", resident.id, org_id=resident.org_id)
    return resident


def get_resident(session: Session, resident_id: str, *, actor: str | None = None) -> Resident | None:
    """A non-deleted resident; with `actor`, the view is written to the access log."""
    resident = session.get(Resident, resident_id)
    if resident is None or resident.deleted:
        return None
    if actor:
        audit.log(session, actor, "view", "resident", resident.id, org_id=resident.org_id)
    return resident


def _require(session: Session, resident_id: str) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None or resident.deleted:
        raise DomainError("resident_unknown", "找不到该居民")
    return resident


def require_resident(session: Session, resident_id: str) -> Resident:
    """The resident or DomainError "找不到该居民" (for other service modules)."""
    return _require(session, resident_id)


def delete_resident(session: Session, resident_id: str, *, actor: str | None = None) -> None:
    resident = _require(session, resident_id)
    soft_delete(session, resident)
    session.flush()
    if actor:
        audit.log(session, actor, "delete", "resident", resident.id, org_id=resident.org_id)


def find_by_id_number(session: Session, number: str) -> Resident | None:
    raw = idcard.normalize_id(number)
    if len(raw) == 15 and raw.isdigit():
        raw = idcard.upgrade_15(raw)
    if not raw:
        return None
    return session.exec(select(Resident).where(Resident.id_number == raw,
                                               Resident.deleted == False)).first()  # noqa: E712


def match_without_id(session: Session, name: str, sex, birth_date) -> list[Resident]:
    """Residents with the same name, sex and birth date: candidates when an ID-less record is
    matched later (or a second registration of the same person is suspected)."""
    return list(session.exec(select(Resident).where(
        Resident.name == clean_name(name), Resident.sex == clean_sex(sex),
        Resident.birth_date == parse_date(birth_date), Resident.deleted == False)  # noqa: E712
        .order_by(Resident.id)))


# ---- diagnoses, memberships, populations ---------------------------------------------------

def add_diagnosis(session: Session, resident_id: str, condition, start_date, end_date=None,
                  icd10: str | None = None, note: str | None = None, *,
                  reevaluate: bool = True, today: date | None = None) -> Diagnosis:
    from familydoc_desktop.domain.population import check_diagnosis

    resident = _require(session, resident_id)
    start = parse_date(start_date)
    end = check_diagnosis(condition, start, parse_date(end_date) if end_date else None,
                          born=resident.birth_date, sex=resident.sex,
                          today=today or date.today())
    dx = Diagnosis(org_id=resident.org_id, resident_id=resident.id, condition=condition,
                   start_date=start, end_date=end, icd10=icd10, note=note)
    session.add(dx)
    session.flush()
    if reevaluate:
        _reevaluate(session, resident.id, today)
    return dx


def add_membership(session: Session, resident_id: str, membership, start_date, end_date=None, *,
                   reevaluate: bool = True, today: date | None = None) -> PopulationMembership:
    resident = _require(session, resident_id)
    if membership not in set(Membership):
        raise DomainError("membership", f"未知的人群类别：{membership}")
    start = parse_date(start_date)
    end = parse_date(end_date) if end_date else None
    if end is not None and end < start:
        raise DomainError("membership_dates", "结束日期不能早于开始日期")
    row = PopulationMembership(org_id=resident.org_id, resident_id=resident.id,
                               membership=membership, start_date=start, end_date=end)
    session.add(row)
    session.flush()
    if reevaluate:
        _reevaluate(session, resident.id, today)
    return row


def _reevaluate(session: Session, resident_id: str, today: date | None) -> None:
    # ledger builds on this module; imported here so the dependency stays one-way at load time.
    from familydoc_desktop.store import ledger
    ledger.evaluate_resident(session, resident_id, on=today)


def diagnoses_for(session: Session, resident_id: str) -> list[Diagnosis]:
    return list(session.exec(select(Diagnosis).where(
        Diagnosis.resident_id == resident_id, Diagnosis.deleted == False)  # noqa: E712
        .order_by(Diagnosis.start_date)))


def person_facts(session: Session, resident_ids: list[str] | None, on: date) -> dict[str, PersonFacts]:
    """PersonFacts per resident (all non-deleted residents when ids is None), in three queries."""
    rq = select(Resident.id, Resident.birth_date, Resident.sex).where(Resident.deleted == False)  # noqa: E712
    dq = select(Diagnosis.resident_id, Diagnosis.condition, Diagnosis.start_date,
                Diagnosis.end_date).where(Diagnosis.deleted == False, Diagnosis.start_date <= on)  # noqa: E712
    mq = select(PopulationMembership.resident_id, PopulationMembership.membership,
                PopulationMembership.start_date, PopulationMembership.end_date).where(
        PopulationMembership.deleted == False, PopulationMembership.start_date <= on,  # noqa: E712
        (PopulationMembership.end_date == None) | (PopulationMembership.end_date >= on))  # noqa: E711
    rows, dx, ms = [], [], []
    for chunk in _chunks(resident_ids):
        r, d, m = rq, dq, mq
        if chunk is not None:
            r = r.where(Resident.id.in_(chunk))
            d = d.where(Diagnosis.resident_id.in_(chunk))
            m = m.where(PopulationMembership.resident_id.in_(chunk))
        rows.extend(session.exec(r).all())
        dx.extend(session.exec(d).all())
        ms.extend(session.exec(m).all())
    return facts_from_rows(rows, dx, ms, on)


def populations_of(session: Session, resident_ids: list[str] | None,
                   on: date) -> dict[str, frozenset[Population]]:
    return {rid: derive_populations(f, on) for rid, f in person_facts(session, resident_ids, on).items()}


def resident_populations(session: Session, resident_id: str, on: date | None = None) -> frozenset[Population]:
    return populations_of(session, [resident_id], on or date.today()).get(resident_id, frozenset())


def _chunks(ids: list[str] | None, size: int = 500):
    """SQLite caps bound parameters; None means "no filter" and yields once."""
    if ids is None:
        yield None
        return
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
