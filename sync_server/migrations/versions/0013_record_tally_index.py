"""PostgreSQL: an index of the indicator report's arrays, record(table_name, org_id) INCLUDE
(deleted, tally_shape, tally), so a township's report reads each table's arrays by an
index-only scan of ~200-byte entries instead of a heap scan of the ~1 KB records
(services/indicators.py; issue 10).

Beside ix_record_table_name_org_id, not instead of it: an index-only scan needs the pages
marked all-visible by (auto)vacuum; until then the planner reads the records through the
small index as before (with only the wide one it chose a scan of the whole table per tally
table: slower than before). SQLite gets no such index: its read of the arrays costs ~70 ms
for the 60,000-resident township already, the JSON parse in Python dominates.

The arrays are bounded: every field the tally reads has a maximum length or is a date or a
number (tests/server/test_tally_fields.py checks that an array stays far below a B-tree
entry's limit of ~2.7 KB).

Revision ID: 0013
Revises: 0012
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_record_tally', 'record', ['table_name', 'org_id'],
                        postgresql_include=['deleted', 'tally_shape', 'tally'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_record_tally', table_name='record')
