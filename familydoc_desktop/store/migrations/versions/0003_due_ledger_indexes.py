"""indexes for the home screen (due list, 80+ progress, ledger counts) at township scale

Indexes only: no column changes, so the synced data shape (SCHEMA_VERSION) is unchanged.
- contract(previous_id): "already renewed" NOT EXISTS was a full scan per expiring contract
  (31 s of the 34 s due list on the 60,000-resident demo).
- contract(resident_id, deleted, status, start_date, end_date): "signed on a day" read from
  the index alone. Resident first: `status != 'terminated'` cannot seek a status-first index.
- followup_visit(supersedes_id): the "not superseded" set comes from the index.
- ledger_assessment(resident_id, assessed_on, id, deleted, colour) replaces
  (resident_id, assessed_on): latest row per resident and its colour without table reads.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contract") as batch:
        batch.create_index("ix_contract_previous_id", ["previous_id"])
        batch.create_index("ix_contract_resident_signed",
                           ["resident_id", "deleted", "status", "start_date", "end_date"])
    with op.batch_alter_table("followup_visit") as batch:
        batch.create_index("ix_followup_visit_supersedes_id", ["supersedes_id"])
    with op.batch_alter_table("ledger_assessment") as batch:
        batch.drop_index("ix_ledger_resident_date")
        batch.create_index("ix_ledger_resident_current",
                           ["resident_id", "assessed_on", "id", "deleted", "colour"])


def downgrade() -> None:
    with op.batch_alter_table("ledger_assessment") as batch:
        batch.drop_index("ix_ledger_resident_current")
        batch.create_index("ix_ledger_resident_date", ["resident_id", "assessed_on"])
    with op.batch_alter_table("followup_visit") as batch:
        batch.drop_index("ix_followup_visit_supersedes_id")
    with op.batch_alter_table("contract") as batch:
        batch.drop_index("ix_contract_resident_signed")
        batch.drop_index("ix_contract_previous_id")
