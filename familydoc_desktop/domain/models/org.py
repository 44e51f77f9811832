"""Organisations (county > township > clinic), staff and family-doctor teams."""
from __future__ import annotations

from sqlmodel import Field, SQLModel

from familydoc_desktop.domain.models.base import Synced, new_id


class Organisation(SQLModel, table=True):
    """Reference data owned by the server; devices receive the part of the tree in scope.

    `code` is the 12-digit statistical division code (统计用区划代码), kept as text: codes
    change yearly, so no meaning is ever read from digit ranges (domain.md).
    """

    __tablename__ = "organisation"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    code: str = Field(index=True, unique=True, max_length=12)
    name: str = Field(max_length=100)
    level: str = Field(max_length=10)  # codes.OrgLevel
    parent_id: str | None = Field(default=None, foreign_key="organisation.id", index=True)


class Staff(Synced, table=True):
    __tablename__ = "staff"
    name: str = Field(max_length=50)
    role: str = Field(max_length=20)  # codes.TeamRole
    phone: str | None = Field(default=None, max_length=20)
    active: bool = True


class Team(Synced, table=True):
    """家庭医生团队 (seed 002 §2.1)."""

    __tablename__ = "team"
    name: str = Field(max_length=100)
    leader_id: str | None = Field(default=None, max_length=36)


class TeamMember(Synced, table=True):
    __tablename__ = "team_member"
    team_id: str = Field(index=True, max_length=36)
    staff_id: str = Field(index=True, max_length=36)
    role: str = Field(max_length=20)  # codes.TeamRole
