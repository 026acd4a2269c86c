"""The kinds of rule predicates: pure functions over a list's facts and the batch + history.

Each kind is a factory taking the rule's ``when`` parameters (validated, ``RuleError`` otherwise)
and returning ``predicate(facts, context) -> detail | None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from opencbec.clearing.risk_port import ListFacts, Observation, RiskHistory


class RuleError(ValueError):
    """A rule definition is invalid."""


@dataclass(slots=True)
class Context:
    """Batch and history aggregates: what each party did recently (the batch included)."""

    by_buyer: dict[str, list[Observation]] = field(default_factory=dict)
    by_phone: dict[str, list[Observation]] = field(default_factory=dict)
    by_address: dict[str, list[Observation]] = field(default_factory=dict)
    enterprise_lists: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, batch: Sequence[ListFacts], history: RiskHistory) -> Context:
        """Index the history's observations and the batch's own lists by party."""
        ctx = cls(enterprise_lists=dict(history.enterprise_lists))
        seen: set[str] = set()
        batch_obs = [
            Observation(
                invt_no=f"#{f.doc_id}",
                customs_code=f.customs_code,
                day=f.declared_on,
                at=f.at,
                buyer_id=f.buyer_id,
                consignee=f.consignee,
                phone=f.phone,
                address=normalise(f.address),
                payer_id=f.payer_id,
                ebc_code=f.ebc_code,
                value=f.goods_value + f.freight,
            )
            for f in batch
        ]
        for obs in [*history.observations, *batch_obs]:
            if obs.invt_no in seen:
                continue
            seen.add(obs.invt_no)
            ctx.by_buyer.setdefault(obs.buyer_id, []).append(obs)
            ctx.by_phone.setdefault(obs.phone, []).append(obs)
            ctx.by_address.setdefault(normalise(obs.address), []).append(obs)
        return ctx


def normalise(address: str) -> str:
    """An address compared loosely (spaces and case ignored)."""
    return "".join(address.split()).lower()


Predicate = Callable[[ListFacts, Context], str | None]


def _dec(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RuleError(f"{name} {value!r} is not a number") from exc


def _int(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def _strings(params: Mapping[str, Any], name: str) -> frozenset[str]:
    value = params.get(name) or []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise RuleError(f"{name} must be a list")
    return frozenset(str(v) for v in value)


def _recent(obs: Iterable[Observation], facts: ListFacts, days: int) -> list[Observation]:
    start = facts.declared_on - timedelta(days=days)
    return [o for o in obs if start <= o.day <= facts.declared_on]


# --- the kinds of predicates ------------------------------------------------------------------
def _unit_price_below_reference(params: Mapping[str, Any]) -> Predicate:
    ratio = _dec(params.get("ratio", "0.3"), "ratio")
    raw = params.get("reference")
    if not isinstance(raw, Mapping) or not raw:
        raise RuleError("reference must map tariff-line prefixes to reference unit prices")
    refs = sorted(((str(k), _dec(v, f"reference {k}")) for k, v in raw.items()), key=lambda kv: -len(kv[0]))

    def check(facts: ListFacts, _ctx: Context) -> str | None:
        for line in facts.lines:
            for prefix, price in refs:
                if line.gcode.startswith(prefix):
                    if line.unit_price < price * ratio:
                        return (
                            f"gnum {line.gnum} {line.gcode}: unit price {line.unit_price} < {ratio} x "
                            f"reference {price}"
                        )
                    break
        return None

    return check


def _buyer_many_parties(params: Mapping[str, Any]) -> Predicate:
    days = _int(params, "window_days", 30)
    limits = {
        "consignees": _int(params, "max_consignees", 3),
        "phones": _int(params, "max_phones", 3),
        "addresses": _int(params, "max_addresses", 3),
    }

    def check(facts: ListFacts, ctx: Context) -> str | None:
        recent = _recent(ctx.by_buyer.get(facts.buyer_id, []), facts, days)
        seen = {
            "consignees": {o.consignee for o in recent},
            "phones": {o.phone for o in recent},
            "addresses": {normalise(o.address) for o in recent},
        }
        over = [f"{len(seen[k])} {k}" for k, cap in limits.items() if len(seen[k]) > cap]
        if over:
            return f"buyer ID {facts.buyer_id} used with {', '.join(over)} in {days} days"
        return None

    return check


def _address_many_buyers(params: Mapping[str, Any]) -> Predicate:
    days = _int(params, "window_days", 30)
    cap = _int(params, "max_buyers", 4)
    by_phone = bool(params.get("by_phone", True))

    def check(facts: ListFacts, ctx: Context) -> str | None:
        for what, value, index in (
            ("address", normalise(facts.address), ctx.by_address),
            ("phone", facts.phone, ctx.by_phone if by_phone else {}),
        ):
            buyers = {o.buyer_id for o in _recent(index.get(value, []), facts, days)}
            if len(buyers) > cap:
                return f"{what} receives for {len(buyers)} buyer IDs in {days} days"
        return None

    return check


def _split_orders(params: Mapping[str, Any]) -> Predicate:
    days = _int(params, "window_days", 1)
    min_lists = _int(params, "min_lists", 2)
    share = _dec(params.get("min_share_of_limit", "0.5"), "min_share_of_limit")

    def check(facts: ListFacts, ctx: Context) -> str | None:
        own = facts.goods_value + facts.freight
        if own < facts.single_limit * share:
            return None
        same = [
            o
            for o in _recent(ctx.by_buyer.get(facts.buyer_id, []), facts, days)
            if o.consignee == facts.consignee and o.value < facts.single_limit
        ]
        total = sum((o.value for o in same), Decimal(0))
        if len(same) >= min_lists and total > facts.single_limit:
            return (
                f"{len(same)} lists of buyer {facts.buyer_id} to one consignee in {days} day(s), "
                f"each under the limit, together {total} > {facts.single_limit}"
            )
        return None

    return check


def _new_enterprise(params: Mapping[str, Any]) -> Predicate:
    below = _int(params, "min_history", 20)

    def check(facts: ListFacts, ctx: Context) -> str | None:
        seen = ctx.enterprise_lists.get(facts.ebc_code, 0)
        return f"enterprise {facts.ebc_code} has only {seen} lists cleared before" if seen < below else None

    return check


def _tariff_lines(params: Mapping[str, Any]) -> Predicate:
    prefixes = _strings(params, "prefixes")
    if not prefixes:
        raise RuleError("prefixes must list at least one tariff-line prefix")

    def check(facts: ListFacts, _ctx: Context) -> str | None:
        for line in facts.lines:
            if any(line.gcode.startswith(p) for p in prefixes):
                return f"gnum {line.gnum}: tariff line {line.gcode} is high-risk"
        return None

    return check


def _origins(params: Mapping[str, Any]) -> Predicate:
    countries = _strings(params, "countries")
    if not countries:
        raise RuleError("countries must list at least one country code")

    def check(facts: ListFacts, _ctx: Context) -> str | None:
        if facts.country in countries:
            return f"dispatch country {facts.country} is high-risk"
        for line in facts.lines:
            if line.country in countries:
                return f"gnum {line.gnum}: origin {line.country} is high-risk"
        return None

    return check


def _watch_list(params: Mapping[str, Any]) -> Predicate:
    buyers, phones = _strings(params, "buyer_ids"), _strings(params, "phones")
    addresses = frozenset(normalise(a) for a in _strings(params, "addresses"))
    firms = _strings(params, "enterprises")

    def check(facts: ListFacts, _ctx: Context) -> str | None:
        if facts.buyer_id in buyers or facts.payer_id in buyers:
            return "buyer or payer ID on the watch list"
        if facts.phone in phones:
            return "consignee telephone on the watch list"
        if normalise(facts.address) in addresses:
            return "consignee address on the watch list"
        codes = {facts.ebp_code, facts.ebc_code, facts.logistics_code, facts.agent_code}
        hit = sorted(codes & firms)
        return f"enterprise {', '.join(hit)} on the watch list" if hit else None

    return check


def _high_value(params: Mapping[str, Any]) -> Predicate:
    share = _dec(params.get("min_share_of_limit", "0.9"), "min_share_of_limit")

    def check(facts: ListFacts, _ctx: Context) -> str | None:
        value = facts.goods_value + facts.freight
        if value >= facts.single_limit * share:
            return f"value {value} is {share} or more of the single limit {facts.single_limit}"
        return None

    return check


KINDS: dict[str, Callable[[Mapping[str, Any]], Predicate]] = {
    "unit_price_below_reference": _unit_price_below_reference,
    "buyer_many_parties": _buyer_many_parties,
    "address_many_buyers": _address_many_buyers,
    "split_orders": _split_orders,
    "new_enterprise": _new_enterprise,
    "tariff_lines": _tariff_lines,
    "origins": _origins,
    "watch_list": _watch_list,
    "high_value": _high_value,
}
