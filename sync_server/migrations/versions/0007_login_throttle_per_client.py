"""Login lock-out per (username, source address) and per source address, so a stranger
cannot lock a doctor out from elsewhere. The old per-username rows are lock-out windows of
at most an hour: they are dropped, not carried over.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('login_throttle')
    op.create_table(
        'login_throttle',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.BigInteger(), nullable=False),
        sa.Column('last_at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('username', 'client', name=op.f('pk_login_throttle')),
    )
    op.create_index(op.f('ix_login_throttle_last_at'), 'login_throttle', ['last_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_login_throttle_last_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
    op.create_table(
        'login_throttle',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttle')),
    )
