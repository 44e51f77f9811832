"""outbox base_hlc

An edit remembers the HLC of the row version it started from (`base_hlc`, beside base_seq).
After the server is restored from a backup, base_seq numbers of the lost window mean nothing
on the server; base_hlc still tells which changes the edit had seen (sync/resync.py).

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_outbox") as batch:
        batch.add_column(sa.Column("base_hlc", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_outbox") as batch:
        batch.drop_column("base_hlc")
