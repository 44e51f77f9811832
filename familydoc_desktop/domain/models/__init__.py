"""SQLModel tables of the family-doctor contract service, and which of them sync."""
from __future__ import annotations

from sqlmodel import SQLModel

from familydoc_desktop.domain.models.base import Synced, metadata, new_id, utcnow
from familydoc_desktop.domain.models.clinical import (
    FollowupVisit, LedgerAssessment, LongPrescription, Referral, Sickbed, SickbedRound,
)
from familydoc_desktop.domain.models.contracts import Contract, ContractPackage, ServicePackage
from familydoc_desktop.domain.models.org import Organisation, Staff, Team, TeamMember
from familydoc_desktop.domain.models.people import (
    Diagnosis, Household, PopulationMembership, Resident,
)
from familydoc_desktop.domain.models.services import (
    AuditLog, DrugShortage, HealthPoints, HealthPush, SatisfactionSurvey,
)
from familydoc_desktop.domain.models.syncmeta import (
    OutboxEntry, SetAsideRow, SyncConflict, SyncState,
)

# Parents before children: a pulled page is applied in this order.
SYNCED_MODELS: tuple[type[Synced], ...] = (
    Staff, Team, TeamMember, ServicePackage, Household, Resident, Diagnosis,
    PopulationMembership, Contract, ContractPackage, LedgerAssessment, FollowupVisit, Sickbed,
    SickbedRound, Referral, LongPrescription, HealthPoints, SatisfactionSurvey, HealthPush,
    DrugShortage, AuditLog,
)
SYNCED_TABLES: dict[str, type[Synced]] = {m.__tablename__: m for m in SYNCED_MODELS}

__all__ = [
    "AuditLog", "Contract", "ContractPackage", "Diagnosis", "DrugShortage", "FollowupVisit",
    "HealthPoints", "HealthPush", "Household", "LedgerAssessment", "LongPrescription",
    "Organisation", "OutboxEntry", "PopulationMembership", "Referral", "Resident",
    "SYNCED_MODELS", "SYNCED_TABLES", "SQLModel", "SatisfactionSurvey", "ServicePackage",
    "SetAsideRow",
    "Sickbed", "SickbedRound", "Staff", "Synced", "SyncConflict", "SyncState", "Team",
    "TeamMember", "metadata", "new_id", "utcnow",
]
