"""A receipt message's bytes may be stored compressed: ``outbox.xml_codec``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Clearing stores each receipt message compressed with Zstandard (``xml_codec = 'zstd'``, one
frame, level 1, about a twelfth of the size): as XML, a run's receipts were over a third of the
database and of its writes. ``NULL`` means the XML as encoded: the rows written before this
revision. ``store.codec.plain`` gives either back exactly; delivery (files, the API, webhooks)
always hands out the XML.
"""

from __future__ import annotations

import sqlalchemy as sa
import zstandard
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # a file made before migrations (``create_all``, adopted by 0001) may have the column already
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("outbox")}
    if "xml_codec" not in columns:
        op.add_column("outbox", sa.Column("xml_codec", sa.String(8), nullable=True))


def downgrade() -> None:
    # the compressed rows are made plain again before the column that says so goes
    conn = op.get_bind()
    outbox = sa.table("outbox", sa.column("id"), sa.column("xml"), sa.column("xml_codec"))
    packed = sa.select(outbox.c.id, outbox.c.xml, outbox.c.xml_codec).where(outbox.c.xml_codec.is_not(None))
    for row_id, xml, codec in conn.execute(packed).fetchall():
        if codec != "zstd":
            raise ValueError(f"outbox {row_id}: unknown xml_codec {codec!r}")
        text = zstandard.ZstdDecompressor().decompress(xml)
        conn.execute(sa.update(outbox).where(outbox.c.id == row_id).values(xml=text, xml_codec=None))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("xml_codec")
