"""Errors raised by the rule data: bad files and dates with no law in force."""

from __future__ import annotations

from datetime import date


class RulesDataError(ValueError):
    """A rule data file is malformed. The message names the file, the row and the field.

    >>> str(RulesDataError("tax/consumption_tax.csv", "bad rate", row=7, field="ad_valorem"))
    "tax/consumption_tax.csv: row 7, field 'ad_valorem': bad rate"
    """

    def __init__(self, file: str, problem: str, *, row: int | None = None, field: str | None = None):
        where = [file]
        detail = []
        if row is not None:
            detail.append(f"row {row}")
        if field is not None:
            detail.append(f"field '{field}'")
        head = where[0] + (": " + ", ".join(detail) if detail else "")
        super().__init__(f"{head}: {problem}")
        self.file = file
        self.row = row
        self.field = field
        self.problem = problem


class RulesNotInForce(LookupError):  # noqa: N818 - name fixed by the rules API contract
    """No value of a legal parameter is in force on the requested date.

    >>> print(RulesNotInForce("annual_limit", date(2015, 1, 1), date(2016, 4, 8)))
    ... # doctest: +NORMALIZE_WHITESPACE
    No value of parameter annual_limit is in force on 2015-01-01 (first value starts 2016-04-08).
    Use a date inside the validity of the rule data or add the missing value.
    """

    def __init__(self, parameter: str, as_of: date, first_start: date | None):
        first = f" (first value starts {first_start.isoformat()})" if first_start else ""
        super().__init__(
            f"No value of parameter {parameter} is in force on {as_of.isoformat()}{first}. "
            "Use a date inside the validity of the rule data or add the missing value."
        )
        self.parameter = parameter
        self.as_of = as_of
