"""The latest sync-health report per device (app and schema version, pending, refused,
conflicts, clock offset, digest check, records per table, last error), for the township's
sync report (GET /api/v1/reports/sync).

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_health',
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('app_version', sa.String(length=32), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('refused_reasons', sa.Text(), nullable=False),
    sa.Column('set_aside', sa.Integer(), nullable=False),
    sa.Column('open_conflicts', sa.Integer(), nullable=False),
    sa.Column('clock_offset_ms', sa.BigInteger(), nullable=True),
    sa.Column('digest_checked_at', sa.BigInteger(), nullable=True),
    sa.Column('digest_ok', sa.Boolean(), nullable=True),
    sa.Column('records', sa.Text(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('last_error_at', sa.BigInteger(), nullable=True),
    sa.Column('sync_ok', sa.Boolean(), nullable=False),
    sa.Column('reported_at', sa.BigInteger(), nullable=False),
    sa.Column('last_sync_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'],
                            name=op.f('fk_device_health_device_id_device')),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_device_health'))
    )


def downgrade() -> None:
    op.drop_table('device_health')
