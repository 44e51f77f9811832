"""Server epochs: a restore from backup (or a sequence that went back) starts a new epoch,
so clinic PCs notice and resync. The first epoch begins at the current counter.

Revision ID: 0008
Revises: 0007
"""
import time
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'server_epoch',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('epoch', sa.String(length=36), nullable=False),
        sa.Column('base_seq', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_server_epoch')),
        sa.UniqueConstraint('epoch', name=op.f('uq_server_epoch_epoch')),
    )
    counter = op.get_bind().execute(
        sa.text("SELECT value FROM counter WHERE name = 'seq'")).scalar() or 0
    # A database restored from a backup older than this migration gets a new epoch here too:
    # PCs that knew the newer server's epoch resync.
    op.bulk_insert(table, [{'epoch': str(uuid.uuid4()), 'base_seq': int(counter),
                            'reason': 'created', 'created_at': int(time.time() * 1000)}])


def downgrade() -> None:
    op.drop_table('server_epoch')
