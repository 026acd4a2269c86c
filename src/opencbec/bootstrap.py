"""The composition root: builds stores, rules and drivers from settings. Nothing else wires."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Engine

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.ports import RulebookLike
from opencbec.gc_tuning import collect_documents
from opencbec.service.batch_clear import BATCH_DOCUMENTS, BATCH_WEIGHT, BatchClearer
from opencbec.service.commit_groups import COMMIT_DOCUMENTS
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


def build(
    db: str | None = None,
    *,
    inspection_rate: Decimal | None = None,
    partner_wait_hours: float | None = None,
    risk: bool | None = None,
) -> App:
    """Wire the application on database ``db`` (a SQLite path or a SQLAlchemy URL).

    Clearing settings not given here come from ``OPENCBEC_INSPECTION_RATE``,
    ``OPENCBEC_PARTNER_WAIT_HOURS`` and ``OPENCBEC_RISK`` (``on``/``off``) in the environment,
    else the defaults of ``ClearingConfig``. With risk targeting on, the inspection budget is the
    inspection rate, shared with a random exploration part (``OPENCBEC_RISK_RANDOM_SHARE``,
    default 0.2); rules come from ``OPENCBEC_RISK_RULES`` (default: the shipped rules and the
    officers' changes in the database) and an optional ``parcels`` model from
    ``OPENCBEC_RISK_MODEL``. See docs/risk.md.
    """
    engine = make_engine(db or default_db())
    changes: dict[str, object] = {}
    rate = inspection_rate if inspection_rate is not None else _env_decimal("OPENCBEC_INSPECTION_RATE")
    if rate is not None:
        changes["inspection_rate"] = rate
    wait = (
        partner_wait_hours if partner_wait_hours is not None else _env_decimal("OPENCBEC_PARTNER_WAIT_HOURS")
    )
    if wait is not None:
        changes["partner_wait"] = timedelta(hours=float(wait))
    if risk if risk is not None else os.environ.get("OPENCBEC_RISK", "off").lower() in ("on", "1", "true"):
        changes["risk"] = _risk_assessor(engine, rate)
    config = replace(ClearingConfig(), **changes)  # type: ignore[arg-type]
    return App(engine, SqlStore(engine), effective_rulebook(engine), config)


def _risk_assessor(engine: Engine, rate: Decimal | None) -> object:
    """Risk targeting (rules, optional model, budgeted selection) for ``ClearingConfig.risk``."""
    from opencbec.risk.assessor import SelectionPolicy
    from opencbec.risk.wiring import build_assessor

    budget = float(rate) if rate is not None else float(ClearingConfig().inspection_rate)
    random_share = _env_decimal("OPENCBEC_RISK_RANDOM_SHARE")
    policy = SelectionPolicy(
        budget=budget, random_share=float(random_share) if random_share is not None else 0.2
    )
    rules = os.environ.get("OPENCBEC_RISK_RULES")
    model = os.environ.get("OPENCBEC_RISK_MODEL")
    return build_assessor(
        engine,
        rules_path=Path(rules) if rules else None,
        model_path=Path(model) if model else None,
        policy=policy,
    )


def _env_decimal(name: str) -> Decimal | None:
    """A decimal setting from the environment, with a clear error when it is not a number."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, got {text!r}") from None


def batch_clearer(
    app: App,
    outbox: Path | None,
    *,
    batch_documents: int = BATCH_DOCUMENTS,
    batch_weight: int | None = BATCH_WEIGHT,
    commit_documents: int = COMMIT_DOCUMENTS,
    verify_signatures: bool = True,
    workers: int = 1,
) -> BatchClearer:
    """The ``cbec clear`` driver on ``app``; signatures checked against the enterprise registry;
    the collector paced by ``OPENCBEC_GC_COLLECT_DOCUMENTS`` (``gc_tuning.collect_documents``)."""
    verifier = SignaturePolicy(EnterpriseRegistry(app.engine)) if verify_signatures else None
    return BatchClearer(
        app.store,
        app.rulebook,
        app.config,
        outbox,
        batch_documents=batch_documents,
        batch_weight=batch_weight,
        commit_documents=commit_documents,
        verifier=verifier,
        workers=workers,
        collect_documents=collect_documents(),
    )
