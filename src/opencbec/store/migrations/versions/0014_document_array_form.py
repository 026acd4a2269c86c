"""Documents may be stored in their array form: ``document.data`` as ``["a1",[...],[...]]``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

Clearing stores a document's text as the arrays of its records' field values (``store.record_arrays``)
when it reads back equal from them: two fifths shorter than the named form and faster to read back.
The column and its type do not change, and the rows written before keep their named form
(``{"head":...}``), which every reader still reads. So the upgrade changes nothing; this revision
marks the point after which a store may hold the array form. The downgrade writes every such row in
the named form again, so that the versions before can read the store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opencbec.domain.documents import DocumentKind
from opencbec.store.record_arrays import document_from_array
from opencbec.store.serialize import document_to_json

revision = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

#: Rows rewritten per statement by the downgrade.
CHUNK = 5_000


def upgrade() -> None:
    pass  # nothing to change: the readers read both forms


def downgrade() -> None:
    conn = op.get_bind()
    document = sa.table("document", sa.column("id"), sa.column("kind"), sa.column("data"))
    arrays = (
        sa.select(document.c.id, document.c.kind, document.c.data)
        .where(document.c.data.like("[%"), document.c.id > sa.bindparam("after"))
        .order_by(document.c.id)
        .limit(CHUNK)
    )
    rewrite = (
        sa.update(document).where(document.c.id == sa.bindparam("b_id")).values(data=sa.bindparam("b_data"))
    )
    after = -(2**63)
    while True:
        rows = conn.execute(arrays, {"after": after}).all()
        if not rows:
            return
        named = [
            {"b_id": row_id, "b_data": document_to_json(document_from_array(DocumentKind(kind), data))}
            for row_id, kind, data in rows
        ]
        conn.execute(rewrite, named)
        after = rows[-1][0]
