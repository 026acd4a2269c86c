"""Initial schema: the clearing store, imported positive lists, registered enterprises.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Written out by hand from ``store/schema.py``, ``store/positive_list_repo.py`` and
``store/enterprise_repo.py`` as they were when migrations were introduced. A database created
earlier by ``create_all`` is adopted: only the tables it lacks are created.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _serial() -> sa.Column[int]:
    """An autoincrement id: BIGSERIAL on PostgreSQL, INTEGER (the rowid) on SQLite."""
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )


def _message() -> None:
    op.create_table(
        "message",
        _serial(),
        sa.Column("guid", sa.String(64)),
        sa.Column("message_type", sa.String(32)),
        sa.Column("sender", sa.String(32)),
        sa.Column("cop_msg_id", sa.String(255)),
        sa.Column("source", sa.Text()),
        sa.Column("received_at", sa.DateTime()),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("info", sa.Text()),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
    )


def _document() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("guid", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(32), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("info", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("app_time", sa.DateTime()),
        sa.Column("link_key", sa.String(200)),
        sa.Column("buyer_id", sa.String(64)),
        sa.Column("pre_no", sa.String(18)),
        sa.Column("invt_no", sa.String(20)),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("dutiable_value", sa.String(32)),
        sa.Column("line_values", sa.Text()),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Index("ix_document_kind_key", "kind", "key"),
        sa.Index("ix_document_guid", "guid"),
        sa.Index("ix_document_invt_no", "invt_no"),
        sa.Index("ix_document_link_key", "link_key"),
        sa.Index("ix_document_waiting", "kind", "status", "app_time"),
        sa.Index("ix_document_order_no", "pre_no"),
    )


def _status_event() -> None:
    op.create_table(
        "status_event",
        _serial(),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("info", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Index("ix_status_event_document_id", "document_id"),
    )


def _ledger_entry() -> None:
    op.create_table(
        "ledger_entry",
        _serial(),
        sa.Column("buyer_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("invt_no", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Index("ix_ledger_buyer_year", "buyer_id", "year"),
    )


def _quantity_entry() -> None:
    op.create_table(
        "quantity_entry",
        _serial(),
        sa.Column("buyer_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tariff_line", sa.String(8), nullable=False),
        sa.Column("qty", sa.String(32), nullable=False),
        sa.Column("invt_no", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Index("ix_quantity_buyer_year", "buyer_id", "year"),
    )


def _returned_line() -> None:
    op.create_table(
        "returned_line",
        _serial(),
        sa.Column("invt_no", sa.String(20), nullable=False),
        sa.Column("gnum", sa.Integer(), nullable=False),
        sa.Column("qty", sa.String(32), nullable=False),
        sa.Index("ix_returned_line_invt_no", "invt_no"),
    )


def _tax_note() -> None:
    op.create_table(
        "tax_note",
        _serial(),
        sa.Column("tax_no", sa.String(50), nullable=False),
        sa.Column("invt_no", sa.String(20), nullable=False),
        sa.Column("status", sa.String(1), nullable=False),
        sa.Column("receiver", sa.String(32), nullable=False),
        sa.Column("head", sa.Text(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Index("ix_tax_note_invt_no", "invt_no"),
    )


def _outbox() -> None:
    op.create_table(
        "outbox",
        _serial(),
        sa.Column("message_type", sa.String(32), nullable=False),
        sa.Column("receiver", sa.String(32), nullable=False),
        sa.Column("guid", sa.String(64), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Index("ix_outbox_pending", "delivered"),
    )


def _counter() -> None:
    op.create_table(
        "counter",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )


def _meta() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def _positive_list_version() -> None:
    op.create_table(
        "positive_list_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("source_file", sa.String(255), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
    )


def _positive_list_line() -> None:
    op.create_table(
        "positive_list_line",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("positive_list_version.id"), nullable=False),
        sa.Column("seq", sa.Integer()),
        sa.Column("tariff_line", sa.String(8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.Column("bonded_only", sa.Boolean(), nullable=False),
        sa.Column("name_whitelist", sa.Text()),
        sa.Column("excluded_note", sa.Text()),
        sa.Column("per_person_annual_qty", sa.String(32)),
        sa.Column("qty_unit", sa.String(16)),
        sa.Index("ix_positive_list_line_version_id", "version_id"),
    )


def _enterprise() -> None:
    op.create_table(
        "enterprise",
        sa.Column("code", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )


def _enterprise_certificate() -> None:
    op.create_table(
        "enterprise_certificate",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("enterprise_code", sa.String(18), sa.ForeignKey("enterprise.code"), nullable=False),
        sa.Column("fingerprint_sha256", sa.String(64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cert_pem", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("enterprise_code", "fingerprint_sha256", name="uq_enterprise_certificate"),
        sa.Index("ix_enterprise_certificate_enterprise_code", "enterprise_code"),
    )


#: In creation order (a referenced table before the one referring to it).
TABLES: dict[str, Callable[[], None]] = {
    "message": _message,
    "document": _document,
    "status_event": _status_event,
    "ledger_entry": _ledger_entry,
    "quantity_entry": _quantity_entry,
    "returned_line": _returned_line,
    "tax_note": _tax_note,
    "outbox": _outbox,
    "counter": _counter,
    "meta": _meta,
    "positive_list_version": _positive_list_version,
    "positive_list_line": _positive_list_line,
    "enterprise": _enterprise,
    "enterprise_certificate": _enterprise_certificate,
}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:  # adopt a database made by create_all before migrations
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
