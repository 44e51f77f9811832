"""record.tally, record.tally_shape: the indicator tally's fields of each record kept beside
its JSON `data`, so the server's indicator report reads them without parsing `data`
(services/tally_fields.py, services/indicators.py; issue 10).

Filled here for the records already there, set-based (one UPDATE per table the tally reads,
the fields extracted by the database: tally_fields.refill). A record left NULL, or filled for
another field list, is still counted (read from `data`), only slower.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs on both databases (no table copy of every record on SQLite).
    op.add_column('record', sa.Column('tally', sa.Text(), nullable=True))
    op.add_column('record', sa.Column('tally_shape', sa.Integer(), nullable=True))
    from sync_server.services import tally_fields

    tally_fields.refill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('record') as batch:
        batch.drop_column('tally_shape')
        batch.drop_column('tally')
