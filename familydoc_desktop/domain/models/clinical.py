"""Clinical records. Visits, rounds and ledger assessments are append-only: a correction is a
new row pointing at the one it supersedes, so sync never has to merge them (architecture.md).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field

from familydoc_desktop.domain.models.base import Synced


class LedgerAssessment(Synced, table=True):
    """One evaluation of the red-yellow-green ledger (seed 001 item 21)."""

    __tablename__ = "ledger_assessment"
    # Covers "latest row per resident" (max(assessed_on || id)) and its colour (migration 0003).
    __table_args__ = (Index("ix_ledger_resident_current", "resident_id", "assessed_on", "id",
                            "deleted", "colour"),)
    resident_id: str = Field(max_length=36)
    assessed_on: date
    colour: str = Field(max_length=6)  # codes.Colour, after any override
    computed_colour: str = Field(max_length=6)
    reasons: str = Field(default="[]", max_length=2000)  # JSON list of {code, text}
    ruleset_version: str = Field(max_length=40)
    override: bool = False
    override_reason: str | None = Field(default=None, max_length=500)
    author: str | None = Field(default=None, max_length=50)


class FollowupVisit(Synced, table=True):
    """随访 / 履约服务记录: hypertension, diabetes, 80+ yearly and general (yearly) visits
    (NBPHS-3), and the health check-up (健康体检, kind checkup)."""

    __tablename__ = "followup_visit"
    __table_args__ = (
        Index("ix_visit_resident_kind_date", "resident_id", "kind", "visit_date"),
        Index("ix_visit_kind_date", "kind", "visit_date"),
    )
    resident_id: str = Field(max_length=36)
    kind: str = Field(max_length=15)  # codes.VisitKind
    visit_date: date
    method: str = Field(max_length=8)  # codes.VisitMethod
    sbp: int | None = None
    dbp: int | None = None
    heart_rate: int | None = None
    weight: float | None = None
    height: float | None = None
    fasting_glucose: float | None = None
    symptoms: str | None = Field(default=None, max_length=200)
    medication_adherence: str | None = Field(default=None, max_length=20)
    adverse_reaction: bool = False
    new_complication: bool = False
    visit_class: str | None = Field(default=None, max_length=20)  # codes.VisitClass
    referral: bool = False
    referral_reason: str | None = Field(default=None, max_length=200)
    next_visit_date: date | None = None
    selfcare_eating: int | None = None
    selfcare_grooming: int | None = None
    selfcare_dressing: int | None = None
    selfcare_toileting: int | None = None
    selfcare_activity: int | None = None
    selfcare_total: int | None = None
    doctor_id: str | None = Field(default=None, max_length=36)
    note: str | None = Field(default=None, max_length=500)
    # Indexed: every current-visit query excludes the rows corrections supersede (0003).
    supersedes_id: str | None = Field(default=None, index=True, max_length=36)
    # 健康体检 only (kind checkup, domain/checkup.py, migration 0018); BMI is worked out from
    # weight and height when shown.
    lifestyle: str | None = Field(default=None, max_length=200)  # 生活方式
    findings: str | None = Field(default=None, max_length=1000)  # 体检主要结果
    conclusion: str | None = Field(default=None, max_length=10)  # codes.CheckupConclusion
    health_advice: str | None = Field(default=None, max_length=500)  # 健康指导


class Sickbed(Synced, table=True):
    """家庭病床 episode: application -> admission (建床) -> discharge (撤床)."""

    __tablename__ = "sickbed"
    resident_id: str = Field(index=True, max_length=36)
    applied_on: date | None = None
    indication: str | None = Field(default=None, max_length=200)
    admitted_on: date
    bed_type: str = Field(max_length=15)  # codes.SickbedType
    diagnosis: str = Field(max_length=200)
    doctor_id: str | None = Field(default=None, max_length=36)
    nurse_id: str | None = Field(default=None, max_length=36)
    care_plan: str | None = Field(default=None, max_length=1000)
    discharged_on: date | None = Field(default=None, index=True)
    outcome: str | None = Field(default=None, max_length=12)  # codes.SickbedOutcome
    summary: str | None = Field(default=None, max_length=1000)


class SickbedRound(Synced, table=True):
    """查床."""

    __tablename__ = "sickbed_round"
    sickbed_id: str = Field(index=True, max_length=36)
    round_date: date
    findings: str | None = Field(default=None, max_length=1000)
    orders: str | None = Field(default=None, max_length=1000)
    by_staff: str | None = Field(default=None, max_length=50)


class Referral(Synced, table=True):
    """双向转诊."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_direction_date", "direction", "referral_date"),)
    resident_id: str = Field(index=True, max_length=36)
    direction: str = Field(max_length=4)  # codes.ReferralDirection
    referral_date: date
    receiving_unit: str = Field(max_length=100)
    reason: str | None = Field(default=None, max_length=200)
    status: str = Field(default="sent", max_length=12)  # codes.ReferralStatus
    urgent: bool = False
    received_on: date | None = None
    completed_on: date | None = None
    returned_on: date | None = None
    visit_id: str | None = Field(default=None, max_length=36)  # the follow-up that prompted it


class LongPrescription(Synced, table=True):
    """长期处方, 4-12 weeks (seed 001 item 11)."""

    __tablename__ = "long_prescription"
    __table_args__ = (Index("ix_long_prescription_end", "end_date"),)
    resident_id: str = Field(index=True, max_length=36)
    start_date: date
    weeks: int
    drugs: str = Field(max_length=1000)  # "NAME DOSE" per drug, joined by "；"
    doctor_id: str | None = Field(default=None, max_length=36)
    end_date: date | None = None  # start + weeks: the refill falls due (0011)
