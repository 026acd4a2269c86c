"""The HTTP API's tables: credentials, the submission inbox, the receipt index, webhooks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Written out by hand from ``store/api_repo.py``. A database whose API tables were made earlier by
``create_all`` (``ensure_api_tables``) is adopted: only the tables it lacks are created.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _serial() -> sa.Column[int]:
    """An autoincrement id: BIGSERIAL on PostgreSQL, INTEGER (the rowid) on SQLite."""
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )


def _credential() -> None:
    op.create_table(
        "api_credential",
        _serial(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )


def _inbox() -> None:
    op.create_table(
        "api_inbox",
        _serial(),
        sa.Column("enterprise", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("message_type", sa.String(32)),
        sa.Column("guid", sa.String(64)),
        sa.Column("cop_msg_id", sa.String(255)),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("message_id", sa.BigInteger()),
        sa.Column("receipt_floor", sa.BigInteger()),
        sa.Column("receipt_id", sa.BigInteger()),
        sa.Column("info", sa.Text(), nullable=False),
        sa.Column("cleared_at", sa.DateTime()),
    )
    op.create_index("ix_api_inbox_status", "api_inbox", ["status", "id"])
    op.create_index("ix_api_inbox_enterprise", "api_inbox", ["enterprise", "id"])


def _receipt_ref() -> None:
    op.create_table(
        "api_receipt_ref",
        sa.Column("outbox_id", sa.BigInteger(), primary_key=True),
        sa.Column("ref", sa.String(64), primary_key=True),
        sa.Column("receiver", sa.String(32), nullable=False),
    )
    op.create_index("ix_api_receipt_ref_ref", "api_receipt_ref", ["ref", "receiver"])


def _state() -> None:
    op.create_table(
        "api_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def _webhook() -> None:
    op.create_table(
        "api_webhook",
        sa.Column("enterprise", sa.String(32), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime()),
        sa.Column("lease_until", sa.DateTime()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def _webhook_attempt() -> None:
    op.create_table(
        "api_webhook_attempt",
        _serial(),
        sa.Column("enterprise", sa.String(32), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_index("ix_api_webhook_attempt_enterprise", "api_webhook_attempt", ["enterprise", "id"])


TABLES: dict[str, Callable[[], None]] = {
    "api_credential": _credential,
    "api_inbox": _inbox,
    "api_receipt_ref": _receipt_ref,
    "api_state": _state,
    "api_webhook": _webhook,
    "api_webhook_attempt": _webhook_attempt,
}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:  # adopt tables made by create_all before this revision
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        if name in set(sa.inspect(op.get_bind()).get_table_names()):
            op.drop_table(name)
