"""Declarative, dated, versioned risk rules: parsed from plain data into pure predicates.

A rule is a mapping (a YAML entry, a row of the ``risk_rule`` table, a JSON body of the API)::

    id: undervalued-cosmetics          # stable id
    version: 1                         # bumped on every change
    valid_from: 2024-01-01             # in force on declaration dates in [valid_from, valid_to]
    valid_to: null
    action: score                      # select (inspection) | score (add points) | review (manual)
    points: 40                         # for score: 0-100, combined with the model's probability
    reason: "申报单价明显低于该税号参考价格 ..."   # shown to officers; the legal / operational basis
    when: {kind: unit_price_below_reference, ratio: 0.3, reference: {"3304": 80}}

Kinds of ``when`` (each a pure predicate over a list, its partners and the batch + history):
``unit_price_below_reference``, ``buyer_many_parties``, ``address_many_buyers``, ``split_orders``,
``new_enterprise``, ``tariff_lines``, ``origins``, ``watch_list``, ``high_value``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from opencbec.clearing.risk_port import ListFacts
from opencbec.risk.predicates import KINDS, Context, Predicate, RuleError, normalise

__all__ = [
    "ACTIONS",
    "KINDS",
    "Context",
    "Rule",
    "RuleError",
    "RuleSet",
    "normalise",
    "parse_rule",
    "parse_rules",
]

ACTIONS = ("select", "score", "review")


@dataclass(frozen=True, slots=True)
class Rule:
    """A parsed rule: its definition and the predicate built from it."""

    id: str
    version: int
    valid_from: date
    valid_to: date | None
    action: str
    points: float
    reason: str
    when: Mapping[str, Any]
    predicate: Predicate
    enabled: bool = True

    def in_force(self, on: date) -> bool:
        """Whether the rule applies to a list declared ``on``."""
        return self.enabled and self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def fires(self, facts: ListFacts, ctx: Context) -> str | None:
        """The detail of why the rule fires on ``facts`` (None: it does not)."""
        return self.predicate(facts, ctx) if self.in_force(facts.declared_on) else None

    def definition(self) -> dict[str, Any]:
        """The rule as plain data (round-trips through :func:`parse_rule`)."""
        return {
            "id": self.id,
            "version": self.version,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "action": self.action,
            "points": self.points,
            "reason": self.reason,
            "enabled": self.enabled,
            "when": dict(self.when),
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Rules, all versions in force; one id may have several dated versions."""

    rules: tuple[Rule, ...] = ()

    def fired(self, facts: ListFacts, ctx: Context) -> list[tuple[Rule, str]]:
        """Rules firing on ``facts`` with their details."""
        out = []
        for rule in self.rules:
            detail = rule.fires(facts, ctx)
            if detail is not None:
                out.append((rule, detail))
        return out

    def get(self, rule_id: str) -> list[Rule]:
        """All versions of a rule."""
        return [r for r in self.rules if r.id == rule_id]


def _date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise RuleError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from exc


def _dec(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RuleError(f"{name} {value!r} is not a number") from exc


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """Validate a rule definition and build its predicate (raises ``RuleError``)."""
    if not isinstance(data, Mapping):
        raise RuleError("a rule must be a mapping")
    rule_id = str(data.get("id") or "").strip()
    if not rule_id or len(rule_id) > 64:
        raise RuleError("id is required (at most 64 characters)")
    where = f"rule {rule_id}: "
    try:
        version = data.get("version", 1)
        if not isinstance(version, int) or version < 1:
            raise RuleError(f"version must be a positive integer, got {version!r}")
        valid_from = _date(data.get("valid_from"), "valid_from")
        if valid_from is None:
            raise RuleError("valid_from is required")
        valid_to = _date(data.get("valid_to"), "valid_to")
        if valid_to is not None and valid_to < valid_from:
            raise RuleError("valid_to is before valid_from")
        action = data.get("action")
        if action not in ACTIONS:
            raise RuleError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
        points = float(_dec(data.get("points", 0), "points"))
        if not 0 <= points <= 100:
            raise RuleError("points must be in [0, 100]")
        reason = str(data.get("reason") or "").strip()
        if not reason:
            raise RuleError("reason is required (the text shown to officers)")
        when = data.get("when")
        if not isinstance(when, Mapping) or when.get("kind") not in KINDS:
            raise RuleError(f"when.kind must be one of {', '.join(KINDS)}")
        predicate = KINDS[str(when["kind"])](when)
    except RuleError as exc:
        raise RuleError(where + str(exc)) from exc
    return Rule(
        id=rule_id,
        version=version,
        valid_from=valid_from,
        valid_to=valid_to,
        action=str(action),
        points=points,
        reason=reason,
        when=dict(when),
        predicate=predicate,
        enabled=bool(data.get("enabled", True)),
    )


def parse_rules(items: Iterable[Mapping[str, Any]]) -> RuleSet:
    """Parse many rules; (id, version) pairs must be unique."""
    rules = [parse_rule(item) for item in items]
    seen: set[tuple[str, int]] = set()
    for rule in rules:
        if (rule.id, rule.version) in seen:
            raise RuleError(f"rule {rule.id} version {rule.version} is defined twice")
        seen.add((rule.id, rule.version))
    return RuleSet(tuple(rules))
