"""Builders of consistent export documents (used by the export simulator and the tests).

Each builder returns an export aggregate of :mod:`opencbec.export.documents` whose fields
agree with its partners (the list with its order, waybill and collection, line by ``gnum``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from opencbec.domain import ceb_export_records as x
from opencbec.export import documents as d

CNY = "142"


def guid(seed: str | None = None) -> str:
    """An uppercase 36-character guid (deterministic when ``seed`` is given)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed) if seed else uuid.uuid4()).upper()


def app_time(at: datetime) -> str:
    """``YYYYMMDDhhmmss``."""
    return at.strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True, slots=True)
class Goods:
    """One goods line of an export parcel."""

    gnum: int
    item_no: str
    item_name: str
    gname: str
    gcode: str
    qty: Decimal
    price: Decimal
    unit: str = "011"
    unit1: str = "011"
    currency: str = CNY
    country: str = "502"
    qty2: Decimal | None = None
    unit2: str | None = None

    @property
    def total(self) -> Decimal:
        """qty × price."""
        return self.qty * self.price


@dataclass(frozen=True, slots=True)
class Parcel:
    """The parties and numbers of one export parcel."""

    order_no: str
    logistics_no: str
    goods: Sequence[Goods]
    at: datetime
    ebc_code: str = "4403960001"
    ebc_name: str = "某卖家有限公司"
    owner_code: str = "4403960001"
    owner_name: str = "某卖家有限公司"
    ebp_code: str = "无"
    ebp_name: str = "Overseas Marketplace Inc."
    logistics_code: str = "3120980001"
    logistics_name: str = "某国际物流有限公司"
    agent_code: str = "3120980002"
    agent_name: str = "某报关有限公司"
    customs_code: str = "2244"
    port_code: str = "2244"
    trade_mode: str = "9610"
    statistics_flag: str = "B"
    traf_mode: str = "5"
    country: str = "502"
    order_type: str = "E"
    license_no: str | None = None
    ems_no: str | None = None
    iac_code: str | None = None

    @property
    def waybill_key(self) -> str:
        """``logisticsCode/logisticsNo``."""
        return d.waybill_key(self.logistics_code, self.logistics_no)


def _app(p: Parcel, seed: str, at: datetime | None = None) -> dict[str, str]:
    return {"guid": guid(seed), "app_type": "1", "app_time": app_time(at or p.at), "app_status": "2"}


def order(p: Parcel) -> d.ExportOrder:
    """CEB303 of the parcel."""
    value = sum((g.total for g in p.goods), Decimal(0))
    head = x.OrderHead(
        **_app(p, f"order/{p.order_no}"),
        order_type=p.order_type,
        order_no=p.order_no,
        ebp_code=p.ebp_code,
        ebp_name=p.ebp_name,
        ebc_code=p.ebc_code,
        ebc_name=p.ebc_name,
        goods_value=value,
        freight=Decimal(0),
        currency=CNY,
    )
    lines = [
        x.OrderList(
            gnum=g.gnum,
            item_no=g.item_no,
            item_name=g.item_name,
            unit=g.unit,
            currency=g.currency,
            qty=g.qty,
            price=g.price,
            total_price=g.total,
        )
        for g in p.goods
    ]
    return d.ExportOrder(head, lines)


def collection(p: Parcel) -> d.Collection:
    """CEB403 of the parcel."""
    value = sum((g.total for g in p.goods), Decimal(0))
    return d.Collection(
        x.Receipts(
            **_app(p, f"coll/{p.order_no}"),
            ebp_code=p.ebp_code,
            ebp_name=p.ebp_name,
            ebc_code=p.ebc_code,
            ebc_name=p.ebc_name,
            order_no=p.order_no,
            pay_code="3120980009",
            pay_name="某支付有限公司",
            pay_no=f"P{p.order_no}"[:60],
            charge=value,
            currency=CNY,
            accounting_date=app_time(p.at),
        )
    )


def waybill(p: Parcel) -> d.ExportWaybill:
    """CEB505 of the parcel."""
    return d.ExportWaybill(
        x.Logistics(
            **_app(p, f"waybill/{p.logistics_no}"),
            logistics_code=p.logistics_code,
            logistics_name=p.logistics_name,
            logistics_no=p.logistics_no,
            freight=Decimal(35),
            insured_fee=Decimal(0),
            currency=CNY,
            gross_weight=Decimal("0.8"),
            pack_no=1,
            goods_info=", ".join(g.gname for g in p.goods)[:200],
        )
    )


def export_list(p: Parcel, cop_no: str | None = None, at: datetime | None = None) -> d.ExportList:
    """CEB603 of the parcel."""
    head = x.InventoryHead(
        **_app(p, f"list/{p.order_no}/{cop_no}/{at}", at),
        customs_code=p.customs_code,
        ebp_code=p.ebp_code,
        ebp_name=p.ebp_name,
        order_no=p.order_no,
        logistics_code=p.logistics_code,
        logistics_name=p.logistics_name,
        logistics_no=p.logistics_no,
        cop_no=cop_no or f"C{p.order_no}"[:30],
        ie_flag="E",
        port_code=p.port_code,
        ie_date=p.at.strftime("%Y%m%d"),
        statistics_flag=p.statistics_flag,
        agent_code=p.agent_code,
        agent_name=p.agent_name,
        ebc_code=p.ebc_code,
        ebc_name=p.ebc_name,
        owner_code=p.owner_code,
        owner_name=p.owner_name,
        iac_code=p.iac_code,
        iac_name="某区内仓储企业" if p.iac_code else None,
        ems_no=p.ems_no,
        trade_mode=p.trade_mode,
        traf_mode=p.traf_mode,
        license_no=p.license_no,
        country=p.country,
        pod="502",
        freight=Decimal(35),
        f_currency=CNY,
        f_flag="3",
        insured_fee=Decimal(0),
        i_currency=CNY,
        i_flag="3",
        wrap_type="2",
        pack_no=1,
        gross_weight=Decimal("0.8"),
        net_weight=Decimal("0.6"),
    )
    lines = [
        x.InventoryList(
            gnum=g.gnum,
            item_no=g.item_no,
            item_record_no=f"R{g.item_no}"[:30] if p.ems_no else None,
            item_name=g.item_name,
            gcode=g.gcode,
            gname=g.gname,
            gmodel="0|0|" + g.gname,
            bar_code="无",
            country=g.country,
            currency=g.currency,
            qty=g.qty,
            qty1=g.qty,
            qty2=g.qty2,
            unit=g.unit,
            unit1=g.unit1,
            unit2=g.unit2,
            price=g.price,
            total_price=g.total,
        )
        for g in p.goods
    ]
    return d.ExportList(head, lines)


def _site(p: Parcel, seed: str, at: datetime) -> dict[str, str]:
    return {**_app(p, seed, at), "customs_code": p.customs_code}


def arrival(parcels: Sequence[Parcel], cop_no: str, at: datetime) -> d.Arrival:
    """CEB507 for ``parcels`` (same carrier)."""
    p = parcels[0]
    head = x.ArrivalHead(
        **_site(p, f"arrival/{cop_no}", at),
        cop_no=cop_no,
        operator_code="2244980001",
        operator_name="某监管场所",
        ie_flag="E",
        traf_mode=p.traf_mode,
        domestic_traf_no="粤B12345",
        logistics_code=p.logistics_code,
        logistics_name=p.logistics_name,
        msg_count=1,
        msg_seq_no=1,
    )
    lines = [x.ArrivalList(gnum=i, logistics_no=q.logistics_no) for i, q in enumerate(parcels, 1)]
    return d.Arrival(head, lines)


def departure(parcels: Sequence[Parcel], cop_no: str, at: datetime) -> d.Departure:
    """CEB509 for ``parcels`` (same carrier), leaving at ``at``."""
    p = parcels[0]
    head = x.DepartureHead(
        **_site(p, f"departure/{cop_no}", at),
        cop_no=cop_no,
        logistics_code=p.logistics_code,
        logistics_name=p.logistics_name,
        traf_mode=p.traf_mode,
        traf_name="飞机",
        voyage_no="CZ465",
        bill_no=f"MB{cop_no}"[:37],
        leave_time=app_time(at),
        msg_count=1,
        msg_seq_no=1,
    )
    lines = [x.DepartureList(gnum=i, logistics_no=q.logistics_no) for i, q in enumerate(parcels, 1)]
    return d.Departure(head, lines)
