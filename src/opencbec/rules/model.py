"""Value objects handed out by the rulebook (frozen, hashable, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Dated:
    """One value of a legal parameter, in force from ``start`` (inclusive) until the next start."""

    start: date
    value: Decimal | None  # None: the parameter ceases to exist from ``start``
    reference: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A bound on a measure of the goods that decides whether a consumption-tax band applies.

    ``measure`` is ``unit_price`` (duty-paid value per ``unit``), ``displacement`` or ``hull_length``.
    ``unit_codes`` are the customs unit codes the bound is expressed in (empty if not a customs unit).

    >>> t = Threshold("unit_price", "元/毫升(克)", ("096", "036"), Decimal(10), True, None, False)
    >>> t.contains(Decimal("9.99")), t.contains(Decimal(10))
    (False, True)
    """

    measure: str
    unit: str
    unit_codes: tuple[str, ...]
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` (in ``unit``) lies inside the bound."""
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper is not None
            and (value > self.upper or (value == self.upper and not self.upper_inclusive))
        )


@dataclass(frozen=True, slots=True)
class ConsumptionTax:
    """Import-stage consumption tax of one tax item on an HS scope.

    ``specific_rate`` is yuan per ``specific_unit`` (import stage, e.g. 元/升). ``thresholds``: the item
    applies only when one of them holds (any of several units); empty means always. ``other_bands`` lists
    the other items on the same HS scope (beer class A/B, car displacement bands); pick by threshold.
    """

    item: str
    hs_prefix: str
    ad_valorem: Decimal
    specific_rate: Decimal | None
    specific_unit: str | None
    thresholds: tuple[Threshold, ...]
    threshold_text: str | None
    valid_from: date
    valid_to: date | None
    reference: str
    other_bands: tuple[ConsumptionTax, ...] = ()


@dataclass(frozen=True, slots=True)
class PositiveListEntry:
    """One 8-digit line of the positive list, valid ``valid_from``..``valid_to`` (inclusive)."""

    tariff_line: str
    name: str
    remark: str
    list_version: str
    valid_from: date
    valid_to: date | None
    bonded_only: bool = False
    name_whitelist: tuple[str, ...] | None = None
    excluded_note: str | None = None
    per_person_annual_qty: Decimal | None = None
    qty_unit: str | None = None
    source: str = ""

    def in_force(self, as_of: date) -> bool:
        """Whether the line is on the list on ``as_of``."""
        return self.valid_from <= as_of and (self.valid_to is None or as_of <= self.valid_to)


@dataclass(frozen=True, slots=True)
class VatScope:
    """An HS prefix in the lower VAT band (or a ``general`` exception to a wider lower scope)."""

    hs_prefix: str
    lower: bool
    goods_group: str
    verified: bool
    reference: str


@dataclass(frozen=True, slots=True)
class CodeTable:
    """A customs code table: accepted codes (optionally with a start date) and completeness."""

    name: str
    file: str
    rows: int
    codes: frozenset[str]
    code_starts: dict[str, date] = field(default_factory=dict, hash=False, compare=False)
    official_total: int | None = None
    completeness: str = "unknown"
    source: str = ""
    as_of: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class TableStatus:
    """Completeness of one rule table on a date (for ``cbec rules status``)."""

    table: str
    rows: int
    official_total: int | None
    completeness: str  # complete | partial | indicative | unknown
    source: str
    note: str


@dataclass(frozen=True, slots=True)
class ListVersionInfo:
    """An official version of the positive list and its line count."""

    list_version: str
    valid_from: date
    official_lines: int


@dataclass(frozen=True, slots=True)
class ReplaceImport:
    """An imported whole positive list in force from ``valid_from``."""

    valid_from: date
    source_file: str
    lines: int
