"""The index of documents by kind, status and time holds the import lists only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

``ix_document_waiting`` (``kind, status, app_time``) served two queries, both on import lists: the
lists waiting for partners past their deadline (each clearing batch asks) and the officers'
queues of lists by status. It indexed every document, yet three in four are orders, payments and
waybills, and a clearing batch inserted an entry for each. It becomes ``ix_document_list_status``
(``status, app_time WHERE kind = 'inventory'``), a quarter of the size: in alternating runs of the
100,000-parcel benchmark (docs/performance.md) a run took about 1.5 s less. The queries on lists
name the kind as a literal (``schema.kind_is``), so that PostgreSQL's generic plans use it too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # a file made by ``create_all`` (adopted by 0001) may have the new index and not the old one
    indexes = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("document")}
    if "ix_document_waiting" in indexes:
        op.drop_index("ix_document_waiting", table_name="document")
    if "ix_document_list_status" not in indexes:
        lists = sa.text("kind = 'inventory'")
        op.create_index(
            "ix_document_list_status",
            "document",
            ["status", "app_time"],
            sqlite_where=lists,
            postgresql_where=lists,
        )


def downgrade() -> None:
    op.drop_index("ix_document_list_status", table_name="document")
    op.create_index("ix_document_waiting", "document", ["kind", "status", "app_time"])
