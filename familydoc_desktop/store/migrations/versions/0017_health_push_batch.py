"""health pushes to a group, and the indexes of the push and survey lists

A push to a group (a village's WeChat group, a printed leaflet handed round) is one
`health_push` row per resident sharing a `batch_id`. Pushes per resident this year (the list
of residents short of 12, the report's health_push_12_rate) and the survey list newest first
are read through partial indexes over live rows.

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("health_push") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(length=36), nullable=True))
    op.create_index("ix_health_push_live_resident", "health_push", ["resident_id", "on_date"],
                    sqlite_where=sa.text("deleted = 0"))
    op.create_index("ix_satisfaction_survey_live_date", "satisfaction_survey", ["on_date", "id"],
                    sqlite_where=sa.text("deleted = 0"))


def downgrade() -> None:
    op.drop_index("ix_satisfaction_survey_live_date", table_name="satisfaction_survey")
    op.drop_index("ix_health_push_live_resident", table_name="health_push")
    with op.batch_alter_table("health_push") as batch:
        batch.drop_column("batch_id")
