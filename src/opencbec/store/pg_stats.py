"""Keeping PostgreSQL's planner statistics current while clearing fills an empty database.

A fresh database (or one that grows fast) has no statistics until autovacuum's next analyze, up
to a minute or more away; meanwhile the planner takes the tables for tiny and the batch lookups
(``key IN (...)``, ``guid IN (...)``) scan the whole ``document`` table. The store counts the
documents it adds and, after a batch has committed, analyzes the clearing tables whenever they
have grown by a quarter (at least ``MIN_ROWS`` documents) since the last analyze it knows of.
Outside the batch transaction, so it changes neither what is stored nor the clearing lock.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

#: The tables the clearing reads by key, analyzed together.
TABLES = "document, ledger_entry, quantity_entry, tax_note, returned_line"
MIN_ROWS = 4000


class PlannerStats:
    """Documents added since the last analyze, and the size of ``document`` then."""

    def __init__(self) -> None:
        self.base: int | None = None
        self.added = 0

    def note(self, documents: int) -> None:
        """``documents`` were stored (by a committed or rolled-back batch: either way, an estimate)."""
        self.added += documents

    def refresh(self, engine: Engine) -> bool:
        """Analyze the clearing tables if they grew enough; returns whether it did."""
        if engine.dialect.name != "postgresql" or self.added < MIN_ROWS:
            return False
        with engine.connect() as conn:
            if self.base is None:
                query = "SELECT reltuples FROM pg_class WHERE relname = 'document'"
                estimate = conn.execute(text(query)).scalar()
                self.base = max(int(estimate or 0), 0)
            if self.added < max(MIN_ROWS, self.base // 4):
                return False
            conn.execute(text(f"ANALYZE {TABLES}"))
            conn.commit()
        self.base += self.added
        self.added = 0
        return True
