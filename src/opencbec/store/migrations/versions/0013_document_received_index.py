"""The officers' search reads documents newest first, and by received time, through an index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

The officers' document search lists documents newest first and filters them by received time and by
status. No index served that order: a search with no number (the search's first page, a time window,
a kind, a status) read and sorted the whole document table, 61-551 ms on the 100,000-parcel benchmark
file and in proportion to the store beyond it. ``ix_document_received`` (``received_at, id``) gives the
order and the time windows, so such a search stops at the end of its page. Documents are stored in
received order, so each insert lands at the index's end.

An index of buyers was tried with it and not kept: its random keys cost the 1,000,000-parcel run some
40 s of 600 (docs/performance.md). The upgrade builds the index in one pass over the table
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
    # a file made by ``create_all`` (adopted by 0001) may have it already
    if "ix_document_received" not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("document")}:
        op.create_index("ix_document_received", "document", ["received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_document_received", table_name="document")
