"""recompute resident pinyin initials character by character

Names are now read one character at a time (pypinyin without its phrase dictionary, which
was built for running text), with 长 read "chang" in given names. Initials stored by earlier
versions followed phrase context only sometimes (丁长 -> dz, 张长春 -> zcc); recomputing
them keeps search by initials consistent. Only rows whose initials change are written.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from familydoc_desktop.store.search_keys import initials

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, initials FROM resident")).all()
    changed = [{"id": r.id, "initials": initials(r.name or "")} for r in rows
               if initials(r.name or "") != r.initials]
    if changed:
        conn.execute(sa.text("UPDATE resident SET initials = :initials WHERE id = :id"), changed)


def downgrade() -> None:
    pass  # the earlier initials are as good a search key; nothing to undo
