"""A received message's bytes may be stored compressed: ``message.raw_codec``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

``cbec clear`` stores each message file's bytes zlib-compressed (``raw_codec = 'zlib'``; the
decoding workers compress them, level 1, about a fifth of the size), so that a day's raw
messages take a fifth of the disk and of the writes. ``NULL`` means the bytes as received: the
rows written before this revision, and those of the online service. ``zlib.decompress(raw)``
gives a compressed row's bytes back exactly.
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # a file made before migrations (``create_all``, adopted by 0001) may have the column already
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("message")}
    if "raw_codec" not in columns:
        op.add_column("message", sa.Column("raw_codec", sa.String(8), nullable=True))


def downgrade() -> None:
    # the compressed rows are made plain again before the column that says so goes
    conn = op.get_bind()
    message = sa.table("message", sa.column("id"), sa.column("raw"), sa.column("raw_codec"))
    rows = conn.execute(sa.select(message.c.id, message.c.raw).where(message.c.raw_codec == "zlib"))
    for row_id, raw in rows.fetchall():
        conn.execute(
            sa.update(message).where(message.c.id == row_id).values(raw=zlib.decompress(raw), raw_codec=None)
        )
    with op.batch_alter_table("message") as batch:
        batch.drop_column("raw_codec")
