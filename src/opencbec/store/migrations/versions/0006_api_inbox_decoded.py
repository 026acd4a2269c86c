"""The decoded form of a queued submission (``api_inbox.decoded``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

The HTTP process that accepts a submission keeps its decoded form (``message_json.message_to_json``)
with it, so that the clearing worker need not parse the XML again; the column is cleared with
``raw`` once the submission is cleared. Nullable: rows queued before it are decoded from their
bytes. A table that already has the column (made by ``create_all``) is adopted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("api_inbox")}
    if "decoded" not in columns:
        op.add_column("api_inbox", sa.Column("decoded", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_inbox") as batch:
        batch.drop_column("decoded")
