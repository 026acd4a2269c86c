"""Exports: export documents and their state, arrivals, generated declarations, export serials.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

Written out by hand from ``store/export_repo.py``. Tables already present are adopted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_INDEXES = {
    "ix_xdoc_kind_key": ["kind", "key"],
    "ix_xdoc_guid": ["guid"],
    "ix_xdoc_invt_no": ["invt_no"],
    "ix_xdoc_waybill": ["waybill_key"],
    "ix_xdoc_order": ["order_key"],
    "ix_xdoc_link": ["link_key"],
    "ix_xdoc_closed": ["ebc_code", "closed_at"],
}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "export_document" not in existing:
        op.create_table(
            "export_document",
            sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("key", sa.String(200), nullable=False),
            sa.Column("guid", sa.String(64), nullable=False),
            sa.Column("status", sa.String(8), nullable=False),
            sa.Column("info", sa.Text(), nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.Column("sender", sa.String(32), nullable=False),
            sa.Column("pre_no", sa.String(18)),
            sa.Column("invt_no", sa.String(20)),
            sa.Column("waybill_key", sa.String(200)),
            sa.Column("order_key", sa.String(200)),
            sa.Column("link_key", sa.String(60)),
            sa.Column("ebc_code", sa.String(18)),
            sa.Column("arrived_at", sa.DateTime()),
            sa.Column("released_at", sa.DateTime()),
            sa.Column("closed_at", sa.DateTime()),
            sa.Column("bill_no", sa.String(37)),
            sa.Column("sum_no", sa.String(18)),
            sa.Column("returned", sa.Text()),
            sa.Column("tax_exempt", sa.Boolean()),
            sa.Column("data", sa.Text(), nullable=False),
        )
        for name, columns in _INDEXES.items():
            op.create_index(name, "export_document", columns)
    if "export_arrival" not in existing:
        op.create_table(
            "export_arrival",
            sa.Column("waybill_key", sa.String(200), primary_key=True),
            sa.Column("at", sa.DateTime(), nullable=False),
        )
    if "export_declaration" not in existing:
        op.create_table(
            "export_declaration",
            sa.Column("decl_seq_no", sa.String(18), primary_key=True),
            sa.Column("sum_no", sa.String(18), nullable=False),
            sa.Column("ebc_code", sa.String(18), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("data", sa.Text(), nullable=False),
        )
        op.create_index("ix_export_declaration_sum_no", "export_declaration", ["sum_no"])
        op.create_index("ix_export_declaration_ebc_code", "export_declaration", ["ebc_code"])
    if "export_counter" not in existing:
        op.create_table(
            "export_counter",
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("value", sa.BigInteger(), nullable=False),
        )


def downgrade() -> None:
    for table in ("export_counter", "export_declaration", "export_arrival", "export_document"):
        op.drop_table(table)
