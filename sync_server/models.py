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
    # USB bundles (domain/bundle.py): the device's public keys, registered at login, and the
    # pull cursor its last imported bundle carried (where the next return bundle starts).
    Column("bundle_sign_key", String(64), nullable=True),
    Column("bundle_box_key", String(64), nullable=True),
    Column("usb_cursor", BigInteger, nullable=True),
)

# The server's own USB-bundle keys (private: sign, box), made on first use.
server_key = Table(
    "server_key", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
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
    # protocol.wire_row_hash of (id, seq, data), kept with every write for the content digest
    # (services/digest.py); NULL: not computed yet (computed, and kept, by the next digest).
    Column("content_hash", BigInteger, nullable=True),
    # The indicator tally's fields of the record, kept with every write (migration 0012,
    # services/tally_fields.py): a JSON array, and the fingerprint of the field list it was
    # made for; NULL for tables the tally does not read. Derived from `data`: never synced,
    # never hashed (content_hash covers `data` only).
    Column("tally", Text, nullable=True),
    Column("tally_shape", Integer, nullable=True),
    Index("ix_record_org_id_seq", "org_id", "seq"),
    Index("ix_record_table_name_org_id", "table_name", "org_id"),  # the indicator report
    # PostgreSQL only: the report's arrays read by an index-only scan (migration 0013)
    Index("ix_record_tally", "table_name", "org_id",
          postgresql_include=["deleted", "tally_shape", "tally"]).ddl_if(dialect="postgresql"),
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

# The devices' access log (desktop `audit_log`, pushed or imported from a USB bundle) in
# columns the township's audit view filters on: org, resident, time. The record itself is also
# in `record` (it syncs like any row); this copy is what GET /api/v1/audit reads. Append-only:
# triggers refuse UPDATE and DELETE (migration 0005), push ignores edits of an entry.
audit_entry = Table(
    "audit_entry", metadata,
    Column("id", String(36), primary_key=True),  # the device's audit_log id
    Column("org_id", String(36), nullable=False),
    Column("at", BigInteger, nullable=False),  # when it happened on the device, epoch ms
    Column("actor", String(50), nullable=False),  # the account logged in on the device
    Column("action", String(30), nullable=False),  # view, reveal, print, export, export_item...
    Column("table_name", String(40), nullable=True),
    Column("record_id", String(36), nullable=True),  # whose data (a resident id, mostly)
    Column("detail", String(200), nullable=True),  # never personal data (desktop audit.log)
    Column("device_id", String(36), nullable=True),  # the device that sent it
    Column("received_at", BigInteger, nullable=False),
    Index("ix_audit_entry_org_id_at", "org_id", "at"),
    Index("ix_audit_entry_record_id_at", "record_id", "at"),
)

# Failed logins per (username, source address), unknown usernames too, and per source
# address over every username (username ""). Migration 0007.
login_throttle = Table(
    "login_throttle", metadata,
    Column("username", String(64), primary_key=True),
    Column("client", String(64), primary_key=True),  # "" when the address is unknown
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", BigInteger, nullable=False, default=0),
    Column("last_at", BigInteger, nullable=False, default=0, index=True),
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

# The latest sync-health report of each device (sent at the end of every sync round, see
# services/sync_health.py): one row per device, replaced by the next report. Client times are
# moved onto the server clock on receipt; reported_at and last_sync_at are the server's own.
device_health = Table(
    "device_health", metadata,
    Column("device_id", String(36), ForeignKey("device.id"), primary_key=True),
    Column("app_version", String(32), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("pending", Integer, nullable=False, default=0),  # outbox entries left
    Column("refused", Integer, nullable=False, default=0),  # pushes refused, set aside
    Column("refused_reasons", Text, nullable=False, default="[]"),  # JSON [{reason, count}]
    Column("set_aside", Integer, nullable=False, default=0),  # pulled rows it could not hold
    Column("open_conflicts", Integer, nullable=False, default=0),
    Column("clock_offset_ms", BigInteger, nullable=True),  # server − device
    Column("digest_checked_at", BigInteger, nullable=True),
    Column("digest_ok", Boolean, nullable=True),
    Column("records", Text, nullable=False, default="{}"),  # JSON {table: rows}
    Column("last_error", String(500), nullable=True),
    Column("last_error_at", BigInteger, nullable=True),
    Column("sync_ok", Boolean, nullable=False, default=True),  # the round that reported
    Column("reported_at", BigInteger, nullable=False),
    Column("last_sync_at", BigInteger, nullable=True),  # the last round that succeeded
    # How the report came (migration 0009): "network", or "usb" for a bundle imported by IT.
    Column("channel", String(8), nullable=False, default="network", server_default="network"),
)

# The server's epochs (migration 0008): a new one starts when the database is restored from
# a backup (`familydoc-server restore`) or when a device shows that the sequence went back
# (its pull cursor is ahead of the counter). `base_seq` is the counter when the epoch began:
# a device's rows with a higher server_seq are versions this server no longer has. Devices
# remember the epoch they are in sync with and resync when it changes (sync/resync.py).
server_epoch = Table(
    "server_epoch", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("epoch", String(36), nullable=False, unique=True),
    Column("base_seq", BigInteger, nullable=False, default=0),
    Column("reason", String(20), nullable=False),  # created | restore | regression
    Column("created_at", BigInteger, nullable=False),
)


def on_dialect(name: str):  # noqa: ANN201
    """Alembic's include_object for a database of dialect `name`: every schema item but those
    made for another database only (`ddl_if(dialect=...)`, e.g. ix_record_tally)."""
    def include(obj, _name, _type, _reflected, _compare_to) -> bool:  # noqa: ANN001
        only = getattr(obj, "_ddl_if", None)
        if only is None or only.dialect is None:
            return True
        return name == only.dialect if isinstance(only.dialect, str) else name in only.dialect
    return include
