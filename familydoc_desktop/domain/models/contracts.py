"""Service-package catalogue, contracts (签约服务协议) and the packages each contract holds.

Money is kept in fen (1/100 yuan) as integers: exact, and the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from familydoc_desktop.domain.models.base import Synced


class ServicePackage(Synced, table=True):
    """基础服务包 / 个性化服务包 (seed 003 §2)."""

    __tablename__ = "service_package"
    code: str = Field(index=True, max_length=30)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=15)  # codes.PackageKind
    category: str | None = Field(default=None, max_length=30)
    tier: str | None = Field(default=None, max_length=15)
    price_fen: int = 0
    public_health: bool = False  # labelled 基本公共卫生服务 (seed 001 item 5)
    items: str | None = Field(default=None, max_length=2000)


class Contract(Synced, table=True):
    __tablename__ = "contract"
    __table_args__ = (
        Index("ix_contract_status_end", "status", "end_date"),
        # Covers "signed on a day" (deleted, status, dates) per resident without a table read,
        # both as a GROUP BY resident_id scan and as a correlated lookup (migration 0003).
        Index("ix_contract_resident_signed", "resident_id", "deleted", "status", "start_date",
              "end_date"),
    )
    resident_id: str = Field(index=True, max_length=36)
    household_id: str | None = Field(default=None, max_length=36)
    team_id: str | None = Field(default=None, max_length=36)
    doctor_id: str | None = Field(default=None, max_length=36)
    start_date: date
    end_date: date
    term_years: int
    status: str = Field(max_length=12)  # codes.ContractStatus
    consent_by: str = Field(max_length=10)  # codes.ConsentBy
    guardian_name: str | None = Field(default=None, max_length=50)
    signed_at: datetime | None = None
    # Renewal chain; indexed for "already renewed" lookups (0003).
    previous_id: str | None = Field(default=None, index=True, max_length=36)
    terminated_on: date | None = None
    termination_reason: str | None = Field(default=None, max_length=20)
    termination_note: str | None = Field(default=None, max_length=200)
    fee_public_health_fen: int = 0
    fee_insurance_fen: int = 0
    fee_personal_fen: int = 0
    fee_preset: str | None = Field(default=None, max_length=40)


class ContractPackage(Synced, table=True):
    __tablename__ = "contract_package"
    contract_id: str = Field(index=True, max_length=36)
    package_id: str = Field(max_length=36)
    price_fen: int = 0
    insurance_fen: int = 0
    personal_fen: int = 0
