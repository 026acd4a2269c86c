"""Ground truth: what the clearing core must decide for each simulated parcel.

:func:`predict` is an independent, scalar reading of docs/clearing-rules.md applied to the
parcel as it was written (it does not import the clearing core): the list's own checks, the
wait for partners, matching, the positive list, the dutiable value, the limits against the
buyer's annual ledger, the tax and the inspection draw

    inspected  iff  int(sha256(f"{seed}|{ebpCode}|{orderNo}").hexdigest()[:13], 16) / 16**13 < rate

evaluated only for lists that pass every check (manual review at rate 0 is not simulated).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from opencbec.domain import resident_id
from opencbec.domain.money import ZERO, allocate, to_fen
from opencbec.rules import RulesAt
from opencbec.sim.plan import ParcelPlan

ONE = Decimal(1)
STORED, REJECTED, MANUAL_REVIEW, INSPECTION, RELEASED = "120", "100", "300", "500", "800"
#: Statuses after which a list counts against the buyer's annual limit.
ACCEPTED = frozenset({MANUAL_REVIEW, INSPECTION, RELEASED})


def inspection_draw(seed: str, ebp_code: str, order_no: str) -> float:
    """The core's uniform draw in [0, 1) for a list (see module doc).

    >>> 0 <= inspection_draw("opencbec", "3301968A2F", "YM2406110000000001") < 1
    True
    """
    digest = hashlib.sha256(f"{seed}|{ebp_code}|{order_no}".encode()).hexdigest()
    return int(digest[:13], 16) / 16**13


@dataclass(frozen=True, slots=True)
class Policy:
    """The clearing settings the prediction assumes."""

    inspection_rate: Decimal = Decimal("0.02")
    inspection_seed: str = "opencbec"
    partner_wait: timedelta = timedelta(hours=24)


@dataclass(slots=True)
class Outcome:
    """Expected final status of the four documents and the list's reason code."""

    order: str
    payment: str | None
    waybill: str
    inventory: str
    reason: str
    dutiable_value: Decimal
    value_added_tax: Decimal | None = None
    consumption_tax: Decimal | None = None


def line_values(plan: ParcelPlan) -> list[Decimal]:
    """Dutiable value per line: totalPrice + its share of freight + insuredFee."""
    shares = allocate(plan.freight + plan.insured_fee, [ln.total for ln in plan.lines])
    return [to_fen(ln.total) + s for ln, s in zip(plan.lines, shares, strict=True)]


def line_tax(rules: RulesAt, gcode: str, value: Decimal) -> tuple[Decimal, Decimal]:
    """(VAT, consumption tax) of a line under a plain ad-valorem consumption tax.

    >>> from datetime import date
    >>> from opencbec.rules import shipped_rulebook
    >>> line_tax(shipped_rulebook().at(date(2024, 6, 1)), "0402210000", Decimal(410))
    (Decimal('37.31'), Decimal('0.00'))
    """
    factor, vat = rules.tax_factor, rules.vat_rate(gcode)
    ct = rules.consumption_tax(gcode)
    rate = ct.ad_valorem if ct is not None else ZERO
    if rate == ZERO:
        return to_fen(value * vat * factor), to_fen(ZERO)
    base = value / (ONE - rate)
    return to_fen(base * vat * factor), to_fen(base * rate * factor)


def taxes(plan: ParcelPlan) -> tuple[Decimal, Decimal]:
    """Total (VAT, consumption tax) of the list."""
    vat = consumption = ZERO
    for line, value in zip(plan.lines, line_values(plan), strict=True):
        v, c = line_tax(plan.rules, line.product.gcode, value)
        vat, consumption = vat + v, consumption + c
    return vat, consumption


def predict(plan: ParcelPlan, policy: Policy) -> Outcome:
    """The final statuses the core must reach for ``plan``."""
    values = line_values(plan)
    dutiable = sum(values, ZERO)
    t = plan.times
    payment = STORED if t.payment is not None else None

    def refused(code: str) -> Outcome:
        return Outcome(STORED, payment, STORED, REJECTED, code, dutiable)

    if not resident_id.is_valid(plan.list_buyer_id):
        return refused("1300")
    deadline = t.inventory + policy.partner_wait
    for sent in (t.order, t.payment, t.waybill):
        if sent is not None and abs(sent - deadline) < timedelta(hours=2):
            raise AssertionError(f"{plan.parcel_id}: a partner is sent too close to the deadline")
        if sent is None or sent > deadline:
            return refused("9001")
    failure = _matching(plan)
    if failure:
        return refused(failure)
    rules = plan.rules
    for line in plan.lines:
        entry = rules.positive_list_entry(line.product.gcode)
        if entry is None:
            return refused("9010")
        if entry.bonded_only and plan.trade_mode == "9610":
            return refused("9011")
        if entry.name_whitelist and not any(w in line.product.gname for w in entry.name_whitelist):
            return refused("9012")
        if entry.per_person_annual_qty is not None:
            raise AssertionError(f"{plan.parcel_id}: per-person quantities are not simulated")
    used = plan.ledger_used
    if dutiable > rules.single_transaction_limit:
        single_item = len(plan.lines) == 1 and plan.lines[0].qty == ONE
        if single_item and used + dutiable <= rules.annual_limit:
            return Outcome(STORED, payment, STORED, MANUAL_REVIEW, "9014", dutiable)
        return refused("-621005")
    if used + dutiable > rules.annual_limit:
        return refused("1313")
    ebp = plan.parties.platform.firm.code
    if inspection_draw(policy.inspection_seed, ebp, plan.order_no) < float(policy.inspection_rate):
        return Outcome(STORED, payment, STORED, INSPECTION, "9040", dutiable)
    vat, consumption = taxes(plan)
    return Outcome(STORED, payment, STORED, RELEASED, "2600", dutiable, vat, consumption)


def _matching(plan: ParcelPlan) -> str | None:
    """The first four-document matching failure (documents agree on keys by construction)."""
    buyer = (plan.buyer_id, plan.buyer.name)
    if (plan.list_buyer_id, plan.list_buyer.name) != buyer:
        return "13127"
    if (plan.payer_id, plan.payer.name) != buyer:
        return "1327"
    if plan.payment_gap != ZERO:
        return "9002"
    return None
