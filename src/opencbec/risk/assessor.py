"""The risk assessor the clearing core calls (``RiskAssessorLike``): rules, model, budget.

``assess`` runs once per batch: the rules on the batch + history aggregates and, when a model is
loaded, one vectorised model call. ``decide`` runs at each list's decision step and applies the
selection policy: a daily inspection budget per customs office (a share of the lists assessed that
day), split between targeted picks (selecting rules, or a combined risk above the threshold) and a
random exploration share; rules with action ``review`` force manual review outside the budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from opencbec.clearing.risk_port import (
    Assessment,
    ListFacts,
    RiskDecision,
    RiskHistory,
    SelectionKind,
)
from opencbec.clearing.selection import draw
from opencbec.risk import parcels
from opencbec.risk.model import RiskModel
from opencbec.risk.rules import Context, RuleSet


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """The daily inspection budget and how it is shared."""

    #: Share of a day's lists an office may inspect (default 2 %, as the random draw).
    budget: float = 0.02
    #: Part of the budget spent on random picks (exploration).
    random_share: float = 0.2
    #: Combined risk (or expected revenue, see ``rank``) from which a list is a targeted pick.
    threshold: float = 0.5
    #: ``probability``: rank by combined risk; ``revenue``: by risk x revenue at stake (yuan).
    rank: str = "probability"
    #: Budgets of particular offices (customs code -> share).
    offices: Mapping[str, float] = field(default_factory=dict)
    seed: str = "opencbec"

    def __post_init__(self) -> None:
        for name, value in (("budget", self.budget), ("random_share", self.random_share)):
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.rank not in ("probability", "revenue"):
            raise ValueError("rank must be probability or revenue")

    def budget_of(self, customs_code: str) -> float:
        """The budget share of one office."""
        return self.offices.get(customs_code, self.budget)


class RiskAssessor:
    """Rules + optional model + selection policy."""

    def __init__(self, rules: RuleSet, model: RiskModel | None = None, policy: SelectionPolicy | None = None):
        self.rules = rules
        self.model = model
        self.policy = policy or SelectionPolicy()

    @property
    def model_version(self) -> str | None:
        """The model's version (None without a model)."""
        return self.model.version if self.model is not None else None

    def assess(self, lists: Sequence[ListFacts], history: RiskHistory) -> list[Assessment]:
        """Rules and model score of each list of a batch."""
        ctx = Context.build(lists, history)
        scores: list[float | None] = [None] * len(lists)
        if self.model is not None and lists:
            scores = [float(s) for s in self.model.score([parcels.row(f) for f in lists])]
        out = []
        for facts, score in zip(lists, scores, strict=True):
            fired = self.rules.fired(facts, ctx)
            points = sum(r.points for r, _ in fired if r.action == "score")
            out.append(
                Assessment(
                    doc_id=facts.doc_id,
                    score=score,
                    points=points,
                    rules=tuple(
                        (f"{r.id}@v{r.version}", f"{r.reason.splitlines()[0]} ({d})") for r, d in fired
                    ),
                    select=any(r.action == "select" for r, _ in fired),
                    review=any(r.action == "review" for r, _ in fired),
                    revenue=parcels.revenue_of(facts),
                )
            )
        return out

    def decide(self, facts: ListFacts, assessment: Assessment, history: RiskHistory) -> RiskDecision:
        """Select within the day's budget of the list's office; count the list as assessed."""
        key = (facts.customs_code, facts.declared_on)
        assessed = history.assessed.get(key, 0) + 1
        history.assessed[key] = assessed
        reasons = [f"rule {rid}: {text}" for rid, text in assessment.rules]
        if assessment.score is not None:
            reasons.append(f"model {self.model_version} score {assessment.score:.3f}")
        if assessment.review:
            return self._take(history, facts, SelectionKind.REVIEW, reasons)
        policy = self.policy
        budget = policy.budget_of(facts.customs_code)
        targeted_cap = math.ceil(budget * (1 - policy.random_share) * assessed - 1e-9)
        random_cap = math.ceil(budget * policy.random_share * assessed - 1e-9)
        risk = combined_risk(assessment)
        priority = risk * (1 + assessment.revenue) if policy.rank == "revenue" else risk
        wanted = assessment.select or priority >= policy.threshold
        if wanted and self._count(history, facts, SelectionKind.TARGETED) < targeted_cap:
            extra = f", x revenue {priority:.1f}" if policy.rank == "revenue" else ""
            reasons.append(f"combined risk {risk:.3f}{extra}")
            return self._take(history, facts, SelectionKind.TARGETED, reasons)
        u = draw(policy.seed, facts.ebp_code, facts.order_no, "#explore")
        if (
            u < budget * policy.random_share
            and self._count(history, facts, SelectionKind.RANDOM) < random_cap
        ):
            return self._take(
                history, facts, SelectionKind.RANDOM, [*reasons, f"random exploration draw {u:.4f}"]
            )
        return RiskDecision(None, tuple(reasons))

    @staticmethod
    def _count(history: RiskHistory, facts: ListFacts, kind: SelectionKind) -> int:
        return history.selected.get((facts.customs_code, facts.declared_on, kind.value), 0)

    def _take(
        self, history: RiskHistory, facts: ListFacts, kind: SelectionKind, reasons: list[str]
    ) -> RiskDecision:
        key = (facts.customs_code, facts.declared_on, kind.value)
        history.selected[key] = history.selected.get(key, 0) + 1
        return RiskDecision(kind, tuple(reasons))


def combined_risk(assessment: Assessment) -> float:
    """Noisy-OR of the model's probability and the rules' points (each point = 1 %).

    >>> round(combined_risk(Assessment(doc_id=1, score=0.5, points=50)), 3)
    0.75
    """
    keep = 1.0 - (assessment.score or 0.0)
    keep *= max(0.0, 1.0 - assessment.points / 100)
    return 1.0 - keep
