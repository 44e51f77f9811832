"""record.content_hash: each record's content hash for the digest of values (issue 14).

NULL for the rows already there: the next digest computes and keeps them. A later migration
that changes a synced table's columns must set content_hash to NULL again (the hash covers
the server's wire columns).

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (no table copy of every record on SQLite).
    op.add_column('record', sa.Column('content_hash', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('record') as batch:
        batch.drop_column('content_hash')
