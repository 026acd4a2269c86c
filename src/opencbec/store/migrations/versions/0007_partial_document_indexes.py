"""The document indexes of columns most rows leave empty hold only the rows that have a value.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

``link_key`` and ``invt_no`` are set on import lists only, ``pre_no`` on lists, cancels and
returns: three of every four documents (orders, payments, waybills) have none of them. Their
indexes become partial (``WHERE column IS NOT NULL``), a quarter of the size, so that a clearing
batch keeps more of the indexes it writes in the page cache. Every query on these columns asks for
a value (``=``, ``IN``), which the planners of SQLite and PostgreSQL match to a partial index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

#: (index, column) made partial.
PARTIAL = (
    ("ix_document_invt_no", "invt_no"),
    ("ix_document_link_key", "link_key"),
    ("ix_document_order_no", "pre_no"),
)


def upgrade() -> None:
    for name, column in PARTIAL:
        op.drop_index(name, table_name="document")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "document", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, column in PARTIAL:
        op.drop_index(name, table_name="document")
        op.create_index(name, "document", [column])
