"""resident search keys: pinyin initials and reversed ID/phone for indexed tail search

Adds the columns and fills them for residents already on the device (a field database
upgraded in place keeps every row and becomes searchable by 'wxy' or an ID tail).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from familydoc_desktop.store.search_keys import resident_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resident") as batch:
        batch.add_column(sa.Column("initials", sa.String(50), nullable=False, server_default=""))
        batch.add_column(sa.Column("id_rev", sa.String(18), nullable=True))
        batch.add_column(sa.Column("phone_rev", sa.String(20), nullable=True))
        batch.create_index("ix_resident_initials", ["initials"])
        batch.create_index("ix_resident_id_rev", ["id_rev"])
        batch.create_index("ix_resident_phone_rev", ["phone_rev"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, id_number, phone FROM resident")).all()
    if rows:
        conn.execute(
            sa.text("UPDATE resident SET initials=:initials, id_rev=:id_rev, "
                    "phone_rev=:phone_rev WHERE id=:id"),
            [{"id": r.id, **resident_keys(r.name, r.id_number, r.phone)} for r in rows])


def downgrade() -> None:
    with op.batch_alter_table("resident") as batch:
        batch.drop_index("ix_resident_phone_rev")
        batch.drop_index("ix_resident_id_rev")
        batch.drop_index("ix_resident_initials")
        batch.drop_column("phone_rev")
        batch.drop_column("id_rev")
        batch.drop_column("initials")
