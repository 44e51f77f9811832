"""long prescription refill date

A long prescription keeps the day its supply runs out (start + weeks), when the refill falls
due: the due list and the report read it through an index. Existing rows get it computed.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("long_prescription") as batch:
        batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
    op.execute("UPDATE long_prescription SET end_date = date(start_date, '+' || (weeks * 7)"
               " || ' days')")
    op.create_index("ix_long_prescription_end", "long_prescription", ["end_date"])


def downgrade() -> None:
    op.drop_index("ix_long_prescription_end", "long_prescription")
    with op.batch_alter_table("long_prescription") as batch:
        batch.drop_column("end_date")
