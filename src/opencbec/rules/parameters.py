"""Scalar legal parameters as dated values (OpenFisca style) and the "latest start <= as_of" lookup.

A parameter file looks like::

    description: 单次交易限值
    metadata: {unit: CNY}
    values:
      2016-04-08: {value: 2000, reference: 财关税〔2016〕18号}
      2019-01-01: {value: 5000, reference: 财关税〔2018〕49号}
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from opencbec.rules.errors import RulesDataError, RulesNotInForce
from opencbec.rules.model import Dated


@dataclass(frozen=True, slots=True)
class Parameter:
    """A legal parameter: its name, unit and dated values sorted by start (ascending)."""

    name: str
    description: str
    unit: str
    values: tuple[Dated, ...]

    def at(self, as_of: date) -> Decimal:
        """The value in force on ``as_of`` (latest start <= as_of).

        >>> p = Parameter("limit", "", "CNY", (Dated(date(2016, 4, 8), Decimal(2000), "18号"),
        ...                                     Dated(date(2019, 1, 1), Decimal(5000), "49号")))
        >>> p.at(date(2018, 12, 31)), p.at(date(2019, 1, 1))
        (Decimal('2000'), Decimal('5000'))
        """
        found = value_at(self.values, as_of)
        if found is None or found.value is None:
            first = self.values[0].start if self.values else None
            raise RulesNotInForce(self.name, as_of, first)
        return found.value


def value_at(history: Sequence[Dated], as_of: date) -> Dated | None:
    """The entry of ``history`` (ascending by start) with the latest start <= ``as_of``."""
    for entry in reversed(history):
        if entry.start <= as_of:
            return entry
    return None


def parse_parameter(file: str, name: str, document: object) -> Parameter:
    """Validate a parsed YAML parameter document."""
    if not isinstance(document, Mapping):
        raise RulesDataError(file, "the file must be a mapping with 'description' and 'values'")
    values = document.get("values")
    if not isinstance(values, Mapping) or not values:
        raise RulesDataError(file, "'values' must be a non-empty mapping of YYYY-MM-DD: {value, reference}")
    metadata = document.get("metadata") or {}
    unit = str(metadata.get("unit", "")) if isinstance(metadata, Mapping) else ""
    entries = [_entry(file, key, body) for key, body in values.items()]
    entries.sort(key=lambda e: e.start)
    return Parameter(name, str(document.get("description", "")), unit, tuple(entries))


def _entry(file: str, key: object, body: object) -> Dated:
    where = f"values.{key}"
    if isinstance(key, str):
        with contextlib.suppress(ValueError):
            key = date.fromisoformat(key)
    if isinstance(key, datetime) or not isinstance(key, date):
        raise RulesDataError(file, f"{where}: the key must be a date in YYYY-MM-DD form")
    if not isinstance(body, Mapping) or "value" not in body:
        raise RulesDataError(file, f"{where}: must be a mapping with 'value' and 'reference'")
    reference = body.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise RulesDataError(file, f"{where}: 'reference' (the legal source) is required")
    raw = body["value"]
    value: Decimal | None = None
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise RulesDataError(file, f"{where}: 'value' must be a number, got {raw!r}")
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise RulesDataError(file, f"{where}: 'value' must be a number, got {raw!r}") from None
        if not value.is_finite() or value < 0:
            raise RulesDataError(file, f"{where}: 'value' must be a finite number >= 0, got {raw!r}")
    return Dated(key, value, reference.strip(), str(body.get("source", "")).strip())
