"""The server's tables (SQLAlchemy Core, in the server's OWN MetaData: SQLModel.metadata holds
the desktop tables). Times are integer epoch milliseconds: exact and identical on SQLite and
PostgreSQL, with no time-zone round-trip surprises.

Synced records are kept generically in `record`: one row per (table, id) with the fields as a
JSON object and, per field, the [seq, hlc, device] of its last change, which is all the
field-level merge needs.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

org = Table(
    "org", metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("level", String(10), nullable=False),  # codes.OrgLevel
    Column("parent_id", String(36), ForeignKey("org.id"), nullable=True, index=True),
)

account = Table(
    "account", metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("role", String(20), nullable=False),  # codes.Role
    Column("org_id", String(36), ForeignKey("org.id"), nullable=False, index=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", BigInteger, nullable=False),
)

device = Table(
    "device", metadata,
    Column("id", String(36), primary_key=True),  # the client's own device id
    Column("account_id", String(36), ForeignKey("account.id"), nullable=False, index=True),
    Column("org_id", String(36), ForeignKey("org.id"), nullable=False),
    Column("name", String(100), nullable=False, default=""),
    Column("last_mutation_id", BigInteger, nullable=False, default=0),
    Column("last_seen", BigInteger, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
)

token = Table(
    "token", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex; the token itself is never stored
    Column("device_id", String(36), ForeignKey("device.id"), nullable=False, index=True),
    Column("account_id", String(36), ForeignKey("account.id"), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

# One row: the sequence shared by records and conflicts. A writing transaction locks it first,
# so sequence numbers become visible in commit order and a pull cursor never skips a row.
counter = Table(
    "counter", metadata,
    Column("name", String(20), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

record = Table(
    "record", metadata,
    Column("table_name", String(40), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("hlc", String(40), nullable=False, default=""),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),  # JSON object of every field but id
    Column("meta", Text, nullable=False),  # JSON {field: [seq, hlc, device_id]}
    Index("ix_record_org_id_seq", "org_id", "seq"),
)

conflict = Table(
    "conflict", metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("field", String(40), nullable=False),
    Column("local_value", Text, nullable=True),  # JSON
    Column("server_value", Text, nullable=True),  # JSON
    Column("local_author", String(80), nullable=True),
    Column("server_author", String(80), nullable=True),
    Column("local_hlc", String(40), nullable=True),
    Column("server_hlc", String(40), nullable=True),
    Column("status", String(10), nullable=False),  # open | auto | resolved
    Column("resolution", String(10), nullable=True),  # local | server
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("resolved_at", BigInteger, nullable=True),
    Index("ix_conflict_org_id_seq", "org_id", "seq"),
)

# A record that left an org (the township moved a resident to another clinic): devices that
# see the old org but not the new one are told in pull, so they stop holding it.
departure = Table(
    "departure", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),  # the shared sequence
    Column("table_name", String(40), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("org_id", String(36), nullable=False),  # the org it left
    Column("at", BigInteger, nullable=False),
    Index("ix_departure_org_id_seq", "org_id", "seq"),
)

login_throttle = Table(
    "login_throttle", metadata,
    Column("username", String(64), primary_key=True),  # also unknown usernames
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", BigInteger, nullable=False, default=0),
)

security_log = Table(
    "security_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False, index=True),
    Column("event", String(40), nullable=False),
    Column("username", String(64), nullable=True),
    Column("account_id", String(36), nullable=True),
    Column("device_id", String(36), nullable=True),
    Column("org_id", String(36), nullable=True),
    Column("client", String(64), nullable=True),
    Column("detail", String(500), nullable=True),  # never a password, never personal data
)
