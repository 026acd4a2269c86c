"""Malformed rule data files give an error naming the file, row and field (exact messages)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from opencbec.rules import RulesDataError, load_rulebook


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A writable copy of the shipped rule data."""
    source = Path(str(resources.files("opencbec") / "data"))
    target = tmp_path / "data"
    shutil.copytree(source, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(data: Path) -> str:
    with pytest.raises(RulesDataError) as info:
        load_rulebook(data)
    return str(info.value)


def test_shipped_data_loads(data: Path) -> None:
    assert len(load_rulebook(data).positive_list) == 64


BROKEN = [
    (
        "parameters/annual_limit.yaml",
        "2019-01-01:",
        "2019-13-01:",
        "parameters/annual_limit.yaml: is not valid YAML: month must be in 1..12",
    ),
    (
        "parameters/annual_limit.yaml",
        "2019-01-01:",
        "'2019-1-1':",
        "parameters/annual_limit.yaml: values.2019-1-1: the key must be a date in YYYY-MM-DD form",
    ),
    (
        "parameters/tax_factor.yaml",
        "    reference: 财关税〔2016〕18号\n",
        "",
        "parameters/tax_factor.yaml: values.2016-04-08: 'reference' (the legal source) is required",
    ),
    (
        "parameters/single_transaction_limit.yaml",
        "value: 5000",
        "value: five thousand",
        "parameters/single_transaction_limit.yaml: values.2019-01-01: 'value' must be a number, "
        "got 'five thousand'",
    ),
    (
        "parameters/vat_general_rate.yaml",
        "values:",
        "value:",
        "parameters/vat_general_rate.yaml: 'values' must be a non-empty mapping of "
        "YYYY-MM-DD: {value, reference}",
    ),
    (
        "tax/consumption_tax.csv",
        "3303 3304,0.15,",
        "3303 3304,15,",
        "tax/consumption_tax.csv: row 14, field 'ad_valorem': rate 15 is above 1; "
        "write rates as decimals (0.13 = 13 %)",
    ),
    (
        "tax/consumption_tax.csv",
        "2208,0.20,0.912,元/升",
        "2208,0.20,0.912,",
        "tax/consumption_tax.csv: row 8, field 'specific_unit': "
        "specific_rate and specific_unit must be given together",
    ),
    (
        "tax/consumption_tax.csv",
        "unit_price|[10,)|元/毫升(克)|096 036",
        "unit_price|10+|元/毫升(克)|096 036",
        "tax/consumption_tax.csv: row 14, field 'thresholds': "
        "'unit_price|10+|元/毫升(克)|096 036' is not 'measure|interval|unit|unit codes'",
    ),
    (
        "tax/consumption_tax.csv",
        "2207,0.05",
        "22.07,0.05",
        "tax/consumption_tax.csv: row 13, field 'hs_prefixes': '22.07' is not an HS prefix of 2 to 10 digits",
    ),
    (
        "tax/vat_lower_rate_scopes.csv",
        "040140,general,",
        "040140,exempt,",
        "tax/vat_lower_rate_scopes.csv: row 4, field 'band': 'exempt' is not one of lower, general",
    ),
    (
        "positive_list/positive_list.csv",
        "04029900,浓缩并已加糖",
        "0402990,浓缩并已加糖",
        "positive_list/positive_list.csv: row 3, field 'tariff_line': "
        "'0402990' is not an 8-digit tariff line",
    ),
    (
        "positive_list/positive_list.csv",
        "04031000,酸乳,,2016-1,2016-04-08",
        "04031000,酸乳,,2016-1,2016/04/08",
        "positive_list/positive_list.csv: row 4, field 'valid_from': "
        "'2016/04/08' is not a date in YYYY-MM-DD form",
    ),
    (
        "positive_list/positive_list.csv",
        "2020-01-01,2022-02-28,",
        "2020-01-01,2019-02-28,",
        "positive_list/positive_list.csv: row 57, field 'valid_to': "
        "2019-02-28 is before valid_from 2020-01-01",
    ),
    (
        "positive_list/positive_list.csv",
        "04031000,酸乳,,2016-1,2016-04-08,,false,",
        "04031000,酸乳,,2016-1,2016-04-08,,no,",
        "positive_list/positive_list.csv: row 4, field 'bonded_only': 'no' is not true or false",
    ),
    (
        "positive_list/positive_list.csv",
        "04031000,酸乳,",
        "04029100,酸乳,",
        "positive_list/positive_list.csv: field 'valid_from': line 04029100 has overlapping validity periods",
    ),
    (
        "positive_list/positive_list.csv",
        "tariff_line,name_zh,",
        "hs,name_zh,",
        "positive_list/positive_list.csv: row 1: missing column(s) tariff_line in the header",
    ),
    (
        "codes/country.csv",
        "102,巴林,",
        "101,巴林,",
        "codes/country.csv: row 4, field 'code': duplicate code '101' (first at row 3)",
    ),
    (
        "codes/unit.csv",
        "002,座,HXT;tianjin_oms,",
        "002,座,HXT;tianjin_oms,,extra",
        "codes/unit.csv: row 3: has 5 cells where the header has 4",
    ),
    (
        "codes/customs-district.yaml",
        "completeness: partial",
        "completeness: mostly",
        "codes/customs-district.yaml: field 'completeness': "
        "must be one of complete, partial, indicative, unknown",
    ),
    (
        "positive_list/positive_list.yaml",
        "    official_lines: 1476",
        "    official_lines: many",
        "positive_list/positive_list.yaml: field 'versions': "
        "versions[4] needs valid_from (date) and official_lines (int)",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"), BROKEN, ids=[m.split(": ", 1)[1] for *_, m in BROKEN]
)
def test_malformed_file_names_file_row_and_field(
    data: Path, file: str, old: str, new: str, message: str
) -> None:
    _edit(data / file, old, new)
    assert _error(data) == message


def test_missing_file_is_named(data: Path) -> None:
    (data / "codes" / "currency.csv").unlink()
    assert _error(data) == "codes/currency.csv: file not found in the rule data directory"


def test_invalid_yaml_names_the_row(data: Path) -> None:
    (data / "parameters" / "tax_factor.yaml").write_text("values:\n  - [unclosed\n", "utf-8")
    assert _error(data) == "parameters/tax_factor.yaml: row 3: is not valid YAML"
