"""Runs the YAML legal cases in this folder (name / as_of / input / expected) against the rulebook."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from opencbec.rules import Rulebook, RulesNotInForce, shipped_rulebook
from opencbec.rules.overlay import ImportedLine, ImportedVersion
from opencbec.rules.remarks import parse_remark

HERE = Path(__file__).parent
SCALARS = ("single_transaction_limit", "annual_limit", "duty_rate_within_limit", "tax_factor")


def _cases() -> list[Any]:
    out = []
    for path in sorted(HERE.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return out


def _same(actual: object, expected: object) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if isinstance(actual, Decimal):
        return actual == Decimal(str(expected))
    if isinstance(actual, tuple):
        return list(actual) == expected
    return actual == expected


def _check(label: str, actual: object, expected: object) -> None:
    if isinstance(expected, Mapping):
        assert actual is not None, f"{label}: expected {expected}, got None"
        for key, want in expected.items():
            _check(f"{label}.{key}", _attr(actual, key), want)
    else:
        assert _same(actual, expected), f"{label}: expected {expected!r}, got {actual!r}"


def _attr(obj: object, key: str) -> object:
    if key.startswith("threshold_"):
        thresholds = getattr(obj, "thresholds", ())
        return getattr(thresholds[0], key.removeprefix("threshold_")) if thresholds else None
    if key == "other_bands":
        return [band.item for band in getattr(obj, "other_bands", ())]
    return getattr(obj, key)


def _book(imports: list[dict[str, Any]]) -> Rulebook:
    versions = [
        ImportedVersion(
            version_id=i,
            valid_from=v["valid_from"],
            mode=v["mode"],
            source_file="case.xlsx",
            imported_at=datetime(2023, 1, 1),
            lines=tuple(
                ImportedLine(
                    None,
                    ln["tariff_line"],
                    ln["name"],
                    ln.get("remark", ""),
                    parse_remark(ln.get("remark", "")),
                )
                for ln in v["lines"]
            ),
        )
        for i, v in enumerate(imports, start=1)
    ]
    return shipped_rulebook().with_positive_list_versions(versions)


@pytest.mark.parametrize("case", _cases())
def test_legal_case(case: dict[str, Any]) -> None:
    as_of: date = case["as_of"]
    given = case.get("input") or {}
    expected: dict[str, Any] = case["expected"]
    book = _book(given["imports"]) if "imports" in given else shipped_rulebook()
    if expected.get("error") == "RulesNotInForce":
        with pytest.raises(RulesNotInForce):
            book.at(as_of)
        return
    rules = book.at(as_of)
    for key, want in expected.items():
        if key in SCALARS:
            _check(key, getattr(rules, key), want)
        elif key == "remark":
            _check(key, parse_remark(given["remark"]), want)
        else:
            _check(key, getattr(rules, key)(given["gcode"]), want)
