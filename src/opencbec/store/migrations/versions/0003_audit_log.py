"""The officers' append-only audit log (with database triggers refusing UPDATE/DELETE) and the
index that keeps the receipt feed fast.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Written out by hand from ``store/audit_repo.py`` and ``store/schema.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    if "audit_log" not in existing:
        op.create_table(
            "audit_log",
            sa.Column(
                "id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                primary_key=True,
                autoincrement=True,
            ),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("officer", sa.String(64), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("action", sa.String(64), nullable=False),
            sa.Column("target", sa.String(200), nullable=False),
            sa.Column("details", sa.Text(), nullable=False),
        )
        op.create_index("ix_audit_target", "audit_log", ["target"])
        op.create_index("ix_audit_officer_at", "audit_log", ["officer", "at"])
        op.create_index("ix_audit_at", "audit_log", ["at"])
        from opencbec.store.audit_repo import _GUARDS

        for statement in _GUARDS.get(bind.dialect.name, []):
            op.execute(statement)
    indexes = {ix["name"] for ix in sa.inspect(bind).get_indexes("outbox")}
    if "ix_outbox_receiver" not in indexes:
        op.create_index("ix_outbox_receiver", "outbox", ["receiver", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_receiver", "outbox")
    op.drop_table("audit_log")
