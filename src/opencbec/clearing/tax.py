"""The cross-border retail import tax (跨境电商综合税), line by line.

Within the limits, duty is 0 and VAT and consumption tax are 70 % of the statutory amounts:

- consumption tax = P / (1 - t) * t * 0.7
- VAT             = P / (1 - t) * v * 0.7

each rounded half-up to the fen, P being the line's dutiable value (goods plus its share of
freight and insurance). Goods with a specific (per-litre) consumption tax use the compound base
(P + Q*s) / (1 - t). See docs/clearing-rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from opencbec.clearing.ports import RulesAtLike
from opencbec.domain.money import ZERO, to_fen

ONE = Decimal(1)
LITRES_PER_UNIT = {"095": Decimal(1), "096": Decimal("0.001")}


@dataclass(frozen=True, slots=True)
class LineTax:
    """Tax on one list line."""

    gnum: int
    gcode: str
    tax_price: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal


class SpecificRateQuantityError(Exception):
    """The line has a per-litre consumption tax but its legal quantity is not in litres."""


#: Conversions of a legal quantity to the units thresholds are expressed in.
_CONVERT: dict[str, tuple[tuple[str, Decimal], ...]] = {
    "035": (("035", Decimal(1)), ("036", Decimal(1000))),
    "036": (("036", Decimal(1)), ("035", Decimal("0.001"))),
    "095": (("095", Decimal(1)), ("096", Decimal(1000))),
    "096": (("096", Decimal(1)), ("095", Decimal("0.001"))),
}


def _unit_values(tax_price: Decimal, quantities: list[tuple[Decimal, str]]) -> dict[str, Decimal]:
    """Dutiable value per unit, for every unit the line's quantities can be expressed in."""
    out: dict[str, Decimal] = {}
    for qty, unit in quantities:
        for code, factor in _CONVERT.get(unit, ((unit, Decimal(1)),)):
            if qty > 0:
                out.setdefault(code, tax_price / (qty * factor))
    return out


def applicable_band(ct: Any, tax_price: Decimal, quantities: list[tuple[Decimal, str]]) -> Any | None:
    """The consumption-tax band that applies to the line, or None when no band applies.

    A band without thresholds always applies. A band with unit-price thresholds applies when the
    line's dutiable value per unit lies inside one of them; when the line's quantities cannot be
    expressed in the threshold's unit, the band is applied (the conservative reading).
    """
    for band in (ct, *getattr(ct, "other_bands", ())):
        thresholds = getattr(band, "thresholds", ())
        if not thresholds:
            return band
        per_unit = _unit_values(tax_price, quantities)
        decidable = False
        for th in thresholds:
            if th.measure != "unit_price":
                continue
            for code in th.unit_codes:
                if code in per_unit:
                    decidable = True
                    if th.contains(per_unit[code]):
                        return band
        if not decidable:
            return band
    return None


def line_tax(
    rules: RulesAtLike,
    gnum: int,
    gcode: str,
    tax_price: Decimal,
    qty1: Decimal,
    unit1: str,
    qty: Decimal | None = None,
    unit: str | None = None,
) -> LineTax:
    """Tax on one line of dutiable value ``tax_price``.

    >>> from opencbec.clearing.tax import _FixedRules
    >>> line_tax(_FixedRules(Decimal("0.13"), Decimal(0)), 1, "3304990099", Decimal("410"),
    ...          Decimal("0.05"), "035").value_added_tax
    Decimal('37.31')
    """
    factor = rules.tax_factor
    vat = rules.vat_rate(gcode)
    ct = rules.consumption_tax(gcode)
    if ct is not None:
        quantities = [(qty1, unit1)] + ([(qty, unit)] if qty is not None and unit else [])
        ct = applicable_band(ct, tax_price, quantities)
    if ct is None or (ct.ad_valorem == ZERO and ct.specific_rate is None):
        return LineTax(gnum, gcode, tax_price, ZERO, to_fen(tax_price * vat * factor), ZERO)
    t = ct.ad_valorem
    specific = ZERO
    if ct.specific_rate is not None and ct.specific_rate > ZERO:
        litres_per = LITRES_PER_UNIT.get(unit1)
        if litres_per is None:
            raise SpecificRateQuantityError(unit1)
        specific = qty1 * litres_per * ct.specific_rate
    base = (tax_price + specific) / (ONE - t)
    consumption = to_fen((base * t + specific) * factor)
    value_added = to_fen(base * vat * factor)
    return LineTax(gnum, gcode, tax_price, ZERO, value_added, consumption)


@dataclass(frozen=True, slots=True)
class _FixedCT:
    ad_valorem: Decimal
    specific_rate: Decimal | None = None
    specific_unit: str | None = None


class _FixedRules:
    """A tiny fixed rule set for doctests and worked examples."""

    single_transaction_limit = Decimal(5000)
    annual_limit = Decimal(26000)
    tax_factor = Decimal("0.7")

    def __init__(self, vat: Decimal, ct: Decimal, specific: Decimal | None = None) -> None:
        self._vat = vat
        self._ct = _FixedCT(ct, specific, "L" if specific else None)

    def vat_rate(self, gcode: str) -> Decimal:
        return self._vat

    def consumption_tax(self, gcode: str) -> _FixedCT | None:
        return self._ct

    def positive_list_entry(self, gcode: str) -> None:
        return None
