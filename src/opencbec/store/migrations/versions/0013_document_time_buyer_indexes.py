"""The officers' search reads documents by received time and by buyer through indexes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

The officers' document search lists documents newest first and filters them by received time, by
buyer and by status. No index served those: a search with no number (the first page of the search,
a time window, a buyer) read and sorted the whole document table, 62-254 ms on the 100,000-parcel
benchmark file and in proportion to the store beyond it.

- ``ix_document_received`` (``received_at, id``) gives the newest-first order and the time windows.
  Documents are stored in received order, so each insert lands at the index's end.
- ``ix_document_buyer`` (``buyer_id``, partial: orders and lists carry a buyer) finds a buyer's
  documents.

In alternating runs of the 100,000-parcel benchmark the two indexes cost clearing less than the
runs' spread (docs/performance.md). The upgrade builds each index in one pass over the table
(docs/deployment.md gives its time).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # a file made by ``create_all`` (adopted by 0001) may have them already
    indexes = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("document")}
    if "ix_document_received" not in indexes:
        op.create_index("ix_document_received", "document", ["received_at", "id"])
    if "ix_document_buyer" not in indexes:
        present = sa.text("buyer_id IS NOT NULL")
        op.create_index(
            "ix_document_buyer", "document", ["buyer_id"], sqlite_where=present, postgresql_where=present
        )


def downgrade() -> None:
    op.drop_index("ix_document_buyer", table_name="document")
    op.drop_index("ix_document_received", table_name="document")
