"""How a device's latest sync report arrived: over the network or on a USB stick
(`familydoc-server bundle import`), so the township's sync report shows USB-synced PCs like
any other and says which they are.

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
    with op.batch_alter_table('device_health') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=8), nullable=False,
                                   server_default='network'))


def downgrade() -> None:
    with op.batch_alter_table('device_health') as batch:
        batch.drop_column('channel')
