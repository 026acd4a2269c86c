"""Settings of the clearing core (validated at the edge, plain values here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from opencbec.clearing.risk_port import RiskAssessorLike


@dataclass(frozen=True, slots=True)
class ClearingConfig:
    """How the core decides where the law leaves room for policy."""

    #: Share of clean lists sent to inspection (500) by the deterministic random draw.
    inspection_rate: Decimal = Decimal("0.02")
    #: Share of clean, not-inspected lists sent to manual review (300).
    manual_review_rate: Decimal = Decimal(0)
    #: Seed of the draw; the same seed gives the same selection (reproducible replays).
    selection_seed: str = "opencbec"
    #: How long a list waits for its order, payment and waybill.
    partner_wait: timedelta = timedelta(hours=24)
    #: Days after release within which a return (CEB625) is accepted.
    refund_window_days: int = 30
    #: Risk targeting (rules, model, budgeted selection); None: the plain random draw above.
    risk: RiskAssessorLike | None = None
