"""referral workflow: sent -> received -> completed, or returned, each step dated

A referral gets its urgency, the date of each step and the follow-up that prompted it; the old
status codes become the workflow's (pending -> sent, accepted -> received, cancelled ->
returned). An index on (direction, referral_date) serves the due list's down-referrals and the
report.

Revision ID: 0010
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

RENAMES = (("pending", "sent"), ("accepted", "received"), ("cancelled", "returned"))


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("urgent", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("returned_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("visit_id", sa.String(length=36), nullable=True))
    for old, new in RENAMES:
        op.execute(f"UPDATE referral SET status = '{new}' WHERE status = '{old}'")
    # An old completed or received referral has no step date: its referral date stands in.
    op.execute("UPDATE referral SET received_on = referral_date"
               " WHERE status IN ('received', 'completed')")
    op.execute("UPDATE referral SET completed_on = referral_date WHERE status = 'completed'")
    op.execute("UPDATE referral SET returned_on = referral_date WHERE status = 'returned'")
    op.create_index("ix_referral_direction_date", "referral", ["direction", "referral_date"])


def downgrade() -> None:
    op.drop_index("ix_referral_direction_date", "referral")
    for old, new in RENAMES:
        op.execute(f"UPDATE referral SET status = '{old}' WHERE status = '{new}'")
    with op.batch_alter_table("referral") as batch:
        for name in ("visit_id", "returned_on", "completed_on", "received_on", "urgent"):
            batch.drop_column(name)
