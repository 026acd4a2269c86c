"""The ground truth: planted anomalies, their reasons, shares, timing, limits and the draw."""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from opencbec.domain.documents import Inventory, Order, Payment, Waybill
from opencbec.domain.money import allocate, to_fen
from opencbec.rules import shipped_rulebook
from opencbec.sim import Anomaly
from tests.unit.sim.conftest import MIX, PARCELS, Traffic, app_time

REASON = {
    "amount_mismatch": ("100", "9002"),
    "payer_mismatch": ("100", "1327"),
    "list_buyer_mismatch": ("100", "13127"),
    "off_list_goods": ("100", "9010"),
    "bad_buyer_id": ("100", "1300"),
    "over_single_limit": ("100", "-621005"),
    "indivisible_over_limit": ("300", "9014"),
    "late_waybill": ("100", "9001"),
    "missing_payment": ("100", "9001"),
    "annual_limit_exceeded": ("100", "1313"),
}
CLEARS = {("800", "2600"), ("500", "9040")}
#: Anomalies for risk targeting only: they clear as any parcel (targeting off).
RISK_ONLY = {"id_reuse", "under_valuation"}


def _list(g: dict[str, object]) -> tuple[str, str]:
    expected = g["expected"]
    assert isinstance(expected, dict)
    return expected["list"], expected["listReason"]


def test_each_planted_anomaly_predicts_its_reason_code(traffic: Traffic) -> None:
    for g in traffic.truth:
        labels = set(g["labels"])
        planted = [REASON[label] for label in labels if label in REASON]
        if planted:
            assert _list(g) == planted[0], g
        elif (
            labels & {"split_order", "duplicate_list", "out_of_order", "annual_limit", *RISK_ONLY}
            or not labels
        ):
            assert _list(g) in CLEARS, g
    assert {_list(g) for g in traffic.truth} >= {*REASON.values(), *CLEARS}


def test_anomaly_shares_are_roughly_as_configured(traffic: Traffic) -> None:
    labels = Counter(label for g in traffic.truth for label in g["labels"])
    for anomaly, share in MIX.shares.items():
        expected = share * PARCELS
        if anomaly is Anomaly.SPLIT_ORDER:
            expected *= 3  # a split purchase is 2 to 4 parcels
        elif anomaly is Anomaly.ID_REUSE:
            expected *= 3.5  # one reused ID is 3 or 4 parcels
        elif anomaly is Anomaly.MISSING_PAYMENT:
            expected *= 4 / 6  # only lists whose deadline later traffic passes
        assert abs(labels[anomaly.value] - expected) <= 4 * math.sqrt(expected) + 3, anomaly
    assert 0.06 * PARCELS < sum(labels[a.value] for a in Anomaly) < 0.18 * PARCELS
    assert abs(labels["out_of_order"] - MIX.out_of_order * PARCELS) <= 4 * math.sqrt(75) + 3


def test_out_of_order_lists_go_first_and_still_clear(traffic: Traffic) -> None:
    late = [g for g in traffic.truth if "out_of_order" in g["labels"]]
    assert late
    for g in late:
        sent = {k: app_time(v) for k, v in g["sent"].items() if v}
        assert sent["list"] < sent["waybill"] <= sent["list"] + timedelta(hours=13)
        assert _list(g) in CLEARS


def test_late_and_missing_partners_miss_the_24_hour_wait(traffic: Traffic) -> None:
    last_sent = max(app_time(d.head.app_time) for f in traffic.files for d in f.documents)
    for g in traffic.truth:
        sent = g["sent"]
        deadline = app_time(sent["list"]) + timedelta(hours=24)
        if "late_waybill" in g["labels"]:
            assert app_time(sent["waybill"]) > deadline
            assert g["expected"]["waybill"] == "120"
        if "missing_payment" in g["labels"]:
            assert sent["payment"] is None and g["expected"]["payment"] is None
            assert last_sent > deadline + timedelta(hours=1)  # later traffic passes the deadline


def test_a_second_list_for_the_same_order_is_refused_as_a_duplicate(traffic: Traffic) -> None:
    guids = {d.head.guid: d for f in traffic.files for d in f.documents if isinstance(d, Inventory)}
    duplicates = [g for g in traffic.truth if g["duplicateList"]]
    assert duplicates
    for g in duplicates:
        second = guids[g["duplicateList"]["guid"]]
        assert second.key == f"{g['ebpCode']}/{g['orderNo']}"
        assert second.head.guid != g["guids"]["list"] and second.head.app_type == "1"
        assert (g["duplicateList"]["status"], g["duplicateList"]["reason"]) == ("100", "-621004")
        assert _list(g) in CLEARS


def test_inspection_follows_the_published_draw(traffic: Traffic) -> None:
    rate = float(traffic.summary["settings"]["inspectionRate"])
    for g in traffic.truth:
        if _list(g) not in CLEARS:
            continue
        text = f"opencbec|{g['ebpCode']}|{g['orderNo']}".encode()
        draw = int(hashlib.sha256(text).hexdigest()[:13], 16) / 16**13
        assert (_list(g) == ("500", "9040")) == (draw < rate)
        assert ("inspection" in g["labels"]) == (draw < rate)


def test_big_spenders_are_refused_exactly_when_they_would_cross_the_annual_limit(
    traffic: Traffic,
) -> None:
    by_buyer: dict[str, list[dict[str, object]]] = defaultdict(list)
    for g in traffic.truth:
        if "annual_limit" in g["labels"]:
            by_buyer[g["buyerIdNumber"]].append(g)
    annual = shipped_rulebook().at(datetime(2024, 6, 12).date()).annual_limit
    refused = 0
    for parcels in by_buyer.values():
        used = Decimal(0)
        for g in sorted(parcels, key=lambda g: g["sent"]["list"]):  # type: ignore[index]
            value = Decimal(str(g["dutiableValue"]))
            if used + value > annual:
                assert _list(g) == ("100", "1313")
                refused += 1
            else:
                assert _list(g) in CLEARS
                used += value
    assert refused > 0


def test_split_orders_share_buyer_and_day_and_stay_under_the_limit(traffic: Traffic) -> None:
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for g in traffic.truth:
        if g["splitGroup"]:
            groups[g["splitGroup"]].append(g)
    assert groups
    for parts in groups.values():
        assert len(parts) >= 2
        assert len({g["buyerIdNumber"] for g in parts}) == 1
        # minutes apart (a purchase just before midnight may straddle two calendar days)
        sent = sorted(app_time(str(g["sent"]["order"])) for g in parts)  # type: ignore[index]
        assert sent[-1] - sent[0] <= timedelta(minutes=15)
        assert all(Decimal(str(g["dutiableValue"])) <= 5000 for g in parts)
        assert all("split_order" in g["labels"] for g in parts)  # type: ignore[operator]


def test_released_lists_carry_the_tax_computed_from_the_written_list(traffic: Traffic) -> None:
    truth = traffic.truth_by_order()
    rulebook = shipped_rulebook()
    checked = 0
    for f in traffic.files:
        for doc in f.documents:
            if not isinstance(doc, Inventory) or truth[doc.key]["guids"]["list"] != doc.head.guid:
                continue
            g = truth[doc.key]
            if g["expected"]["list"] != "800":
                assert g["valueAddedTax"] is None
                continue
            rules = rulebook.at(datetime.strptime(doc.head.decl_time, "%Y%m%d").date())
            shares = allocate(doc.head.freight + doc.head.insured_fee, [ln.total_price for ln in doc.lines])
            vat = Decimal(0)
            for line, share in zip(doc.lines, shares, strict=True):
                assert rules.consumption_tax(line.gcode) is None
                vat += to_fen(
                    (to_fen(line.total_price) + share) * rules.vat_rate(line.gcode) * rules.tax_factor
                )
            assert Decimal(g["valueAddedTax"]) == vat
            checked += 1
    assert checked > 0.8 * len(traffic.truth)


def test_keys_are_unique(traffic: Traffic) -> None:
    keys: Counter[tuple[str, str]] = Counter()
    seen: set[bytes] = set()
    for f in traffic.files:
        if f.data in seen:
            continue
        seen.add(f.data)
        for doc in f.documents:
            if isinstance(doc, Order | Waybill):
                keys[(type(doc).__name__, doc.key)] += 1
            elif isinstance(doc, Payment):
                keys[("payment", f"{doc.head.ebp_code}/{doc.head.order_no}")] += 1
                keys[("transaction", f"{doc.head.pay_code}/{doc.head.pay_transaction_id}")] += 1
            keys[("guid", doc.head.guid)] += 1
    assert max(keys.values()) == 1


@pytest.mark.parametrize("label", ["bad_buyer_id", "off_list_goods", "over_single_limit"])
def test_refused_lists_do_not_count_as_released(traffic: Traffic, label: str) -> None:
    parcels = [g for g in traffic.truth if label in g["labels"]]
    assert parcels
    assert all(g["valueAddedTax"] is None for g in parcels)
