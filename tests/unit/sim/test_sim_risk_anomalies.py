"""Anomalies planted for risk targeting: ID reuse and under-valuation, as written and as predicted."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from opencbec.domain.documents import Inventory, Order
from opencbec.risk.rule_files import default_rules_text, parse_text
from opencbec.sim.catalogue import PRODUCTS
from tests.unit.sim.conftest import Traffic, app_time

CLEARS = {("800", "2600"), ("500", "9040")}
LOW = {p.gcode: Decimal(p.low) for p in PRODUCTS}


def _written(traffic: Traffic) -> tuple[dict[str, Order], dict[str, Inventory]]:
    """The first order and list written per ``ebpCode/orderNo``."""
    orders: dict[str, Order] = {}
    lists: dict[str, Inventory] = {}
    for f in traffic.files:
        for doc in f.documents:
            if isinstance(doc, Order):
                orders.setdefault(doc.key, doc)
            elif isinstance(doc, Inventory):
                lists.setdefault(doc.key, doc)
    return orders, lists


def _reference() -> tuple[Decimal, list[tuple[str, Decimal]]]:
    rules = parse_text(default_rules_text())
    (rule,) = [r for r in rules if r["when"]["kind"] == "unit_price_below_reference"]
    refs = sorted(
        ((str(k), Decimal(str(v))) for k, v in rule["when"]["reference"].items()), key=lambda kv: -len(kv[0])
    )
    return Decimal(str(rule["when"]["ratio"])), refs


def _below_reference(gcode: str, price: Decimal, ratio: Decimal, refs: list[tuple[str, Decimal]]) -> bool:
    for prefix, ref in refs:
        if gcode.startswith(prefix):
            return price < ratio * ref
    return False


def _expected(g: dict[str, Any]) -> tuple[str, str]:
    return g["expected"]["list"], g["expected"]["listReason"]


def test_id_reuse_one_buyer_many_strangers_in_a_short_window(traffic: Traffic) -> None:
    orders, _ = _written(traffic)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in traffic.truth:
        if "id_reuse" in g["labels"]:
            groups[g["buyerIdNumber"]].append(g)
    assert len(groups) >= 5
    for parts in groups.values():
        assert 3 <= len(parts) <= 4
        heads = [orders[f"{g['ebpCode']}/{g['orderNo']}"].head for g in parts]
        for what in ("consignee", "consignee_telephone", "consignee_address"):
            assert len({getattr(h, what) for h in heads}) == len(parts), what
        assert all(h.buyer_id_number == parts[0]["buyerIdNumber"] for h in heads)
        sent = sorted(app_time(g["sent"]["order"]) for g in parts)
        assert sent[-1] - sent[0] <= timedelta(hours=2, minutes=2)
        assert sum(Decimal(g["dutiableValue"]) for g in parts) <= 4 * 5000  # far under the annual limit
        for g in parts:
            assert _expected(g) in CLEARS, g  # clears as any parcel with targeting off


def test_under_valued_lines_are_far_below_usual_price_and_trigger_the_reference_rule(
    traffic: Traffic,
) -> None:
    _, lists = _written(traffic)
    ratio, refs = _reference()
    under = [g for g in traffic.truth if "under_valuation" in g["labels"]]
    assert len(under) >= 5
    for g in under:
        doc = lists[f"{g['ebpCode']}/{g['orderNo']}"]
        for line in doc.lines:
            assert line.price <= Decimal("0.4") * LOW[line.gcode] + Decimal("0.1"), line
            assert _below_reference(line.gcode, line.price, ratio, refs), line
            assert line.total_price == line.price * line.qty
        assert _expected(g) in CLEARS, g


def test_other_parcels_never_trigger_the_reference_rule(traffic: Traffic) -> None:
    _, lists = _written(traffic)
    ratio, refs = _reference()
    labels = {f"{g['ebpCode']}/{g['orderNo']}": g["labels"] for g in traffic.truth}
    for key, doc in lists.items():
        if "under_valuation" in labels[key]:
            continue
        for line in doc.lines:
            assert not _below_reference(line.gcode, line.price, ratio, refs), (key, line)
