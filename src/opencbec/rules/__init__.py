"""Law as dated data: limits, tax rates, consumption tax, the positive list and code tables.

Every lookup takes an explicit date; nothing reads the clock. Usage (the clearing core)::

    >>> from datetime import date
    >>> from opencbec.rules import shipped_rulebook
    >>> rules = shipped_rulebook().at(date(2024, 5, 1))     # cached per date
    >>> rules.single_transaction_limit, rules.annual_limit, rules.tax_factor
    (Decimal('5000'), Decimal('26000'), Decimal('0.7'))
    >>> rules.vat_rate("3304990099"), rules.vat_rate("0401100000")
    (Decimal('0.13'), Decimal('0.09'))
    >>> ct = rules.consumption_tax("3304990099")
    >>> ct.ad_valorem, ct.thresholds[0].lower, ct.thresholds[0].unit
    (Decimal('0.15'), Decimal('10'), '元/毫升(克)')
    >>> rules.positive_list_entry("0402910000").name
    '浓缩但未加糖的非固状乳及奶油'
    >>> rules.positive_list_entry("9307009000") is None      # deleted 2022-03-01
    True
    >>> rules.is_currency("142"), rules.is_trade_mode("1210")
    (True, True)

With positive-list imports from the database (``opencbec.store.positive_list_repo``)::

    book = shipped_rulebook().with_positive_list_versions(repo.load_versions(engine))

A date before the CBEC regime (2016-04-08) raises :class:`RulesNotInForce`.
"""

from opencbec.rules.errors import RulesDataError, RulesNotInForce
from opencbec.rules.loader import load_rulebook, shipped_rulebook
from opencbec.rules.model import (
    ConsumptionTax,
    PositiveListEntry,
    TableStatus,
    Threshold,
    VatScope,
)
from opencbec.rules.rulebook import Rulebook, RulesAt

__all__ = [
    "ConsumptionTax",
    "PositiveListEntry",
    "Rulebook",
    "RulesAt",
    "RulesDataError",
    "RulesNotInForce",
    "TableStatus",
    "Threshold",
    "VatScope",
    "load_rulebook",
    "shipped_rulebook",
]
