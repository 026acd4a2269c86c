"""Risk targeting: the selection record (why each list was sent to inspection, and its outcome),
the parties seen on cleared lists (history for the rules) and the officers' editable risk rules.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Written out by hand from ``store/risk_repo.py``. Tables already present are adopted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _serial() -> sa.Column[int]:
    """An autoincrement id: BIGSERIAL on PostgreSQL, INTEGER (the rowid) on SQLite."""
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    if "risk_selection" not in existing:
        op.create_table(
            "risk_selection",
            _serial(),
            sa.Column("invt_no", sa.String(20), nullable=False),
            sa.Column("document_id", sa.BigInteger()),
            sa.Column("customs_code", sa.String(8), nullable=False),
            sa.Column("selected_at", sa.DateTime(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("status", sa.String(8), nullable=False),
            sa.Column("reason_code", sa.String(8), nullable=False),
            sa.Column("score", sa.Float()),
            sa.Column("revenue_at_stake", sa.Float()),
            sa.Column("model_version", sa.String(64)),
            sa.Column("rules", sa.Text(), nullable=False),
            sa.Column("reasons", sa.Text(), nullable=False),
            sa.Column("facts", sa.Text(), nullable=False),
            sa.Column("outcome", sa.String(8)),
            sa.Column("outcome_at", sa.DateTime()),
        )
        op.create_index("ix_risk_selection_invt", "risk_selection", ["invt_no"])
        op.create_index("ix_risk_selection_day", "risk_selection", ["customs_code", "day"])
    if "risk_observation" not in existing:
        op.create_table(
            "risk_observation",
            _serial(),
            sa.Column("invt_no", sa.String(20), nullable=False),
            sa.Column("customs_code", sa.String(8), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("buyer_id", sa.String(64), nullable=False),
            sa.Column("consignee", sa.String(200), nullable=False),
            sa.Column("phone", sa.String(64), nullable=False),
            sa.Column("address", sa.String(255), nullable=False),
            sa.Column("payer_id", sa.String(64), nullable=False),
            sa.Column("ebc_code", sa.String(32), nullable=False),
            sa.Column("value_fen", sa.BigInteger(), nullable=False),
            sa.Column("score", sa.Float()),
        )
        op.create_index("ix_risk_obs_buyer", "risk_observation", ["buyer_id", "day"])
        op.create_index("ix_risk_obs_phone", "risk_observation", ["phone", "day"])
        op.create_index("ix_risk_obs_address", "risk_observation", ["address", "day"])
        op.create_index("ix_risk_obs_office_day", "risk_observation", ["customs_code", "day"])
        op.create_index("ix_risk_obs_ebc", "risk_observation", ["ebc_code"])
    if "risk_rule" not in existing:
        op.create_table(
            "risk_rule",
            _serial(),
            sa.Column("rule_id", sa.String(64), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("definition", sa.Text(), nullable=False),
            sa.Column("valid_from", sa.Date(), nullable=False),
            sa.Column("valid_to", sa.Date()),
            sa.Column("enabled", sa.Boolean(), nullable=False),
            sa.Column("changed_by", sa.String(64), nullable=False),
            sa.Column("changed_at", sa.DateTime(), nullable=False),
            sa.UniqueConstraint("rule_id", "version", name="uq_risk_rule_version"),
        )
        op.create_index("ix_risk_rule_id", "risk_rule", ["rule_id"])


def downgrade() -> None:
    op.drop_table("risk_rule")
    for name in (
        "ix_risk_obs_ebc",
        "ix_risk_obs_office_day",
        "ix_risk_obs_address",
        "ix_risk_obs_phone",
        "ix_risk_obs_buyer",
    ):
        op.drop_index(name, "risk_observation")
    op.drop_table("risk_observation")
    op.drop_index("ix_risk_selection_day", "risk_selection")
    op.drop_index("ix_risk_selection_invt", "risk_selection")
    op.drop_table("risk_selection")
