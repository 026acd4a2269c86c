"""The simplified mode (statisticsFlag A), B2B 9710/9810 and special-zone 1210 lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opencbec.export.state import XStatus
from tests.unit.export.helpers import Driver, goods, parcel


def _status(**kw: object) -> tuple[str, str]:
    drv = Driver()
    p = parcel(**kw)
    lst = drv.full(p, collection=False)
    return lst.status, lst.info[:11]


def test_simplified_lists_need_no_collection_and_only_a_4_digit_heading() -> None:
    assert _status(statistics_flag="A", goods_=(goods(1, gcode="6109000000"),)) == ("120", "[Code:1800;")
    assert _status(statistics_flag="A", goods_=(goods(1, gcode="61XX000000"),)) == ("100", "[Code:9104;")


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"license_no": "L123"}, "9108"),
        ({"goods_": (goods(1, gcode="2601110000"),)}, "9108"),
    ],
)
def test_simplified_mode_refuses_licensed_or_dutiable_goods(kw: dict[str, object], code: str) -> None:
    assert _status(statistics_flag="A", **kw) == ("100", f"[Code:{code};")


def test_summary_mode_lists_need_a_10_digit_code_and_a_collection() -> None:
    assert _status(goods_=(goods(1, gcode="6109XX0000"),)) == ("100", "[Code:9104;")
    assert _status() == (XStatus.DECLARING, "[Code:9128;")


def test_b2b_lists_need_the_matching_order_type_and_at_most_5000_cny() -> None:
    assert _status(trade_mode="9710", order_type="B") == ("120", "[Code:1800;")
    assert _status(trade_mode="9810", order_type="W") == ("120", "[Code:1800;")
    assert _status(trade_mode="9710", order_type="E") == ("100", "[Code:9107;")
    big = (goods(1, qty=Decimal(101), price=Decimal(50)),)
    assert _status(trade_mode="9710", order_type="B", goods_=big) == ("100", "[Code:9109;")


def test_special_zone_lists_need_the_ledger() -> None:
    assert _status(trade_mode="1210") == ("100", "[Code:9110;")
    assert _status(trade_mode="1210", ems_no="T2244W000001", iac_code="2244660001") == ("120", "[Code:1800;")


def test_wrong_flags_and_totals_are_refused() -> None:
    assert _status(statistics_flag="C") == ("100", "[Code:9104;")
    assert _status(trade_mode="0110") == ("100", "[Code:9104;")
