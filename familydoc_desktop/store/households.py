"""Households (家庭): residents may sign as a household unit (seed 002 §4.1)."""
from __future__ import annotations

from sqlmodel import Session, select

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import Household, Resident


def create_household(session: Session, *, org_id: str, household_no: str,
                     address: str | None = None, village_code: str | None = None) -> Household:
    number = (household_no or "").strip()
    if not number:
        raise DomainError("household_no", "户号不能为空")
    if household_by_no(session, org_id, number) is not None:
        raise DomainError("household_dup", f"户号 {number} 已存在")
    if village_code is not None and not (len(village_code) == 12 and village_code.isdigit()):
        raise DomainError("village_code", "村（居）区划代码应为12位数字")
    household = Household(org_id=org_id, household_no=number,
                          address=(address or "").strip() or None, village_code=village_code)
    session.add(household)
    session.flush()
    return household


def household_by_no(session: Session, org_id: str, household_no: str) -> Household | None:
    return session.exec(select(Household).where(
        Household.org_id == org_id, Household.household_no == household_no.strip(),
        Household.deleted == False)).first()  # noqa: E712


def members(session: Session, household_id: str) -> list[Resident]:
    return list(session.exec(select(Resident).where(
        Resident.household_id == household_id, Resident.deleted == False)  # noqa: E712
        .order_by(Resident.birth_date, Resident.name)))


def set_head(session: Session, household_id: str, resident_id: str) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.deleted:
        raise DomainError("household_unknown", "找不到该家庭")
    resident = session.get(Resident, resident_id)
    if resident is None or resident.deleted or resident.household_id != household_id:
        raise DomainError("household_head", "户主必须是该家庭的成员")
    household.head_id = resident_id
    if resident.relation_to_head != "户主":
        resident.relation_to_head = "户主"
        session.add(resident)
    session.add(household)
    session.flush()
    return household
