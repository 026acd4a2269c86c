"""Documents are found by guid through an index of its hash: ``document.guid_hash``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

``ix_document_guid`` indexed the guid itself: 36 characters, random, so on a large store nearly every
inserted document dirtied an index page of its own. ``document.guid_hash`` holds a signed 64-bit
BLAKE2b hash of the guid (``store.keys.guid_hash``), indexed by ``ix_document_guid_hash`` in its place,
an index about a third of the size; look-ups ask for the hash and the guid. The upgrade computes the
hash of every stored document, 10,000 rows at a time in id order (docs/deployment.md gives its time),
then builds the new index and drops the old one; the downgrade puts the guid index back.
"""

from __future__ import annotations

from hashlib import blake2b

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

#: Rows hashed per statement.
CHUNK = 10_000


def _guid_hash(guid: str) -> int:
    # the definition of ``store.keys.guid_hash`` at this revision (a migration does not follow later code)
    return int.from_bytes(blake2b(guid.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def upgrade() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    columns = {c["name"] for c in inspector.get_columns("document")}
    indexes = {i["name"] for i in inspector.get_indexes("document")}
    # a file made by ``create_all`` (adopted by 0001) may have the column and index already
    if "guid_hash" not in columns:
        op.add_column("document", sa.Column("guid_hash", sa.BigInteger(), nullable=True))
    document = sa.table("document", sa.column("id"), sa.column("guid"), sa.column("guid_hash"))
    update = (
        sa.update(document)
        .where(document.c.id == sa.bindparam("b_id"))
        .values(guid_hash=sa.bindparam("b_hash"))
    )
    last = None
    while True:
        query = sa.select(document.c.id, document.c.guid).order_by(document.c.id).limit(CHUNK)
        if last is not None:
            query = query.where(document.c.id > last)
        rows = conn.execute(query).fetchall()
        if not rows:
            break
        conn.execute(update, [{"b_id": i, "b_hash": _guid_hash(g)} for i, g in rows])
        last = rows[-1][0]
    if "ix_document_guid_hash" not in indexes:
        op.create_index("ix_document_guid_hash", "document", ["guid_hash"])
    if "ix_document_guid" in indexes:
        op.drop_index("ix_document_guid", table_name="document")


def downgrade() -> None:
    indexes = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("document")}
    if "ix_document_guid" not in indexes:
        op.create_index("ix_document_guid", "document", ["guid"])
    if "ix_document_guid_hash" in indexes:
        op.drop_index("ix_document_guid_hash", table_name="document")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("guid_hash")
