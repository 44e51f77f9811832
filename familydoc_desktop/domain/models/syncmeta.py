"""Device-local bookkeeping for sync: the outbox, key/value state and conflicts to review."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from familydoc_desktop.domain.models.base import new_id, utcnow


class OutboxEntry(SQLModel, table=True):
    """One local change waiting to be pushed, written in the same transaction as the edit.

    `mutation_id` increases per device, so a retried push is applied once. `changes` is a JSON
    object of the fields this edit set (all fields for an insert); `base_seq` the server
    sequence the edit started from, which lets the server tell one-sided from two-sided edits.
    """

    __tablename__ = "sync_outbox"
    mutation_id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=40)
    record_id: str = Field(max_length=36, index=True)
    op: str = Field(max_length=8)  # insert | update | delete
    changes: str = Field(default="{}")
    base_seq: int | None = None
    hlc: str = Field(max_length=40)
    # The HLC of the row version the edit started from (None for inserts and older entries):
    # after a server restore it tells the server which changes the edit had seen.
    base_hlc: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class SyncState(SQLModel, table=True):
    __tablename__ = "sync_state"
    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(default="")


class SyncConflict(SQLModel, table=True):
    """A field changed on two devices. Identity and clinical fields wait here for a person;
    low-risk fields are decided by HLC and recorded here as `auto` so no value is lost."""

    __tablename__ = "sync_conflict"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    server_id: str | None = Field(default=None, max_length=36, index=True)
    table_name: str = Field(max_length=40)
    record_id: str = Field(max_length=36, index=True)
    field: str = Field(max_length=40)  # "__deleted__" for a delete racing an edit
    local_value: str | None = None  # JSON
    server_value: str | None = None  # JSON
    local_author: str | None = Field(default=None, max_length=80)
    server_author: str | None = Field(default=None, max_length=80)
    local_hlc: str | None = Field(default=None, max_length=40)
    server_hlc: str | None = Field(default=None, max_length=40)
    status: str = Field(default="open", max_length=10)  # open | auto | resolved
    resolution: str | None = Field(default=None, max_length=10)  # local | server
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class SetAsideRow(SQLModel, table=True):
    """A pulled row this PC could not hold (a value no PC can store, written past an older
    server's checks, or a row the local constraints refuse). Kept here as the server sent it,
    with the reason, so the rest of its page commits and syncing goes on; a later good version
    of the same record replaces it (the entry is dropped when that version applies)."""

    __tablename__ = "sync_set_aside"
    table_name: str = Field(primary_key=True, max_length=40)
    record_id: str = Field(primary_key=True, max_length=36)
    server_seq: int | None = None
    field: str | None = Field(default=None, max_length=40)  # the offending column, if known
    reason: str = Field(default="")  # Chinese, for the sync screen and the report
    row: str = Field(default="{}")  # JSON (ASCII-escaped) of the wire row, column -> value
    set_aside_at: datetime = Field(default_factory=utcnow)
