"""Every rejection reason, with its code and a message naming the document and field."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from opencbec.domain.codes import Status
from tests.parcels import MILK, OFF_LIST, Customs, buyer_id, guid, make_parcel, with_head


def _code(info: str) -> str:
    return info.split(";")[0].removeprefix("[Code:")


def test_payment_amount_different_from_the_order_is_refused_9002() -> None:
    customs = Customs()
    parcel = make_parcel()
    payment = with_head(parcel.payment, amount_paid=Decimal("1.00"))
    customs.send(parcel.order, payment, parcel.waybill, parcel.inventory)
    assert customs.status(parcel.inventory) == Status.REJECTED
    assert _code(customs.info(parcel.inventory)) == "9002"
    assert "amountPaid 1.00" in customs.info(parcel.inventory)


def test_an_order_whose_amounts_do_not_add_up_is_refused_9002() -> None:
    customs = Customs()
    parcel = make_parcel()
    order = with_head(parcel.order, actural_paid=Decimal("999"))
    customs.send(order)
    assert customs.status(order) == Status.REJECTED
    assert _code(customs.info(order)) == "9002"
    assert "acturalPaid 999" in customs.info(order)


def test_buyer_different_from_payer_is_refused_1327() -> None:
    customs = Customs()
    parcel = make_parcel()
    payment = with_head(parcel.payment, payer_id_number=buyer_id(7), payer_name="李四")
    customs.send(parcel.order, payment, parcel.waybill, parcel.inventory)
    assert _code(customs.info(parcel.inventory)) == "1327"


def test_list_buyer_different_from_order_buyer_is_refused_13127() -> None:
    customs = Customs()
    parcel = make_parcel()
    inventory = with_head(parcel.inventory, buyer_id_number=buyer_id(8))
    customs.send(parcel.order, parcel.payment, parcel.waybill, inventory)
    assert _code(customs.info(inventory)) == "13127"


def test_payment_enterprise_different_from_the_order_is_refused_13035() -> None:
    customs = Customs()
    parcel = make_parcel()
    payment = with_head(parcel.payment, pay_code="9999999999")
    customs.send(parcel.order, payment, parcel.waybill, parcel.inventory)
    assert _code(customs.info(parcel.inventory)) == "13035"


def test_consignee_different_from_the_waybill_is_refused_9003() -> None:
    customs = Customs()
    parcel = make_parcel()
    waybill = with_head(parcel.waybill, consignee_address="上海市浦东新区2号")
    customs.send(parcel.order, parcel.payment, waybill, parcel.inventory)
    assert _code(customs.info(parcel.inventory)) == "9003"


def test_list_lines_that_do_not_match_the_order_are_refused_1322() -> None:
    customs = Customs()
    parcel = make_parcel(prices=[Decimal("100"), Decimal("50")])
    lines = [replace(parcel.inventory.lines[0], gname="别的商品"), parcel.inventory.lines[1]]
    inventory = replace(parcel.inventory, lines=lines)
    customs.send(parcel.order, parcel.payment, parcel.waybill, inventory)
    assert _code(customs.info(inventory)) == "1322"
    assert "gnum 1" in customs.info(inventory)


def test_list_enterprise_different_from_the_order_is_refused_9004() -> None:
    customs = Customs()
    parcel = make_parcel()
    inventory = with_head(parcel.inventory, ebc_code="0000000000")
    customs.send(parcel.order, parcel.payment, parcel.waybill, inventory)
    assert _code(customs.info(inventory)) == "9004"


def test_a_buyer_id_with_a_wrong_check_digit_is_refused_1300() -> None:
    customs = Customs()
    good = buyer_id(3)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    parcel = make_parcel(buyer=bad)
    customs.send(*parcel.documents())
    assert _code(customs.info(parcel.inventory)) == "1300"


def test_goods_not_on_the_positive_list_are_refused_9010() -> None:
    customs = Customs()
    parcel = make_parcel(goods=[OFF_LIST])
    customs.send(*parcel.documents())
    assert _code(customs.info(parcel.inventory)) == "9010"
    assert "85171300" in customs.info(parcel.inventory)


def test_a_direct_purchase_list_without_a_bill_number_is_refused_naming_the_field() -> None:
    customs = Customs()
    parcel = make_parcel()
    inventory = with_head(parcel.inventory, bill_no=None)
    customs.send(inventory)
    assert customs.status(inventory) == Status.REJECTED
    assert _code(customs.info(inventory)) == "9005"
    assert "billNo" in customs.info(inventory)


def test_over_the_single_limit_is_refused_621005() -> None:
    customs = Customs()
    parcel = make_parcel(prices=[Decimal("3000"), Decimal("2000")], freight=Decimal("10"))
    customs.send(*parcel.documents())
    assert _code(customs.info(parcel.inventory)) == "-621005"


def test_a_single_indivisible_item_over_the_limit_goes_to_manual_review_and_counts() -> None:
    customs = Customs()
    parcel = make_parcel(prices=[Decimal("6000")], freight=Decimal(0))
    effects = customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.MANUAL_REVIEW
    assert _code(customs.info(parcel.inventory)) == "9014"
    assert customs.used(parcel.inventory.head.buyer_id_number, 2024) == Decimal("6000.00")
    assert effects.tax_notes == []


def test_the_limits_before_2019_were_2000_and_20000() -> None:
    customs = Customs()
    parcel = make_parcel(prices=[Decimal("1500"), Decimal("600")], at=datetime(2018, 6, 1, 10))
    customs.send(*parcel.documents())
    assert _code(customs.info(parcel.inventory)) == "-621005"


def test_the_annual_limit_is_enforced_on_the_ledger_1313() -> None:
    customs = Customs()
    buyer = buyer_id(5)
    at = datetime(2024, 3, 1, 10)
    parcels = [
        make_parcel(prices=[Decimal("4990")], buyer=buyer, at=at + timedelta(hours=i)) for i in range(6)
    ]
    for parcel in parcels:
        customs.send(*parcel.documents())
    statuses = [customs.status(p.inventory) for p in parcels]
    assert statuses == ["800"] * 5 + ["100"]
    assert _code(customs.info(parcels[-1].inventory)) == "1313"
    assert "used 25000.00" in customs.info(parcels[-1].inventory)


def test_the_annual_limit_counts_per_calendar_year_of_the_declaration() -> None:
    customs = Customs()
    buyer = buyer_id(6)
    december = [
        make_parcel(prices=[Decimal("4990")], buyer=buyer, at=datetime(2023, 12, 31, 10 + i))
        for i in range(5)
    ]
    january = make_parcel(prices=[Decimal("4990")], buyer=buyer, at=datetime(2024, 1, 1, 9))
    for parcel in [*december, january]:
        customs.send(*parcel.documents())
    assert customs.status(january.inventory) == Status.RELEASED
    assert customs.used(buyer, 2023) == Decimal("25000.00")
    assert customs.used(buyer, 2024) == Decimal("5000.00")


def test_a_list_whose_payment_never_arrives_is_refused_after_the_wait_9001() -> None:
    customs = Customs()
    parcel = make_parcel(at=datetime(2024, 6, 1, 10))
    customs.send(parcel.order, parcel.waybill, parcel.inventory)
    customs.advance(datetime(2024, 6, 2, 9))
    assert customs.status(parcel.inventory) == Status.DECLARING
    customs.advance(datetime(2024, 6, 2, 10, 0, 1))
    assert customs.status(parcel.inventory) == Status.REJECTED
    assert _code(customs.info(parcel.inventory)) == "9001"
    assert "payment not received" in customs.info(parcel.inventory)


def test_a_waybill_received_after_the_deadline_does_not_count() -> None:
    customs = Customs()
    parcel = make_parcel(at=datetime(2024, 6, 1, 10))
    customs.send(parcel.order, parcel.payment, parcel.inventory)
    customs.send(parcel.waybill, at=datetime(2024, 6, 3, 10))
    assert customs.status(parcel.inventory) == Status.REJECTED
    assert customs.status(parcel.waybill) == Status.STORED
    assert _code(customs.info(parcel.inventory)) == "9001"


@pytest.mark.parametrize("app_type", ["3", "9"])
def test_unsupported_app_types_are_refused_9030(app_type: str) -> None:
    customs = Customs()
    order = with_head(make_parcel().order, app_type=app_type)
    effects = customs.send(order)
    assert effects.new_docs[0].status == Status.REJECTED
    assert effects.new_docs[0].info.startswith("[Code:9030;")


def test_a_rejected_partner_counts_as_missing_and_may_be_corrected_in_time() -> None:
    customs = Customs()
    parcel = make_parcel(goods=[MILK])
    bad_order = with_head(parcel.order, currency="502")
    customs.send(bad_order, parcel.payment, parcel.waybill, parcel.inventory)
    assert customs.status(parcel.inventory) == Status.DECLARING
    fixed = with_head(parcel.order, app_type="2", guid=guid())
    customs.send(fixed)
    assert customs.status(parcel.inventory) == Status.RELEASED
