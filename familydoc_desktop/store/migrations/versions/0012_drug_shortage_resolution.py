"""drug shortage resolution

A drug-shortage entry keeps how it was solved (bought in, sent over by the county hospital,
replaced by another drug) beside the date; an index on (resolved_on, reported_on) serves the
open list and the report.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drug_shortage") as batch:
        batch.add_column(sa.Column("resolution", sa.String(length=200), nullable=True))
    op.create_index("ix_drug_shortage_open", "drug_shortage", ["resolved_on", "reported_on"])


def downgrade() -> None:
    op.drop_index("ix_drug_shortage_open", "drug_shortage")
    with op.batch_alter_table("drug_shortage") as batch:
        batch.drop_column("resolution")
