"""Consolidated declarations: hand-computed groupings for both summaryFlag values and itemNameFlag."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from opencbec.export.summary import ClosedList, Declaration, build_declarations, overdue
from opencbec.sim import export_documents as b
from opencbec.sim.export_documents import Parcel
from tests.unit.export.helpers import goods, parcel

CLOSED = datetime(2024, 6, 20, 12, 0)
SHOES = {
    "gcode": "6404199000",
    "gname": "橡胶底纺织面鞋",
    "item_name": "跑鞋",
    "qty": Decimal(1),
    "price": Decimal(200),
}


def _closed(n: int, p: Parcel) -> ClosedList:
    return ClosedList(f"22442024E{n:09d}", b.export_list(p), CLOSED)


def _lists() -> list[ClosedList]:
    l1 = parcel(1, (goods(1, item_name="T恤A"), goods(2, item_no="SKU2", **SHOES)), owner_code="O1")
    l2 = parcel(2, (goods(1, item_name="T恤B", qty=Decimal(3), price=Decimal(50)),), owner_code="O2")
    l3 = parcel(3, (goods(1, qty=Decimal(1)),), owner_code="O1", port_code="5141")
    l4 = parcel(4, (goods(1, qty=Decimal(10), price=Decimal(30)),), owner_code="O1", trade_mode="9710")
    return [_closed(i, p) for i, p in enumerate((l1, l2, l3, l4), 1)]


def _shape(decls: list[Declaration]) -> list[tuple[object, ...]]:
    return [
        (
            d.key.owner_code,
            d.key.trade_mode,
            d.key.port_code,
            d.invt_nos,
            [
                (
                    i.gseqno,
                    i.key.gcode,
                    i.key.name,
                    i.qty,
                    i.total_price,
                    [(s.invt_no[-1], s.gnum) for s in i.sources],
                )
                for i in d.items
            ],
        )
        for d in decls
    ]


def test_summary_flag_1_groups_by_consignor_only() -> None:
    decls = build_declarations(_lists(), "1", "0")
    tee, shoes = ("6109100022", "棉制针织T恤衫"), ("6404199000", "橡胶底纺织面鞋")
    assert _shape(decls) == [
        (
            "",
            "9610",
            "2244",
            ["22442024E000000001", "22442024E000000002"],
            [
                (1, *tee, Decimal(5), Decimal(270), [("1", 1), ("2", 1)]),
                (2, *shoes, Decimal(1), Decimal(200), [("1", 2)]),
            ],
        ),
        ("", "9610", "5141", ["22442024E000000003"], [(1, *tee, Decimal(1), Decimal(60), [("3", 1)])]),
        ("", "9710", "2244", ["22442024E000000004"], [(1, *tee, Decimal(10), Decimal(300), [("4", 1)])]),
    ]
    assert decls[0].gross_weight == Decimal("1.6") and decls[0].net_weight == Decimal("1.2")
    assert decls[2].order_nos == ["SO000004"]


def test_summary_flag_2_splits_by_producer() -> None:
    decls = build_declarations(_lists(), "2", "0")
    assert [(d.key.owner_code, d.key.port_code, d.key.trade_mode, d.invt_nos[0][-1]) for d in decls] == [
        ("O1", "2244", "9610", "1"),
        ("O2", "2244", "9610", "2"),
        ("O1", "5141", "9610", "3"),
        ("O1", "2244", "9710", "4"),
    ]
    assert [(i.gseqno, i.qty, i.total_price) for i in decls[0].items] == [(1, 2, 120), (2, 1, 200)]
    assert [(i.gseqno, i.qty, i.total_price) for i in decls[1].items] == [(1, 3, 150)]


def test_item_name_flag_1_splits_items_by_the_enterprise_goods_name() -> None:
    decls = build_declarations(_lists()[:2], "1", "1")
    assert [
        (i.gseqno, i.key.name, i.qty, [(s.invt_no[-1], s.gnum) for s in i.sources]) for i in decls[0].items
    ] == [
        (1, "T恤A", 2, [("1", 1)]),
        (2, "跑鞋", 1, [("1", 2)]),
        (3, "T恤B", 3, [("2", 1)]),
    ]


def test_destination_unit_and_currency_split_items() -> None:
    p = parcel(
        1,
        (
            goods(1),
            goods(2, item_no="SKU2", country="304"),
            goods(3, item_no="SKU3", unit="007", unit1="007"),
            goods(4, item_no="SKU4", currency="502"),
            goods(5, item_no="SKU5"),
        ),
    )
    (decl,) = build_declarations([_closed(1, p)], "1", "0")
    assert [(i.gseqno, [s.gnum for s in i.sources]) for i in decl.items] == [
        (1, [1, 5]),
        (2, [2]),
        (3, [3]),
        (4, [4]),
    ]
    assert decl.totals() == {"142": Decimal(480), "502": Decimal(120)}


@pytest.mark.parametrize(("summary_flag", "item_name_flag"), [("1", "0"), ("1", "1"), ("2", "0"), ("2", "1")])
def test_every_line_is_in_exactly_one_item_and_totals_are_kept(
    summary_flag: str, item_name_flag: str
) -> None:
    lists = _lists()
    decls = build_declarations(lists, summary_flag, item_name_flag)
    seen = [(s.invt_no, s.gnum) for d in decls for i in d.items for s in i.sources]
    expected = [(c.invt_no, ln.gnum) for c in lists for ln in c.document.lines]
    assert sorted(seen) == sorted(expected) and len(set(seen)) == len(seen)
    assert sum(i.total_price for d in decls for i in d.items) == sum(
        ln.total_price for c in lists for ln in c.document.lines
    )
    assert sum(i.qty for d in decls for i in d.items) == sum(ln.qty for c in lists for ln in c.document.lines)
    for d in decls:
        assert [i.gseqno for i in d.items] == list(range(1, len(d.items) + 1))


def test_bad_summary_flag_is_refused() -> None:
    with pytest.raises(ValueError, match="summaryFlag"):
        build_declarations(_lists(), "3", "0")


def test_lists_closed_last_month_are_overdue_after_the_15th() -> None:
    lists = [
        ClosedList("A", b.export_list(parcel(1)), datetime(2024, 5, 31, 23, 0)),
        ClosedList("B", b.export_list(parcel(2)), datetime(2024, 6, 1, 0, 0)),
    ]
    assert overdue(lists, datetime(2024, 6, 15).date()) == []
    assert [c.invt_no for c in overdue(lists, datetime(2024, 6, 16).date())] == ["A"]
    assert [c.invt_no for c in overdue(lists, (datetime(2024, 7, 16) + timedelta(0)).date())] == ["B"]
