"""satisfaction survey method and answers

A survey keeps how it was taken (phone or in person) and the score of each question; `score`
stays the survey's overall score (the mean, rounded), which the satisfaction rate counts.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("satisfaction_survey") as batch:
        batch.add_column(sa.Column("method", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("answers", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("satisfaction_survey") as batch:
        batch.drop_column("answers")
        batch.drop_column("method")
