"""The cross-border retail import tax against worked figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opencbec.clearing.tax import SpecificRateQuantityError, line_tax
from opencbec.rules import shipped_rulebook

RULES = shipped_rulebook().at(date(2024, 6, 1))


def test_410_yuan_of_ordinary_cosmetics_pays_37_31_vat_and_no_consumption_tax() -> None:
    # 50 g at 410 yuan = 8.2 yuan/g, under the 10 yuan/g threshold of high-end cosmetics
    tax = line_tax(RULES, 1, "3304990099", Decimal("410.00"), Decimal("0.05"), "035")
    assert tax.value_added_tax == Decimal("37.31")
    assert tax.consumption_tax == Decimal(0)
    assert tax.customs_tax == Decimal(0)


def test_high_end_cosmetics_over_the_threshold_pay_consumption_tax_at_15_percent() -> None:
    # 30 ml at 900 yuan = 30 yuan/ml: combined (0.13 + 0.15) / 0.85 x 0.7 = 23.06 %
    tax = line_tax(RULES, 1, "3304990099", Decimal("900.00"), Decimal("30"), "096")
    assert tax.consumption_tax == Decimal("111.18")  # 900 / 0.85 x 0.15 x 0.7
    assert tax.value_added_tax == Decimal("96.35")  # 900 / 0.85 x 0.13 x 0.7
    assert tax.consumption_tax + tax.value_added_tax == Decimal("207.53")


def test_wine_at_13_percent_vat_and_10_percent_consumption_tax_pays_17_89_percent() -> None:
    tax = line_tax(RULES, 1, "2204215000", Decimal("100.00"), Decimal("0.75"), "095")
    assert tax.consumption_tax == Decimal("7.78")
    assert tax.value_added_tax == Decimal("10.11")
    assert tax.consumption_tax + tax.value_added_tax == Decimal("17.89")


def test_spirits_use_the_compound_base_with_the_per_litre_component() -> None:
    # 1 L whisky at 300 yuan: base = (300 + 0.912) / 0.8; CT = (base x 0.2 + 0.912) x 0.7
    tax = line_tax(RULES, 1, "2208300000", Decimal("300.00"), Decimal("1"), "095")
    # base = 376.14; CT = (75.228 + 0.912) x 0.7 = 53.298; VAT = 376.14 x 0.13 x 0.7 = 34.228
    assert tax.consumption_tax == Decimal("53.30")
    assert tax.value_added_tax == Decimal("34.23")


def test_per_litre_goods_declared_in_another_unit_cannot_be_taxed_automatically() -> None:
    with pytest.raises(SpecificRateQuantityError):
        line_tax(RULES, 1, "2208300000", Decimal("300.00"), Decimal("2"), "011")


def test_vat_followed_the_2018_and_2019_rate_changes() -> None:
    book = shipped_rulebook()
    rates = [
        line_tax(book.at(d), 1, "0402210000", Decimal("100"), Decimal("1"), "035").value_added_tax
        for d in (date(2018, 4, 30), date(2018, 5, 1), date(2019, 4, 1))
    ]
    assert rates == [Decimal("11.90"), Decimal("11.20"), Decimal("9.10")]
