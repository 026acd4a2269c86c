"""A received message's bytes may be stored compressed: ``message.raw_codec``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

``cbec clear`` stores each message file's bytes compressed with Zstandard (``raw_codec =
'zstd'``, one frame; the decoding workers compress them, level 1, about a fifth of the size), so
that a day's raw messages take a fifth of the disk and of the writes. ``NULL`` means the bytes as
received: the rows written before this revision, and those of the online service.
``zstandard.ZstdDecompressor().decompress(raw)`` gives a compressed row's bytes back exactly.
"""

from __future__ import annotations

import sqlalchemy as sa
import zstandard
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
    packed = sa.select(message.c.id, message.c.raw, message.c.raw_codec).where(
        message.c.raw_codec.is_not(None)
    )
    for row_id, raw, codec in conn.execute(packed).fetchall():
        if codec != "zstd":
            raise ValueError(f"message {row_id}: unknown raw_codec {codec!r}")
        plain = zstandard.ZstdDecompressor().decompress(raw)
        conn.execute(sa.update(message).where(message.c.id == row_id).values(raw=plain, raw_codec=None))
    with op.batch_alter_table("message") as batch:
        batch.drop_column("raw_codec")
