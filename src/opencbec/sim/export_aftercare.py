"""Builders of the export documents that follow a list: binding, cancel, summary, return, tally."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from opencbec.domain import ceb_export_records as x
from opencbec.export import documents as d
from opencbec.sim.export_documents import Parcel, app_time, guid


def _app(seed: str, at: datetime, customs: str) -> dict[str, str]:
    return {
        "guid": guid(seed),
        "app_type": "1",
        "app_time": app_time(at),
        "app_status": "2",
        "customs_code": customs,
    }


def binding(parcels: Sequence[Parcel], bill_no: str, at: datetime, invt_nos: Sequence[str] = ()) -> d.Binding:
    """CEB607 binding ``parcels`` to master bill ``bill_no``."""
    p = parcels[0]
    head = x.WayBillHead(
        **_app(f"binding/{bill_no}", at, p.customs_code),
        cop_no=f"WB{bill_no}"[:30],
        agent_code=p.agent_code,
        agent_name=p.agent_name,
        traf_mode=p.traf_mode,
        traf_name="飞机",
        voyage_no="CZ465",
        bill_no=bill_no,
        gross_weight=Decimal("0.8") * len(parcels),
        logistics_code=p.logistics_code,
        logistics_name=p.logistics_name,
        msg_count=1,
        msg_seq_no=1,
    )
    invts: list[str | None] = list(invt_nos) or [None] * len(parcels)
    lines = [
        x.WayBillList(gnum=i, logistics_no=q.logistics_no, total_package_no="BAG1", invt_no=n)
        for i, (q, n) in enumerate(zip(parcels, invts, strict=True), 1)
    ]
    return d.Binding(head, lines)


def cancel(p: Parcel, invt_no: str, at: datetime) -> d.ExportCancel:
    """CEB605 cancelling list ``invt_no``."""
    return d.ExportCancel(
        x.InvtCancel(
            **_app(f"cancel/{invt_no}", at, p.customs_code),
            cop_no=f"X{invt_no}"[:30],
            invt_no=invt_no,
            reason="买家取消订单",
            agent_code=p.agent_code,
            agent_name=p.agent_name,
            ebc_code=p.ebc_code,
            ebc_name=p.ebc_name,
        )
    )


def summary_apply(
    p: Parcel,
    cop_no: str,
    at: datetime,
    invt_nos: Sequence[str] = (),
    *,
    summary_flag: str = "1",
    item_name_flag: str = "0",
    window: tuple[datetime, datetime] | None = None,
) -> d.SummaryApply:
    """CEB701 of consignor ``p.ebc_code``: the named lists, or every list closed in ``window``."""
    head = x.SummaryApplyHead(
        **_app(f"summary/{cop_no}", at, p.customs_code),
        cop_no=cop_no,
        agent_code=p.agent_code,
        agent_name=p.agent_name,
        ebc_code=p.ebc_code,
        ebc_name=p.ebc_name,
        decl_agent_code=p.agent_code,
        decl_agent_name=p.agent_name,
        start_time=app_time(window[0]) if window else None,
        end_time=app_time(window[1]) if window else None,
        summary_flag=summary_flag,
        item_name_flag=item_name_flag,
        msg_count=1,
        msg_seq_no=1,
    )
    return d.SummaryApply(head, [x.SummaryApplyList(invt_no=n) for n in invt_nos])


def export_return(
    p: Parcel,
    invt_no: str,
    co_el_no: str,
    at: datetime,
    quantities: dict[int, Decimal] | None = None,
    *,
    trade_mode: str | None = None,
    country: str = "502",
) -> d.ExportReturn:
    """CEB213 returning ``quantities`` (gnum -> qty; default: everything) of list ``invt_no``."""
    head = x.InvtRefundHead(
        **_app(f"return/{co_el_no}", at, p.customs_code),
        ebp_code=p.ebp_code,
        ebp_name=p.ebp_name,
        ebc_code=p.ebc_code,
        ebc_name=p.ebc_name,
        logistics_no=p.logistics_no,
        logistics_code=p.logistics_code,
        logistics_name=p.logistics_name,
        co_el_no=co_el_no,
        invt_no=invt_no,
        trade_mode=trade_mode,
        agent_code=p.agent_code,
        agent_name=p.agent_name,
        bill_no=p.logistics_no[:37],
        ie_flag="I",
        traf_mode=p.traf_mode,
        traf_name="飞机",
        port_code=p.port_code,
        reason="买家退货",
        country=country,
        voyage_no="CZ466",
    )
    qty = quantities or {g.gnum: g.qty for g in p.goods}
    goods = {g.gnum: g for g in p.goods}
    lines = [
        x.InvtRefundList(
            gnum=gnum,
            gcode=goods[gnum].gcode if gnum in goods else "0000000000",
            gname=goods[gnum].gname if gnum in goods else "?",
            gmodel="0|0",
            qty=q,
            qty1=q,
            unit=goods[gnum].unit if gnum in goods else "011",
            unit1=goods[gnum].unit1 if gnum in goods else "011",
        )
        for gnum, q in qty.items()
    ]
    return d.ExportReturn(head, lines)


def tally(p: Parcel, co_el_no: str, invt_no: str, at: datetime) -> d.ReturnTally:
    """CEB215: the returned goods of ``co_el_no`` are at the site."""
    return d.ReturnTally(
        x.InvtRefundDetail(
            **_app(f"tally/{co_el_no}", at, p.customs_code),
            operator_code="2244980001",
            operator_name="某监管场所",
            logistics_code=p.logistics_code,
            logistics_name=p.logistics_name,
            logistics_no=p.logistics_no,
            invt_no=invt_no,
            co_el_no=co_el_no[:20],
            bill_no=p.logistics_no[:37],
            ie_flag="I",
            traf_mode=p.traf_mode,
            traf_name="飞机",
            voyage_no="CZ466",
        )
    )
