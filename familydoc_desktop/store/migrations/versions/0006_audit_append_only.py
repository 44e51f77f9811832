"""audit log append-only

The access log is evidence (PIPL): once written, an entry's content cannot be changed and no
entry can be removed. Two triggers refuse it in the database itself, whatever code path (or
sqlite3 shell) tries: a DELETE, and an UPDATE that changes what an entry says. Sync bookkeeping
(server_seq, hlc, updated_at, the tombstone flag a departed record gets) stays writable.
An index on (record_id, created_at) serves `familydoc audit --resident`.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONTENT = ("actor", "action", "table_name", "record_id", "detail", "created_at", "at_hlc", "id")


def upgrade() -> None:
    op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN"
               " SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
    op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
               f" WHEN {changed} BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    op.create_index("ix_audit_log_record", "audit_log", ["record_id", "created_at"])
    op.create_index("ix_audit_log_created", "audit_log", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_created", table_name="audit_log")
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    op.execute("DROP TRIGGER audit_log_no_update")
    op.execute("DROP TRIGGER audit_log_no_delete")
