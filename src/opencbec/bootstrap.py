"""The composition root: builds stores, rules and drivers from settings. Nothing else wires."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.ports import RulebookLike
from opencbec.service.batch_clear import BatchClearer
from opencbec.service.signature_policy import SignaturePolicy
from opencbec.store.enterprise_repo import EnterpriseRegistry
from opencbec.store.positive_list_repo import effective_rulebook
from opencbec.store.sql import SqlStore, make_engine

DEFAULT_DB = "opencbec.db"


def default_db() -> str:
    """The database: ``OPENCBEC_DB`` or ``opencbec.db`` in the working directory (SQLite)."""
    return os.environ.get("OPENCBEC_DB", DEFAULT_DB)


@dataclass(slots=True)
class App:
    """The wired application."""

    engine: Engine
    store: SqlStore
    rulebook: RulebookLike
    config: ClearingConfig


def build(db: str | None = None, *, inspection_rate: Decimal | None = None) -> App:
    """Wire the application on database ``db`` (a SQLite path or a SQLAlchemy URL)."""
    engine = make_engine(db or default_db())
    config = ClearingConfig()
    if inspection_rate is not None:
        config = ClearingConfig(inspection_rate=inspection_rate)
    return App(engine, SqlStore(engine), effective_rulebook(engine), config)


def batch_clearer(
    app: App, outbox: Path | None, *, batch_documents: int = 2000, verify_signatures: bool = True
) -> BatchClearer:
    """The ``cbec clear`` driver on ``app``; signatures checked against the enterprise registry."""
    verifier = SignaturePolicy(EnterpriseRegistry(app.engine)) if verify_signatures else None
    return BatchClearer(
        app.store, app.rulebook, app.config, outbox, batch_documents=batch_documents, verifier=verifier
    )
