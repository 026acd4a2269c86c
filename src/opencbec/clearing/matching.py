"""Four-document matching (四单比对): the list against its order, payment and waybill."""

from __future__ import annotations

from opencbec.clearing.checks import Failure
from opencbec.domain.codes import R
from opencbec.domain.documents import Inventory, Order, Payment, Waybill
from opencbec.domain.money import to_fen


def match_documents(inventory: Inventory, order: Order, payment: Payment, waybill: Waybill) -> Failure | None:
    """The first matching failure, or None when the four documents agree."""
    li, oh, ph, wh = inventory.head, order.head, payment.head, waybill.head
    doc = f"list {li.ebp_code}/{li.order_no}"
    if li.ebc_code != oh.ebc_code:
        return R.KEY_MISMATCH, f"{doc}: ebcCode {li.ebc_code!r} != order ebcCode {oh.ebc_code!r}"
    if wh.order_no != li.order_no:
        return R.KEY_MISMATCH, f"{doc}: waybill {wh.logistics_no} is for order {wh.order_no!r}"
    if (li.buyer_id_number, li.buyer_name) != (oh.buyer_id_number, oh.buyer_name):
        return R.LIST_BUYER_MISMATCH, (
            f"{doc}: buyer {li.buyer_name}/{li.buyer_id_number} != order buyer "
            f"{oh.buyer_name}/{oh.buyer_id_number}"
        )
    if (oh.buyer_id_number, oh.buyer_name) != (ph.payer_id_number, ph.payer_name):
        return R.BUYER_NOT_PAYER, (
            f"{doc}: order buyer {oh.buyer_name}/{oh.buyer_id_number} != payer "
            f"{ph.payer_name}/{ph.payer_id_number}"
        )
    if oh.pay_code and oh.pay_code != ph.pay_code:
        return R.PAY_ENTERPRISE_MISMATCH, (
            f"{doc}: order payCode {oh.pay_code!r} != payment payCode {ph.pay_code!r}"
        )
    if to_fen(oh.actural_paid) != to_fen(ph.amount_paid):
        return R.AMOUNT_MISMATCH, (
            f"{doc}: order acturalPaid {oh.actural_paid} != payment amountPaid {ph.amount_paid}"
        )
    order_consignee = (oh.consignee, oh.consignee_telephone, oh.consignee_address)
    waybill_consignee = (wh.consignee, wh.consignee_telephone, wh.consignee_address)
    if order_consignee != waybill_consignee:
        return R.CONSIGNEE_MISMATCH, (
            f"{doc}: order consignee {order_consignee} != waybill consignee {waybill_consignee}"
        )
    order_lines = {line.gnum: line for line in order.lines}
    if set(order_lines) != {line.gnum for line in inventory.lines}:
        return R.ITEMS_MISMATCH, (
            f"{doc}: list gnums {sorted(line.gnum for line in inventory.lines)} != order gnums "
            f"{sorted(order_lines)}"
        )
    for line in inventory.lines:
        ol = order_lines[line.gnum]
        if line.gname != ol.item_name or line.qty != ol.qty:
            return R.ITEMS_MISMATCH, (
                f"{doc} gnum {line.gnum}: list {line.gname!r} x {line.qty} != order "
                f"{ol.item_name!r} x {ol.qty}"
            )
        if to_fen(line.total_price) != to_fen(ol.total_price):
            return R.ITEMS_MISMATCH, (
                f"{doc} gnum {line.gnum}: list totalPrice {line.total_price} != order {ol.total_price}"
            )
    return None
