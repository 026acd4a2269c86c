"""Writing a planned parcel as the four CEB documents (domain aggregates, XSD field for field)."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

from opencbec.domain.ceb_records import (
    InventoryHead,
    InventoryList,
    LogisticsHead,
    OrderHead,
    OrderList,
    PaymentHead,
)
from opencbec.domain.documents import Inventory, Order, Payment, Waybill
from opencbec.sim.parties import ROUTES, SEA_ROUTE_KOREA, master_bill
from opencbec.sim.plan import ParcelPlan

CNY = "142"
_KG = Decimal("0.001")
_STAMP = "%Y%m%d%H%M%S"


def new_guid(rng: random.Random) -> str:
    """An uppercase UUID4 drawn from ``rng`` (deterministic for a seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _gmodel(plan_line_spec: str, brand: str) -> str:
    return f"4|3|{plan_line_spec}|{brand}"


def order(plan: ParcelPlan, guid: str) -> Order:
    """The CEB311 order."""
    p, platform = plan.parties, plan.parties.platform
    head = OrderHead(
        guid=guid,
        app_type="1",
        app_time=plan.times.order.strftime(_STAMP),
        app_status="2",
        order_type="I",
        order_no=plan.order_no,
        ebp_code=platform.firm.code,
        ebp_name=platform.firm.name,
        ebc_code=p.seller.code,
        ebc_name=p.seller.name,
        goods_value=plan.goods_value,
        freight=plan.freight,
        discount=plan.discount,
        tax_total=plan.tax_total,
        actural_paid=plan.actural_paid,
        currency=CNY,
        buyer_reg_no=f"{platform.order_prefix.lower()}_{plan.buyer.phone[-4:]}{plan.buyer.id_number[6:12]}",
        buyer_name=plan.buyer.name,
        buyer_telephone=plan.buyer.phone,
        buyer_id_type="1",
        buyer_id_number=plan.buyer_id,
        pay_code=p.payment_firm.code,
        pay_name=p.payment_firm.name,
        pay_transaction_id=plan.pay_transaction_id,
        consignee=plan.consignee.name,
        consignee_telephone=plan.consignee.phone,
        consignee_address=plan.consignee.address,
        consignee_district=plan.consignee.district_code,
    )
    lines = [
        OrderList(
            gnum=ln.gnum,
            item_no=ln.product.item_no(ln.brand),
            item_name=ln.product.gname,
            gmodel=_gmodel(ln.product.spec, ln.brand),
            bar_code=ln.product.bar_code(ln.brand, ln.country),
            unit=ln.product.unit,
            qty=ln.qty,
            price=ln.price,
            total_price=ln.total,
            currency=CNY,
            country=ln.country,
        )
        for ln in plan.lines
    ]
    return Order(head, lines)


def payment(plan: ParcelPlan, guid: str) -> Payment:
    """The CEB411 payment note."""
    assert plan.times.payment is not None
    firm, platform = plan.parties.payment_firm, plan.parties.platform.firm
    return Payment(
        PaymentHead(
            guid=guid,
            app_type="1",
            app_time=plan.times.payment.strftime(_STAMP),
            app_status="2",
            pay_code=firm.code,
            pay_name=firm.name,
            pay_transaction_id=plan.pay_transaction_id,
            order_no=plan.order_no,
            ebp_code=platform.code,
            ebp_name=platform.name,
            payer_id_type="1",
            payer_id_number=plan.payer_id,
            payer_name=plan.payer.name,
            telephone=plan.payer.phone,
            amount_paid=plan.actural_paid + plan.payment_gap,
            currency=CNY,
            pay_time=plan.times.paid.strftime(_STAMP),
        )
    )


def _weights(plan: ParcelPlan) -> tuple[Decimal, Decimal]:
    """(net, gross) weight in kg: goods, then packing of 10 % plus 0.15 kg."""
    net = sum((ln.qty * ln.product.kg_per_unit for ln in plan.lines), Decimal(0)).quantize(_KG)
    return net, (net * Decimal("1.1") + Decimal("0.15")).quantize(_KG)


def _transport(plan: ParcelPlan) -> tuple[str | None, str | None, str | None]:
    """(trafNo, voyageNo, billNo) of a direct-purchase parcel; (None, None, None) if bonded."""
    if plan.trade_mode != "9610":
        return None, None, None
    site, day = plan.parties.site, plan.times.inventory.strftime("%Y%m%d")
    if site.traf_mode == "2":
        return SEA_ROUTE_KOREA, f"{day[2:]}E", master_bill("", site, plan.dispatch, day)
    flight, prefix = ROUTES[plan.dispatch]
    return flight, day, master_bill(prefix, site, plan.dispatch, day)


def waybill(plan: ParcelPlan, guid: str) -> Waybill:
    """The CEB511 waybill."""
    carrier = plan.parties.carrier.firm
    _, gross = _weights(plan)
    goods = "、".join(f"{ln.product.gname}*{ln.qty}" for ln in plan.lines)
    return Waybill(
        LogisticsHead(
            guid=guid,
            app_type="1",
            app_time=plan.times.waybill.strftime(_STAMP),
            app_status="2",
            logistics_code=carrier.code,
            logistics_name=carrier.name,
            logistics_no=plan.logistics_no,
            bill_no=_transport(plan)[2],
            order_no=plan.order_no,
            freight=plan.freight,
            insured_fee=plan.insured_fee,
            currency=CNY,
            weight=gross,
            pack_no=1,
            goods_info=goods[:200],
            consignee=plan.consignee.name,
            consignee_address=plan.consignee.address,
            consignee_telephone=plan.consignee.phone,
        )
    )


def inventory(plan: ParcelPlan, guid: str, app_time: str | None = None) -> Inventory:
    """The CEB621 list (``app_time`` overrides the send time, for a duplicate list)."""
    p, platform = plan.parties, plan.parties.platform.firm
    site, bonded = p.site, plan.trade_mode != "9610"
    net, gross = _weights(plan)
    traf_no, voyage_no, bill_no = _transport(plan)
    head = InventoryHead(
        guid=guid,
        app_type="1",
        app_time=app_time or plan.times.inventory.strftime(_STAMP),
        app_status="2",
        order_no=plan.order_no,
        ebp_code=platform.code,
        ebp_name=platform.name,
        ebc_code=p.seller.code,
        ebc_name=p.seller.name,
        logistics_no=plan.logistics_no,
        logistics_code=p.carrier.firm.code,
        logistics_name=p.carrier.firm.name,
        cop_no=f"CP{plan.parcel_id[1:]}",
        assure_code=p.seller.code,
        ems_no=site.ems_no if bonded else None,
        ie_flag="I",
        decl_time=plan.decl_date,
        customs_code=site.customs_code,
        port_code=site.port_code,
        buyer_id_type="1",
        buyer_id_number=plan.list_buyer_id,
        buyer_name=plan.list_buyer.name,
        buyer_telephone=plan.list_buyer.phone,
        consignee_address=plan.consignee.address,
        agent_code=site.broker.code,
        agent_name=site.broker.name,
        area_code=site.area.code if bonded and site.area else None,
        area_name=site.area.name if bonded and site.area else None,
        trade_mode=plan.trade_mode,
        traf_mode=site.traf_mode,
        traf_no=traf_no,
        voyage_no=voyage_no,
        bill_no=bill_no,
        country=plan.dispatch,
        freight=plan.freight,
        insured_fee=plan.insured_fee,
        currency=CNY,
        wrap_type="2",
        pack_no=1,
        gross_weight=gross,
        net_weight=net,
    )
    lines = [
        InventoryList(
            gnum=ln.gnum,
            item_record_no=f"{int(ln.product.item_no(ln.brand)[3:]) % 99_991 + 1}" if bonded else None,
            item_no=ln.product.item_no(ln.brand),
            item_name=ln.product.gname,
            gcode=ln.product.gcode,
            gname=ln.product.gname,
            gmodel=_gmodel(ln.product.spec, ln.brand),
            bar_code=ln.product.bar_code(ln.brand, ln.country),
            country=ln.country,
            currency=CNY,
            qty=ln.qty,
            unit=ln.product.unit,
            qty1=ln.qty * ln.product.qty1_per_unit,
            unit1=ln.product.unit1,
            price=ln.price,
            total_price=ln.total,
        )
        for ln in plan.lines
    ]
    return Inventory(head, lines)
