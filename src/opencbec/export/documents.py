"""Export documents as the export core sees them: one CEB export record plus its lines.

Pure: no I/O. Each aggregate has a ``kind`` and a business ``key`` (what a modification
replaces and what a duplicate collides with).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from opencbec.domain import ceb_export_records as x
from opencbec.domain.documents import DecodedMessage


class ExportKind(enum.StrEnum):
    """The kinds of export document."""

    ORDER = "x_order"  # CEB303 (orderType E, B or W)
    COLLECTION = "x_collection"  # CEB403 收款单
    WAYBILL = "x_waybill"  # CEB505
    ARRIVAL = "x_arrival"  # CEB507 运抵单
    DEPARTURE = "x_departure"  # CEB509 离境单
    LIST = "x_list"  # CEB603 出口申报清单
    CANCEL = "x_cancel"  # CEB605
    BINDING = "x_binding"  # CEB607 清单总分单
    SUMMARY = "x_summary"  # CEB701 汇总申请单
    RETURN = "x_return"  # CEB213 出口退货申请单
    TALLY = "x_tally"  # CEB215 退运理货明细单


MESSAGE_TYPE: dict[ExportKind, str] = {
    ExportKind.ORDER: "CEB303Message",
    ExportKind.COLLECTION: "CEB403Message",
    ExportKind.WAYBILL: "CEB505Message",
    ExportKind.ARRIVAL: "CEB507Message",
    ExportKind.DEPARTURE: "CEB509Message",
    ExportKind.LIST: "CEB603Message",
    ExportKind.CANCEL: "CEB605Message",
    ExportKind.BINDING: "CEB607Message",
    ExportKind.SUMMARY: "CEB701Message",
    ExportKind.RETURN: "CEB213Message",
    ExportKind.TALLY: "CEB215Message",
}
RECEIPT_TYPE: dict[ExportKind, str] = {
    ExportKind.ORDER: "CEB304Message",
    ExportKind.COLLECTION: "CEB404Message",
    ExportKind.WAYBILL: "CEB506Message",
    ExportKind.ARRIVAL: "CEB508Message",
    ExportKind.DEPARTURE: "CEB510Message",
    ExportKind.LIST: "CEB604Message",
    ExportKind.CANCEL: "CEB606Message",
    ExportKind.BINDING: "CEB608Message",
    ExportKind.SUMMARY: "CEB702Message",
    ExportKind.RETURN: "CEB214Message",
    ExportKind.TALLY: "CEB216Message",
}
SUMMARY_RESULT = "CEB792Message"


def waybill_key(logistics_code: str, logistics_no: str) -> str:
    """The business key of an export waybill: ``logisticsCode/logisticsNo``."""
    return f"{logistics_code}/{logistics_no}"


@dataclass(slots=True)
class ExportOrder:
    """CEB303 export order (E), B2B order (B) or overseas-warehouse booking (W)."""

    head: x.OrderHead
    lines: list[x.OrderList] = field(default_factory=list)
    kind: ExportKind = ExportKind.ORDER

    @property
    def key(self) -> str:
        """``ebpCode/orderNo``."""
        return f"{self.head.ebp_code}/{self.head.order_no}"


@dataclass(slots=True)
class Collection:
    """CEB403 collection note (收款单) of an order."""

    head: x.Receipts
    kind: ExportKind = ExportKind.COLLECTION

    @property
    def key(self) -> str:
        """``ebpCode/orderNo`` (one collection per order)."""
        return f"{self.head.ebp_code}/{self.head.order_no}"


@dataclass(slots=True)
class ExportWaybill:
    """CEB505 export waybill."""

    head: x.Logistics
    kind: ExportKind = ExportKind.WAYBILL

    @property
    def key(self) -> str:
        """``logisticsCode/logisticsNo``."""
        return waybill_key(self.head.logistics_code, self.head.logistics_no)


@dataclass(slots=True)
class Arrival:
    """CEB507 arrival note: waybills that reached the supervised site."""

    head: x.ArrivalHead
    lines: list[x.ArrivalList] = field(default_factory=list)
    kind: ExportKind = ExportKind.ARRIVAL

    @property
    def key(self) -> str:
        """``operatorCode/copNo/msgSeqNo``."""
        return f"{self.head.operator_code}/{self.head.cop_no}/{self.head.msg_seq_no}"


@dataclass(slots=True)
class Departure:
    """CEB509 departure note: waybills that left the country."""

    head: x.DepartureHead
    lines: list[x.DepartureList] = field(default_factory=list)
    kind: ExportKind = ExportKind.DEPARTURE

    @property
    def key(self) -> str:
        """``logisticsCode/copNo/msgSeqNo``."""
        return f"{self.head.logistics_code}/{self.head.cop_no}/{self.head.msg_seq_no}"


@dataclass(slots=True)
class ExportList:
    """CEB603 export declaration list (清单)."""

    head: x.InventoryHead
    lines: list[x.InventoryList] = field(default_factory=list)
    kind: ExportKind = ExportKind.LIST

    @property
    def key(self) -> str:
        """``agentCode/copNo`` (the declaring firm's own number)."""
        return f"{self.head.agent_code}/{self.head.cop_no}"

    @property
    def order_key(self) -> str:
        """The order it declares."""
        return f"{self.head.ebp_code}/{self.head.order_no}"

    @property
    def waybill_key(self) -> str:
        """The waybill it travels on."""
        return waybill_key(self.head.logistics_code, self.head.logistics_no)


@dataclass(slots=True)
class ExportCancel:
    """CEB605 cancellation of an export list."""

    head: x.InvtCancel
    kind: ExportKind = ExportKind.CANCEL

    @property
    def key(self) -> str:
        """The list number."""
        return self.head.invt_no


@dataclass(slots=True)
class Binding:
    """CEB607 binding of waybills (lists) to a master bill, flight and bags."""

    head: x.WayBillHead
    lines: list[x.WayBillList] = field(default_factory=list)
    kind: ExportKind = ExportKind.BINDING

    @property
    def key(self) -> str:
        """``agentCode/copNo/msgSeqNo``."""
        return f"{self.head.agent_code}/{self.head.cop_no}/{self.head.msg_seq_no}"


@dataclass(slots=True)
class SummaryApply:
    """CEB701 summary application."""

    head: x.SummaryApplyHead
    lines: list[x.SummaryApplyList] = field(default_factory=list)
    kind: ExportKind = ExportKind.SUMMARY

    @property
    def key(self) -> str:
        """``agentCode/copNo/msgSeqNo``."""
        return f"{self.head.agent_code}/{self.head.cop_no}/{self.head.msg_seq_no}"


@dataclass(slots=True)
class ExportReturn:
    """CEB213 export return application."""

    head: x.InvtRefundHead
    lines: list[x.InvtRefundList] = field(default_factory=list)
    kind: ExportKind = ExportKind.RETURN

    @property
    def key(self) -> str:
        """``invtNo/coElNo`` (several returns per list)."""
        return f"{self.head.invt_no}/{self.head.co_el_no}"


@dataclass(slots=True)
class ReturnTally:
    """CEB215 tally of returned goods at the site."""

    head: x.InvtRefundDetail
    kind: ExportKind = ExportKind.TALLY

    @property
    def key(self) -> str:
        """``operatorCode/coElNo/logisticsNo``."""
        return f"{self.head.operator_code}/{self.head.co_el_no}/{self.head.logistics_no}"


ExportDocument = (
    ExportOrder
    | Collection
    | ExportWaybill
    | Arrival
    | Departure
    | ExportList
    | ExportCancel
    | Binding
    | SummaryApply
    | ExportReturn
    | ReturnTally
)


@dataclass(slots=True)
class ExportDecoded(DecodedMessage):
    """A decoded export message: ``documents`` (import) stays empty, ``export_documents`` holds them.

    ``quirks`` names each tolerated deviation from the XSD (e.g. a repeated identical
    ``BaseTransfer``, as in the official samples); receipts mention them.
    """

    export_documents: list[ExportDocument] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list)
