"""Departures: records that left an org, so devices of that org are told in pull.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('departure',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_departure'))
    )
    with op.batch_alter_table('departure', schema=None) as batch_op:
        batch_op.create_index('ix_departure_org_id_seq', ['org_id', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('departure', schema=None) as batch_op:
        batch_op.drop_index('ix_departure_org_id_seq')
    op.drop_table('departure')
