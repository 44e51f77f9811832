"""health check-up fields on the visit record

A health check-up (健康体检, visit kind `checkup`) is a visit with its own results: lifestyle,
the main findings, the conclusion (健康评价) and advice. Nullable columns; existing visits keep
NULL. The server keeps records generically (no server migration).

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followup_visit") as batch:
        batch.add_column(sa.Column("lifestyle", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("findings", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("conclusion", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("health_advice", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followup_visit") as batch:
        for name in ("health_advice", "conclusion", "findings", "lifestyle"):
            batch.drop_column(name)
