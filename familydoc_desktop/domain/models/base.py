"""Columns every synced table carries, and the metadata all tables share.

Primary keys are time-ordered UUIDs (v7) made on the device: records are created offline on
many PCs, and time order keeps SQLite B-tree inserts cheap (architecture.md).
"""
from __future__ import annotations

from datetime import datetime, timezone

import uuid6
from sqlalchemy import MetaData
from sqlmodel import Field, SQLModel

# Batch migrations on SQLite find constraints only by name (toolbox.md).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def new_id() -> str:
    """A time-ordered UUID (v7) as its canonical 36-character string."""
    return str(uuid6.uuid7())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Synced(SQLModel):
    """Mixin for tables that travel between devices and the server.

    `org_id` is the owning clinic: the server's scope checks key on it. `hlc` is the hybrid
    logical clock of the last local change; `server_seq` the server sequence of the version
    this row reflects (None until the server has seen it). Deletes are tombstones so that a
    delete can travel; `deleted` rows are hidden by every query.
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    org_id: str = Field(index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    hlc: str = Field(default="", max_length=40)
    server_seq: int | None = Field(default=None)
    deleted: bool = Field(default=False)
