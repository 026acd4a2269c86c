"""What the clearing core needs from the rule data, as protocols (implemented by ``opencbec.rules``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol


class ConsumptionTaxLike(Protocol):
    """A consumption-tax measure on a tariff line."""

    @property
    def ad_valorem(self) -> Decimal: ...
    @property
    def specific_rate(self) -> Decimal | None: ...
    @property
    def specific_unit(self) -> str | None: ...


class PositiveListEntryLike(Protocol):
    """An 8-digit line of the positive list with its structured remarks."""

    @property
    def tariff_line(self) -> str: ...
    @property
    def bonded_only(self) -> bool: ...
    @property
    def name_whitelist(self) -> tuple[str, ...] | None: ...
    @property
    def per_person_annual_qty(self) -> Decimal | None: ...
    @property
    def qty_unit(self) -> str | None: ...


class RulesAtLike(Protocol):
    """The rules in force on one date."""

    @property
    def single_transaction_limit(self) -> Decimal: ...
    @property
    def annual_limit(self) -> Decimal: ...
    @property
    def tax_factor(self) -> Decimal: ...
    def vat_rate(self, gcode: str) -> Decimal: ...
    def consumption_tax(self, gcode: str) -> ConsumptionTaxLike | None: ...
    def positive_list_entry(self, gcode: str) -> PositiveListEntryLike | None: ...


class RulebookLike(Protocol):
    """Rules by date."""

    def at(self, as_of: date) -> RulesAtLike: ...
