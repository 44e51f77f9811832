"""Households, residents, diagnoses and recorded key-population memberships."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Index, text
from sqlmodel import Field

from familydoc_desktop.domain.models.base import Synced


class Household(Synced, table=True):
    __tablename__ = "household"
    household_no: str = Field(index=True, max_length=30)  # 户号
    address: str | None = Field(default=None, max_length=200)
    village_code: str | None = Field(default=None, max_length=12)
    head_id: str | None = Field(default=None, max_length=36)


class Resident(Synced, table=True):
    """居民; NBPHS-3 personal basic information is the reference field set.

    `id_number` is unique when present; residents without one (newborns, some elderly) are
    flagged `needs_id_match` and matched later. The `*_rev` and `initials` columns exist only
    for indexed search: a tail search is a prefix range over the reversed number.
    """

    __tablename__ = "resident"
    __table_args__ = (
        Index("ix_resident_name", "name"),
        # Search reads only live rows: partial covering indexes answer its counts and pages
        # from the index alone (initials "l" on 60k: 34 -> 3 ms), 0005.
        Index("ix_resident_live_name", "name", "id", sqlite_where=text("deleted = 0")),
        Index("ix_resident_live_initials", "initials", "name", "id",
              sqlite_where=text("deleted = 0")),
        Index("ix_resident_id_rev", "id_rev"),
        Index("ix_resident_phone_rev", "phone_rev"),
        Index("uq_resident_id_number", "id_number", unique=True),
    )
    name: str = Field(max_length=50)
    sex: str = Field(max_length=6)  # codes.Sex
    birth_date: date | None = None
    id_number: str | None = Field(default=None, max_length=18)
    needs_id_match: bool = False
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200)
    household_id: str | None = Field(default=None, index=True, max_length=36)
    relation_to_head: str | None = Field(default=None, max_length=20)
    village_code: str | None = Field(default=None, index=True, max_length=12)
    record_no: str | None = Field(default=None, max_length=17)  # 健康档案编号
    insurance_type: str | None = Field(default=None, max_length=20)
    ethnicity: str | None = Field(default=None, max_length=20)
    registered: bool = True  # 户籍 / 非户籍
    died_on: date | None = None
    merged_into: str | None = Field(default=None, max_length=36)
    note: str | None = Field(default=None, max_length=500)
    initials: str = Field(default="", max_length=50)
    id_rev: str | None = Field(default=None, max_length=18)
    phone_rev: str | None = Field(default=None, max_length=20)


class Diagnosis(Synced, table=True):
    __tablename__ = "diagnosis"
    resident_id: str = Field(index=True, max_length=36)
    condition: str = Field(max_length=20)  # codes.Condition
    icd10: str | None = Field(default=None, max_length=10)
    start_date: date
    end_date: date | None = None  # pregnancy end, TB cure
    note: str | None = Field(default=None, max_length=200)


class PopulationMembership(Synced, table=True):
    """Groups not derivable from birth date or diagnoses (disabled, poverty-risk, FP special)."""

    __tablename__ = "population_membership"
    resident_id: str = Field(index=True, max_length=36)
    membership: str = Field(max_length=20)  # codes.Membership
    start_date: date
    end_date: date | None = None
