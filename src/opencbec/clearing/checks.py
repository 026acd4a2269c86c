"""Checks on a single document, before any matching (see docs/clearing-rules.md)."""

from __future__ import annotations

from decimal import Decimal

from opencbec.domain import resident_id
from opencbec.domain.codes import R, Reason
from opencbec.domain.documents import Document, Inventory, Order, Payment, Waybill
from opencbec.domain.money import ZERO, to_fen

Failure = tuple[Reason, str]

CNY = "142"
IMPORT_TRADE_MODES = frozenset({"9610", "1210", "1239"})
BONDED_TRADE_MODES = frozenset({"1210", "1239"})


def own_checks(document: Document) -> Failure | None:
    """The checks a document of its kind gets on its own, before matching (None: passed, or a kind
    with none: cancels and returns are checked against the list they name)."""
    if isinstance(document, Order):
        return check_order(document)
    if isinstance(document, Payment):
        return check_payment(document)
    if isinstance(document, Waybill):
        return check_waybill(document)
    if isinstance(document, Inventory):
        return check_inventory(document)
    return None


def check_order(order: Order) -> Failure | None:
    """Check an order on its own: codes and the amount identities."""
    h = order.head
    doc = f"order {h.ebp_code}/{h.order_no}"
    if h.currency != CNY:
        return R.FIELD_RULE, f"{doc}: currency must be 142 (CNY), got {h.currency!r}"
    if h.buyer_id_type != "1":
        return R.FIELD_RULE, f"{doc}: buyerIdType must be 1 (resident ID), got {h.buyer_id_type!r}"
    if h.order_type != "I":
        return R.FIELD_RULE, f"{doc}: orderType must be I (import), got {h.order_type!r}"
    expected = to_fen(h.goods_value + h.freight + h.tax_total - h.discount)
    if to_fen(h.actural_paid) != expected:
        return R.AMOUNT_MISMATCH, (
            f"{doc}: acturalPaid {h.actural_paid} != goodsValue + freight + taxTotal - discount = {expected}"
        )
    for line in order.lines:
        if to_fen(line.price * line.qty) != to_fen(line.total_price):
            return R.AMOUNT_MISMATCH, (
                f"{doc} line gnum {line.gnum}: totalPrice {line.total_price} != price {line.price}"
                f" x qty {line.qty}"
            )
    lines_total = sum((line.total_price for line in order.lines), ZERO)
    if to_fen(lines_total) != to_fen(h.goods_value):
        return (
            R.AMOUNT_MISMATCH,
            f"{doc}: goodsValue {h.goods_value} != sum of totalPrice {lines_total}",
        )
    return None


def check_payment(payment: Payment) -> Failure | None:
    """Check a payment note on its own."""
    h = payment.head
    doc = f"payment {h.pay_code}/{h.pay_transaction_id} (order {h.order_no})"
    if h.currency != CNY:
        return R.FIELD_RULE, f"{doc}: currency must be 142 (CNY), got {h.currency!r}"
    if h.payer_id_type != "1":
        return R.FIELD_RULE, f"{doc}: payerIdType must be 1 (resident ID), got {h.payer_id_type!r}"
    return None


def check_waybill(waybill: Waybill) -> Failure | None:
    """Check a waybill on its own."""
    h = waybill.head
    doc = f"waybill {h.logistics_code}/{h.logistics_no}"
    if h.currency != CNY:
        return R.FIELD_RULE, f"{doc}: currency must be 142 (CNY), got {h.currency!r}"
    if h.pack_no != 1:
        return R.FIELD_RULE, f"{doc}: packNo must be 1 (one parcel per waybill), got {h.pack_no}"
    return None


def check_inventory(inventory: Inventory) -> Failure | None:
    """Check a list on its own: codes, trade-mode fields, lines, buyer ID."""
    h = inventory.head
    doc = f"list {h.ebp_code}/{h.order_no}"
    if h.ie_flag != "I":
        return R.FIELD_RULE, f"{doc}: ieFlag must be I (import), got {h.ie_flag!r}"
    if h.currency != CNY:
        return R.FIELD_RULE, f"{doc}: currency must be 142 (CNY), got {h.currency!r}"
    if h.buyer_id_type != "1":
        return R.FIELD_RULE, f"{doc}: buyerIdType must be 1 (resident ID), got {h.buyer_id_type!r}"
    if h.trade_mode not in IMPORT_TRADE_MODES:
        return R.FIELD_RULE, f"{doc}: tradeMode must be 9610, 1210 or 1239, got {h.trade_mode!r}"
    if h.trade_mode == "9610":
        for name, value in (
            ("trafNo", h.traf_no),
            ("voyageNo", h.voyage_no),
            ("billNo", h.bill_no),
        ):
            if not value:
                return R.FIELD_RULE, f"{doc}: {name} is required for direct purchase (9610)"
    else:
        for name, value in (("emsNo", h.ems_no), ("areaCode", h.area_code)):
            if not value:
                return R.FIELD_RULE, f"{doc}: {name} is required for bonded import ({h.trade_mode})"
        for line in inventory.lines:
            if not line.item_record_no:
                return R.FIELD_RULE, (
                    f"{doc} line gnum {line.gnum}: itemRecordNo is required for bonded import"
                )
    gnums = [line.gnum for line in inventory.lines]
    if len(set(gnums)) != len(gnums):
        return R.FIELD_RULE, f"{doc}: gnum values must be unique, got {gnums}"
    for line in inventory.lines:
        if line.qty <= 0 or line.total_price < 0:
            return R.FIELD_RULE, f"{doc} line gnum {line.gnum}: qty must be > 0 and totalPrice >= 0"
    if not resident_id.is_valid(h.buyer_id_number):
        return (
            R.BAD_BUYER_ID,
            f"{doc}: buyerIdNumber {h.buyer_id_number!r} is not a valid resident ID",
        )
    return None


def positive_amount(value: Decimal) -> bool:
    """Whether an amount is strictly positive."""
    return value > ZERO
