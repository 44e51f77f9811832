"""Audit entries in their own columns, append-only, for the township's audit view
(GET /api/v1/audit); entries already pushed are copied from `record`. USB bundles: the
server's own key pair (server_key) and each device's registered public keys and the cursor of
its last imported bundle.

Revision ID: 0005
Revises: 0002
"""
import json
import time
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER audit_entry_no_{what} BEFORE {verb} ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END
"""
APPEND_ONLY_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
"""


def _ms(value) -> int:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return int(time.time() * 1000)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return int(at.timestamp() * 1000)


def entry_values(record_id, org_id, data, device_id) -> dict:  # frozen copy of services.audit
    return {"id": record_id, "org_id": org_id, "at": _ms(data.get("created_at")),
            "actor": str(data.get("actor") or "")[:50] or "?",
            "action": str(data.get("action") or "")[:30] or "?",
            "table_name": data.get("table_name"), "record_id": data.get("record_id"),
            "detail": data.get("detail"), "device_id": device_id,
            "received_at": int(time.time() * 1000)}


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=True),
    sa.Column('record_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('received_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_org_id_at', ['org_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_record_id_at', ['record_id', 'at'], unique=False)

    # Entries pushed before this version: copy them over (their data is the wire JSON).
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, org_id, data, meta FROM record"
                                " WHERE table_name = 'audit_log'"))
    table = sa.table('audit_entry', *(sa.column(c) for c in (
        'id', 'org_id', 'at', 'actor', 'action', 'table_name', 'record_id', 'detail',
        'device_id', 'received_at')))
    batch = []
    for rid, org_id, data, meta in rows:
        meta = json.loads(meta) if meta else {}
        device = (meta.get('*') or [None, None, None])[2]
        batch.append(entry_values(rid, org_id, json.loads(data), device))
        if len(batch) >= 5000:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)

    op.create_table('server_key',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_server_key'))
    )
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bundle_sign_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('bundle_box_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('usb_cursor', sa.BigInteger(), nullable=True))

    if conn.dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_PG_FUNCTION)
        op.execute(APPEND_ONLY_PG_TRIGGER)
    else:
        op.execute(APPEND_ONLY_SQLITE.format(what='update', verb='UPDATE'))
        op.execute(APPEND_ONLY_SQLITE.format(what='delete', verb='DELETE'))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('usb_cursor')
        batch_op.drop_column('bundle_box_key')
        batch_op.drop_column('bundle_sign_key')
    op.drop_table('server_key')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_record_id_at')
        batch_op.drop_index('ix_audit_entry_org_id_at')
    op.drop_table('audit_entry')
