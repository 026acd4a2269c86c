"""Look-ups by order or waybill number through the key indexes: ``party_code``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

A search by a bare order or waybill number matched the end of the key (``LIKE '%/N'``) and read
the whole document table. ``party_code`` holds the enterprise codes that begin stored keys, by role
(``ebp``: ``ebpCode/orderNo``; ``logistics``: ``logisticsCode/logisticsNo``), and a look-up probes
the key indexes once per code (``store.numbers``). The upgrade creates the table and fills it from
the stored documents in one read of each document table (docs/deployment.md gives its time); the
downgrade drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

#: (role, column, table, condition): where the stored keys of each role are.
_SOURCES = (
    ("ebp", "key", "document", "kind IN ('order', 'payment', 'inventory')"),
    ("logistics", "key", "document", "kind = 'waybill'"),
    ("logistics", "link_key", "document", "link_key IS NOT NULL"),
    ("logistics", "waybill_key", "export_document", "waybill_key IS NOT NULL"),
    ("ebp", "order_key", "export_document", "order_key IS NOT NULL"),
)


def _code(column: str, dialect: str) -> str:
    """SQL for the text before the first ``/`` of ``column`` (all of it when there is none), as
    ``store.numbers.code_of`` at this revision."""
    if dialect == "postgresql":
        return f"split_part({column}, '/', 1)"
    slash = f"instr({column}, '/')"
    return f"CASE WHEN {slash} > 0 THEN substr({column}, 1, {slash} - 1) ELSE {column} END"


def upgrade() -> None:
    conn = op.get_bind()
    if "party_code" not in set(sa.inspect(conn).get_table_names()):
        op.create_table(
            "party_code",
            sa.Column("role", sa.String(16), primary_key=True),
            sa.Column("code", sa.String(200), primary_key=True),
        )
    dialect = conn.dialect.name
    for role, column, table, where in _SOURCES:
        select = f"SELECT DISTINCT '{role}', {_code(column, dialect)} FROM {table} WHERE {where}"
        if dialect == "postgresql":
            conn.execute(sa.text(f"INSERT INTO party_code (role, code) {select} ON CONFLICT DO NOTHING"))
        else:
            conn.execute(sa.text(f"INSERT OR IGNORE INTO party_code (role, code) {select}"))


def downgrade() -> None:
    op.drop_table("party_code")
