"""record(table_name, org_id): the server's indicator report reads one table's records of the
orgs in scope (services/indicators.py). Without it PostgreSQL scans every record once per table
(13 scans for one report) and SQLite reads a table's records of every org, the whole county's
for one township.

Revision ID: 0010
Revises: 0009
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_record_table_name_org_id', 'record', ['table_name', 'org_id'])


def downgrade() -> None:
    op.drop_index('ix_record_table_name_org_id', table_name='record')
