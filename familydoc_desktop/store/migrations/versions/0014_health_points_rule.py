"""health points rule

Points earned keep the code of the earning rule (resources/rulesets/points_default.json) they
were given under, so a rule's yearly limit counts its own events.

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("health_points") as batch:
        batch.add_column(sa.Column("rule", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("health_points") as batch:
        batch.drop_column("rule")
