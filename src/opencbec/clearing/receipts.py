"""Turning status changes into receipt records (CEB312/412/512/622/624/626)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from opencbec.clearing.state import StoredDoc
from opencbec.domain.ceb_records import (
    InventoryReturn,
    InvtCancelReturn,
    InvtRefundReturn,
    LogisticsReturn,
    OrderReturn,
    PaymentReturn,
)
from opencbec.domain.documents import Cancel, Inventory, Order, Payment, Refund, Waybill


def return_time(at: datetime) -> str:
    """``returnTime`` as the spec wants it: yyyyMMddHHmmssSSS (17 characters).

    >>> return_time(datetime(2024, 6, 11, 9, 30, 15, 123456))
    '20240611093015123'
    """
    key = (at, at.tzinfo)  # equal aware times of two zones print differently
    text = _RETURN_TIMES.get(key)
    if text is None:
        if len(_RETURN_TIMES) >= 4096:
            _RETURN_TIMES.clear()
        text = _RETURN_TIMES[key] = at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}"
    return text


#: Receipts of a batch share few distinct times; formatting them is a noticeable cost.
_RETURN_TIMES: dict[tuple[datetime, tzinfo | None], str] = {}


def receipt_record(doc: StoredDoc, status: str, info: str, at: datetime) -> object:
    """The receipt entry answering ``doc`` with ``status`` and ``info``."""
    rt = return_time(at)
    info = info[:1000] or status
    d = doc.document
    if isinstance(d, Order):
        h = d.head
        return OrderReturn(
            guid=h.guid,
            ebp_code=h.ebp_code,
            ebc_code=h.ebc_code,
            order_no=h.order_no,
            return_status=status,
            return_time=rt,
            return_info=info,
        )
    if isinstance(d, Payment):
        p = d.head
        return PaymentReturn(
            guid=p.guid,
            pay_code=p.pay_code,
            pay_transaction_id=p.pay_transaction_id,
            return_status=status,
            return_time=rt,
            return_info=info,
        )
    if isinstance(d, Waybill):
        w = d.head
        return LogisticsReturn(
            guid=w.guid,
            logistics_code=w.logistics_code,
            logistics_no=w.logistics_no,
            return_status=status,
            return_time=rt,
            return_info=info,
        )
    cls: type[InventoryReturn] | type[InvtCancelReturn] | type[InvtRefundReturn]
    if isinstance(d, Inventory):
        cls = InventoryReturn
    elif isinstance(d, Cancel):
        cls = InvtCancelReturn
    else:
        assert isinstance(d, Refund)
        cls = InvtRefundReturn
    head = d.head
    return cls(
        guid=head.guid,
        customs_code=getattr(head, "customs_code", None),
        ebp_code=head.ebp_code,
        ebc_code=head.ebc_code,
        agent_code=head.agent_code,
        cop_no=(head.cop_no or head.order_no)[:20],
        pre_no=doc.pre_no or "",
        invt_no=_invt_no(doc),
        return_status=status,
        return_time=rt,
        return_info=info,
    )


def _invt_no(doc: StoredDoc) -> str | None:
    """The 18-character list number to echo, if there is a valid one."""
    d = doc.document
    number = doc.invt_no or (None if isinstance(d, Inventory) else d.head.invt_no)  # type: ignore[union-attr]
    return number if number and len(number) == 18 else None
