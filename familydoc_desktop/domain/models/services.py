"""Other services named in the seeds: health points, satisfaction, health-information pushes,
drug-shortage register (seed 001 items 1, 6-7, 9, 12)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Index, text
from sqlmodel import Field

from familydoc_desktop.domain.models.base import Synced


class HealthPoints(Synced, table=True):
    __tablename__ = "health_points"
    resident_id: str = Field(index=True, max_length=36)
    on_date: date
    points: int  # positive earned, negative redeemed
    reason: str = Field(max_length=200)  # the rule's name, or what the points bought
    rule: str | None = Field(default=None, max_length=30)  # the earning rule's code (0014)


class SatisfactionSurvey(Synced, table=True):
    __tablename__ = "satisfaction_survey"
    # The survey list, newest first, one page at a time (0017).
    __table_args__ = (Index("ix_satisfaction_survey_live_date", "on_date", "id",
                            sqlite_where=text("deleted = 0")),)
    resident_id: str = Field(index=True, max_length=36)
    on_date: date
    score: int  # 1 (very unsatisfied) .. 5 (very satisfied); the mean of `answers`
    comments: str | None = Field(default=None, max_length=500)
    method: str | None = Field(default=None, max_length=12)  # phone | in_person (0015)
    answers: str | None = Field(default=None, max_length=100)  # "5,4,5": one per question


class HealthPush(Synced, table=True):
    """One health-information push to one resident (seed 001 item 1: >= 12 a year). A push
    to a group is one row per resident sharing a `batch_id`."""

    __tablename__ = "health_push"
    # Pushes per resident in a year (the short-of-12 list and the report), read from the
    # index alone (0017).
    __table_args__ = (Index("ix_health_push_live_resident", "resident_id", "on_date",
                            sqlite_where=text("deleted = 0")),)
    resident_id: str = Field(index=True, max_length=36)
    on_date: date
    channel: str = Field(max_length=20)  # wechat | sms | print | in_person
    topic: str = Field(max_length=200)
    batch_id: str | None = Field(default=None, max_length=36)  # the group push it was part of


class DrugShortage(Synced, table=True):
    __tablename__ = "drug_shortage"
    __table_args__ = (Index("ix_drug_shortage_open", "resolved_on", "reported_on"),)
    reported_on: date
    drug_name: str = Field(max_length=100)
    specification: str | None = Field(default=None, max_length=100)
    resident_id: str | None = Field(default=None, max_length=36)
    resolved_on: date | None = None
    note: str | None = Field(default=None, max_length=200)
    resolution: str | None = Field(default=None, max_length=200)  # how it was solved (0012)


class AuditLog(Synced, table=True):
    """Who viewed, changed or exported what (PIPL; kept >= 6 months). Never personal data:
    the record id identifies, the detail says what kind of action. Append-only: triggers
    refuse a DELETE or a change of what an entry says (migration 0006)."""

    __tablename__ = "audit_log"
    # `familydoc audit --resident` and --from/--to (0006).
    __table_args__ = (Index("ix_audit_log_record", "record_id", "created_at"),
                      Index("ix_audit_log_created", "created_at"))
    at_hlc: str = Field(default="", max_length=40)
    actor: str = Field(max_length=50)
    action: str = Field(max_length=30)
    table_name: str | None = Field(default=None, max_length=40)
    record_id: str | None = Field(default=None, max_length=36)
    detail: str | None = Field(default=None, max_length=200)
