"""Reading rule CSV files and converting their fields, with errors naming file, row and field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from opencbec.rules.errors import RulesDataError
from opencbec.rules.model import Threshold

_HS_PREFIX = re.compile(r"^\d{2,10}$")
_INTERVAL = re.compile(r"^([\[(])\s*([0-9.]*)\s*,\s*([0-9.]*)\s*([\])])$")


class Row:
    """One CSV data row with its spreadsheet row number (the header is row 1)."""

    __slots__ = ("file", "number", "values")

    def __init__(self, file: str, number: int, values: Mapping[str, str]):
        self.file = file
        self.number = number
        self.values = values

    def error(self, field: str, problem: str) -> RulesDataError:
        return RulesDataError(self.file, problem, row=self.number, field=field)

    def text(self, field: str, *, required: bool = False) -> str:
        value = (self.values.get(field) or "").strip()
        if required and not value:
            raise self.error(field, "is empty; a value is required")
        return value

    def optional(self, field: str) -> str | None:
        return self.text(field) or None

    def decimal(self, field: str, *, required: bool = True) -> Decimal | None:
        raw = self.text(field, required=required)
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self.error(field, f"{raw!r} is not a decimal number") from None
        if not value.is_finite() or value < 0:
            raise self.error(field, f"{raw!r} is not a finite number >= 0")
        return value

    def rate(self, field: str) -> Decimal:
        value = self.decimal(field)
        assert value is not None
        if value > 1:
            raise self.error(field, f"rate {value} is above 1; write rates as decimals (0.13 = 13 %)")
        return value

    def day(self, field: str, *, required: bool = True) -> date | None:
        raw = self.text(field, required=required)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw) if len(raw) == 10 else _bad_date()
        except ValueError:
            raise self.error(field, f"{raw!r} is not a date in YYYY-MM-DD form") from None

    def flag(self, field: str) -> bool:
        raw = self.text(field, required=True).lower()
        if raw not in ("true", "false"):
            raise self.error(field, f"{raw!r} is not true or false")
        return raw == "true"

    def choice(self, field: str, allowed: Sequence[str]) -> str:
        raw = self.text(field, required=True)
        if raw not in allowed:
            raise self.error(field, f"{raw!r} is not one of {', '.join(allowed)}")
        return raw

    def hs_prefixes(self, field: str) -> tuple[str, ...]:
        parts = tuple(self.text(field, required=True).split())
        for part in parts:
            if not _HS_PREFIX.match(part):
                raise self.error(field, f"{part!r} is not an HS prefix of 2 to 10 digits")
        return parts

    def validity(self, start: str, end: str) -> tuple[date, date | None]:
        valid_from = self.day(start)
        valid_to = self.day(end, required=False)
        assert valid_from is not None
        if valid_to is not None and valid_to < valid_from:
            raise self.error(end, f"{valid_to} is before {start} {valid_from}")
        return valid_from, valid_to

    def thresholds(self, field: str) -> tuple[Threshold, ...]:
        raw = self.text(field)
        return tuple(self._threshold(field, part) for part in raw.split(";") if part.strip())

    def _threshold(self, field: str, spec: str) -> Threshold:
        parts = [p.strip() for p in spec.split("|")]
        if len(parts) != 4:
            raise self.error(field, f"{spec!r} is not 'measure|interval|unit|unit codes'")
        measure, interval, unit, codes = parts
        match = _INTERVAL.match(interval)
        if measure not in ("unit_price", "displacement", "hull_length") or not match or not unit:
            raise self.error(field, f"{spec!r} is not 'measure|interval|unit|unit codes'")
        opening, low, high, closing = match.groups()
        try:
            lower = Decimal(low) if low else None
            upper = Decimal(high) if high else None
        except InvalidOperation:
            raise self.error(field, f"{interval!r} has a bound that is not a number") from None
        if lower is None and upper is None:
            raise self.error(field, f"{interval!r} has no bound")
        return Threshold(measure, unit, tuple(codes.split()), lower, opening == "[", upper, closing == "]")


def _bad_date() -> date:
    raise ValueError


def read_rows(file: str, text: str, required: Sequence[str]) -> Iterator[Row]:
    """Parse CSV ``text`` of ``file``, checking the header has every ``required`` column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise RulesDataError(file, f"missing column(s) {', '.join(missing)} in the header", row=1)
    for index, values in enumerate(reader, start=2):
        extra = values.pop(None, None)
        cells = len(header) + len(extra) if extra else sum(v is not None for v in values.values())
        if cells != len(header):
            raise RulesDataError(file, f"has {cells} cells where the header has {len(header)}", row=index)
        if any(v.strip() for v in values.values()):
            yield Row(file, index, values)
