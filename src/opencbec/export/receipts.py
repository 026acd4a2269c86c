"""Turning export status changes into receipt records (CEB304..CEB702, CEB214/216). Pure."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from opencbec.domain import ceb_export_records as x
from opencbec.export import documents as d
from opencbec.export.state import XDoc

_PRE_NO_UNKNOWN = "B00000000000000000"


class _Common(TypedDict):
    return_status: str
    return_time: str
    return_info: str


def return_time(at: datetime) -> str:
    """``returnTime``: yyyyMMddHHmmssSSS (17 characters).

    >>> return_time(datetime(2024, 6, 11, 9, 30, 15, 123456))
    '20240611093015123'
    """
    return at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}"


def receipt_record(doc: XDoc, status: str, info: str, at: datetime) -> object:
    """The receipt entry answering ``doc`` with ``status`` and ``info`` (at most 1000 chars)."""
    rt = return_time(at)
    info = info[:1000] or status
    common = _Common(return_status=status, return_time=rt, return_info=info)
    pre_no = doc.pre_no or _PRE_NO_UNKNOWN
    doc_ = doc.document
    if isinstance(doc_, d.ExportOrder):
        h = doc_.head
        return x.OrderReturn(
            guid=h.guid, ebp_code=h.ebp_code, ebc_code=h.ebc_code, order_no=h.order_no, **common
        )
    if isinstance(doc_, d.Collection):
        c = doc_.head
        return x.ReceiptsReturn(
            guid=c.guid, ebc_code=c.ebc_code, order_no=c.order_no, pay_no=c.pay_no, **common
        )
    if isinstance(doc_, d.ExportWaybill):
        w = doc_.head
        return x.LogisticsReturn(
            guid=w.guid, logistics_code=w.logistics_code, logistics_no=w.logistics_no, **common
        )
    if isinstance(doc_, d.Arrival):
        a = doc_.head
        return x.ArrivalReturn(
            guid=a.guid,
            operator_code=a.operator_code,
            logistics_code=a.logistics_code,
            pre_no=pre_no,
            cop_no=a.cop_no,
            bill_no=a.bill_no or "",
            msg_seq_no=a.msg_seq_no,
            **common,
        )
    if isinstance(doc_, d.Departure):
        p = doc_.head
        return x.DepartureReturn(
            guid=p.guid,
            logistics_code=p.logistics_code,
            cop_no=p.cop_no,
            pre_no=pre_no,
            msg_seq_no=p.msg_seq_no,
            **common,
        )
    if isinstance(doc_, d.ExportList):
        i = doc_.head
        return x.InventoryReturn(
            guid=i.guid,
            agent_code=i.agent_code,
            cop_no=i.cop_no,
            pre_no=pre_no,
            invt_no=doc.invt_no or "",
            ebc_code=i.ebc_code,
            ebp_code=i.ebp_code,
            order_no=i.order_no,
            statistics_flag=i.statistics_flag,
            **common,
        )
    if isinstance(doc_, d.ExportCancel):
        k = doc_.head
        return x.InvtCancelReturn(
            guid=k.guid, agent_code=k.agent_code, cop_no=k.cop_no, pre_no=pre_no, invt_no=k.invt_no, **common
        )
    if isinstance(doc_, d.Binding):
        b = doc_.head
        return x.WayBillReturn(
            guid=b.guid,
            agent_code=b.agent_code,
            logistics_code=b.logistics_code,
            cop_no=b.cop_no,
            pre_no=pre_no,
            bill_no=b.bill_no,
            msg_seq_no=b.msg_seq_no,
            **common,
        )
    if isinstance(doc_, d.SummaryApply):
        s = doc_.head
        return x.SummaryReturn(
            guid=s.guid,
            agent_code=s.agent_code,
            ebc_code=s.ebc_code,
            cop_no=s.cop_no,
            pre_no=pre_no,
            sum_no=doc.sum_no,
            msg_seq_no=s.msg_seq_no,
            **common,
        )
    if isinstance(doc_, d.ExportReturn):
        r = doc_.head
        return x.RefundReturn(
            guid=r.guid,
            ebp_code=r.ebp_code,
            ebc_code=r.ebc_code,
            agent_code=r.agent_code,
            co_el_no=r.co_el_no,
            pre_no=doc.pre_no,
            invt_no=r.invt_no,
            **common,
        )
    t = doc_.head
    return x.InvtRefundDetailReturn(
        guid=t.guid,
        operator_code=t.operator_code,
        logistics_code=t.logistics_code,
        logistics_no=t.logistics_no,
        co_el_no=t.co_el_no,
        pre_no=doc.pre_no,
        **common,
    )
