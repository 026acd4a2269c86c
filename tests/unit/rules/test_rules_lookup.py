"""Rulebook.at(): caching, errors, code tables and status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opencbec.rules import RulesNotInForce, shipped_rulebook


def test_at_is_cached_per_date() -> None:
    book = shipped_rulebook()
    assert book.at(date(2024, 1, 1)) is book.at(date(2024, 1, 1))


def test_date_without_law_names_parameter_and_first_start() -> None:
    with pytest.raises(RulesNotInForce) as info:
        shipped_rulebook().at(date(2010, 1, 1))
    assert str(info.value) == (
        "No value of parameter single_transaction_limit is in force on 2010-01-01 "
        "(first value starts 2016-04-08). Use a date inside the validity of the rule data "
        "or add the missing value."
    )


def test_code_table_predicates() -> None:
    rules = shipped_rulebook().at(date(2024, 1, 1))
    assert rules.is_country("502") and rules.is_country("142")
    assert not rules.is_country("100")  # continent header, legacy
    assert rules.is_currency("142") and not rules.is_currency("999")
    assert rules.is_unit("035") and rules.is_unit("142")
    assert rules.is_customs_office("2244") and not rules.is_customs_office("5100")
    assert rules.is_trade_mode("9610") and rules.is_trade_mode("1210")


def test_trade_mode_valid_from_is_respected() -> None:
    assert not shipped_rulebook().at(date(2019, 1, 1)).is_trade_mode("9710")
    assert shipped_rulebook().at(date(2020, 7, 1)).is_trade_mode("9710")


def test_status_reports_partial_positive_list_with_official_count() -> None:
    status = {s.table: s for s in shipped_rulebook().at(date(2022, 3, 1)).table_status()}
    pl = status["positive-list"]
    assert (pl.rows, pl.official_total, pl.completeness) == (63, 1476, "partial")
    assert pl.note.startswith("PARTIAL: 63 of 1476 lines of official version 2022 in force")
    assert (status["customs-district"].rows, status["customs-district"].official_total) == (112, 1006)
    assert status["vat-lower-rate-scopes"].completeness == "indicative"
    assert status["parameters"].completeness == "complete"


def test_status_counts_lines_in_force_on_the_date() -> None:
    status = {s.table: s for s in shipped_rulebook().at(date(2016, 4, 8)).table_status()}
    assert (status["positive-list"].rows, status["positive-list"].official_total) == (36, 1142)


def test_lookups_answer_for_any_code() -> None:
    """Every ten-digit code gets an answer (speed is measured by ``cbec bench``, not asserted here)."""
    rules = shipped_rulebook().at(date(2024, 1, 1))
    for n in range(0, 9_999_999_999, 99_999_999):
        code = f"{n:010d}"
        assert rules.vat_rate(code) in {Decimal("0.13"), Decimal("0.09")}
        rules.consumption_tax(code)
        rules.positive_list_entry(code)
    assert rules.vat_rate("0401100000") == Decimal("0.09")
