"""The immutable rulebook and the rules in force on one date (:class:`RulesAt`)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from opencbec.rules.model import (
    CodeTable,
    ConsumptionTax,
    ListVersionInfo,
    PositiveListEntry,
    ReplaceImport,
    TableStatus,
    VatScope,
)
from opencbec.rules.overlay import ImportedVersion, apply_versions
from opencbec.rules.parameters import Parameter


def digits(gcode: str) -> str:
    """The digits of a commodity code (``0402.9100`` -> ``04029100``).

    >>> digits("3304.9900.99"), digits("2204210000")
    ('3304990099', '2204210000')
    """
    return gcode if gcode.isdigit() else "".join(c for c in gcode if c.isdigit())


class Rulebook:
    """All rule data, by date. Build it with :func:`opencbec.rules.load_rulebook`."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Parameter],
        vat_scopes: Sequence[VatScope],
        consumption_taxes: Sequence[ConsumptionTax],
        positive_list: Sequence[PositiveListEntry],
        positive_list_versions: Sequence[ListVersionInfo],
        positive_list_note: str,
        code_tables: Mapping[str, CodeTable],
        manifests: Mapping[str, Mapping[str, object]],
        replace_imports: Sequence[ReplaceImport] = (),
    ):
        self.parameters = dict(parameters)
        self.vat_scopes = tuple(vat_scopes)
        self.consumption_taxes = tuple(consumption_taxes)
        self.positive_list = tuple(positive_list)
        self.positive_list_versions = tuple(positive_list_versions)
        self.positive_list_note = positive_list_note
        self.code_tables = dict(code_tables)
        self.manifests = dict(manifests)
        self.replace_imports = tuple(sorted(replace_imports, key=lambda r: r.valid_from))
        self._vat_index = {s.hs_prefix: s for s in self.vat_scopes}
        self._cache: dict[date, RulesAt] = {}
        self._lock = threading.Lock()

    def at(self, as_of: date) -> RulesAt:
        """The rules in force on ``as_of`` (cached per date).

        Raises :class:`~opencbec.rules.errors.RulesNotInForce` if a parameter has no value then.
        """
        found = self._cache.get(as_of)
        if found is None:
            found = RulesAt(self, as_of)
            with self._lock:
                found = self._cache.setdefault(as_of, found)
        return found

    def with_positive_list_versions(self, versions: Sequence[ImportedVersion]) -> Rulebook:
        """The rulebook with imported positive-list versions overlaid on this one's list."""
        entries, replaces = apply_versions(self.positive_list, versions)
        return self.replace(
            positive_list=tuple(entries),
            replace_imports=(*self.replace_imports, *replaces),
        )

    def replace(self, **changes: object) -> Rulebook:
        """A copy with some constructor arguments changed (used by the positive-list overlay)."""
        args: dict[str, object] = {
            "parameters": self.parameters,
            "vat_scopes": self.vat_scopes,
            "consumption_taxes": self.consumption_taxes,
            "positive_list": self.positive_list,
            "positive_list_versions": self.positive_list_versions,
            "positive_list_note": self.positive_list_note,
            "code_tables": self.code_tables,
            "manifests": self.manifests,
            "replace_imports": self.replace_imports,
        }
        args.update(changes)
        return Rulebook(**args)  # type: ignore[arg-type]


class RulesAt:
    """The rules in force on one date. Lookups are dictionary reads on precomputed indexes."""

    def __init__(self, book: Rulebook, as_of: date):
        p = book.parameters
        self.as_of = as_of
        self.single_transaction_limit: Decimal = p["single_transaction_limit"].at(as_of)
        self.annual_limit: Decimal = p["annual_limit"].at(as_of)
        self.duty_rate_within_limit: Decimal = p["duty_rate_within_limit"].at(as_of)
        self.tax_factor: Decimal = p["tax_factor"].at(as_of)
        self.vat_general_rate: Decimal = p["vat_general_rate"].at(as_of)
        self.vat_lower_rate: Decimal = p["vat_lower_rate"].at(as_of)
        self._book = book
        self._vat = book._vat_index
        self._vat_lengths = sorted({len(k) for k in self._vat}, reverse=True)
        self._vat_memo: dict[str, Decimal] = {}
        self._ct = _consumption_index(book.consumption_taxes, as_of)
        self._ct_lengths = sorted({len(k) for k in self._ct}, reverse=True)
        self._pl = {e.tariff_line: e for e in book.positive_list if e.in_force(as_of)}
        self._codes = {
            name: frozenset(c for c in t.codes if t.code_starts.get(c, as_of) <= as_of)
            for name, t in book.code_tables.items()
        }

    # --- tax -------------------------------------------------------------------------
    def vat_scope(self, gcode: str) -> VatScope | None:
        """The lower-rate scope (or general exception) with the longest prefix matching ``gcode``."""
        g = digits(gcode)
        for n in self._vat_lengths:
            scope = self._vat.get(g[:n])
            if scope is not None and n <= len(g):
                return scope
        return None

    def vat_rate(self, gcode: str) -> Decimal:
        """Import VAT rate of the tariff line (lower band if in a lower-rate scope, else general)."""
        rate = self._vat_memo.get(gcode)
        if rate is None:
            scope = self.vat_scope(gcode)
            lower = scope is not None and scope.lower
            rate = self.vat_lower_rate if lower else self.vat_general_rate
            self._vat_memo[gcode] = rate
        return rate

    def consumption_tax(self, gcode: str) -> ConsumptionTax | None:
        """Import-stage consumption tax on ``gcode`` (longest HS prefix), or None if not taxable.

        Where several items share the scope (beer class A/B, car bands), the first is returned and
        the rest are in ``other_bands``: choose by ``thresholds``.
        """
        g = digits(gcode)
        for n in self._ct_lengths:
            if n <= len(g):
                found = self._ct.get(g[:n])
                if found is not None:
                    return found
        return None

    # --- positive list ---------------------------------------------------------------
    def positive_list_entry(self, gcode: str) -> PositiveListEntry | None:
        """The positive-list line matching the first 8 digits of ``gcode``, if on the list."""
        return self._pl.get(gcode[:8] if gcode.isdigit() else digits(gcode)[:8])

    # --- code tables -----------------------------------------------------------------
    def is_code(self, table: str, code: str) -> bool:
        """Whether ``code`` is an accepted code of ``table`` on this date."""
        return code in self._codes[table]

    def is_country(self, code: str) -> bool:
        return code in self._codes["country"]

    def is_currency(self, code: str) -> bool:
        return code in self._codes["currency"]

    def is_unit(self, code: str) -> bool:
        return code in self._codes["unit"]

    def is_customs_office(self, code: str) -> bool:
        return code in self._codes["customs-district"]

    def is_trade_mode(self, code: str) -> bool:
        return code in self._codes["trade-mode"]

    def table_status(self) -> list[TableStatus]:
        """Rows, official total and completeness of every rule table on this date."""
        from opencbec.rules.status import table_status

        return table_status(self._book, self.as_of, len(self._pl))


def _consumption_index(rows: Sequence[ConsumptionTax], as_of: date) -> dict[str, ConsumptionTax]:
    groups: dict[str, list[ConsumptionTax]] = {}
    for row in rows:
        if row.valid_from <= as_of and (row.valid_to is None or as_of <= row.valid_to):
            groups.setdefault(row.hs_prefix, []).append(row)
    index = {}
    for prefix, group in groups.items():
        first = group[0]
        if len(group) > 1:
            first = _with_bands(first, tuple(group[1:]))
        index[prefix] = first
    return index


def _with_bands(row: ConsumptionTax, others: tuple[ConsumptionTax, ...]) -> ConsumptionTax:
    from dataclasses import replace

    return replace(row, other_bands=others)
