"""Business documents as the clearing core sees them: one CEB record plus its lines.

A *document* is one business object inside a message (one order, one payment, one
waybill, one list, one cancel, one return). A message carries up to 100 of them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from opencbec.domain.ceb_records import (
    BaseTransfer,
    InventoryHead,
    InventoryList,
    InvtCancel,
    InvtRefundHead,
    InvtRefundList,
    LogisticsHead,
    OrderHead,
    OrderList,
    PaymentHead,
)


class DocumentKind(enum.StrEnum):
    """The kinds of enterprise document the import clearance handles."""

    ORDER = "order"  # CEB311
    PAYMENT = "payment"  # CEB411
    WAYBILL = "waybill"  # CEB511
    INVENTORY = "inventory"  # CEB621, the declaration list (清单)
    CANCEL = "cancel"  # CEB623
    REFUND = "refund"  # CEB625, the return application (退货)


#: The message type that carries each kind, and the receipt type answering it.
MESSAGE_TYPE: dict[DocumentKind, str] = {
    DocumentKind.ORDER: "CEB311Message",
    DocumentKind.PAYMENT: "CEB411Message",
    DocumentKind.WAYBILL: "CEB511Message",
    DocumentKind.INVENTORY: "CEB621Message",
    DocumentKind.CANCEL: "CEB623Message",
    DocumentKind.REFUND: "CEB625Message",
}
RECEIPT_TYPE: dict[DocumentKind, str] = {
    DocumentKind.ORDER: "CEB312Message",
    DocumentKind.PAYMENT: "CEB412Message",
    DocumentKind.WAYBILL: "CEB512Message",
    DocumentKind.INVENTORY: "CEB622Message",
    DocumentKind.CANCEL: "CEB624Message",
    DocumentKind.REFUND: "CEB626Message",
}
KIND_OF_MESSAGE: dict[str, DocumentKind] = {v: k for k, v in MESSAGE_TYPE.items()}


def parse_app_time(value: str) -> datetime | None:
    """Parse a CEB ``appTime`` (``YYYYMMDDhhmmss``); None when it is not a valid time.

    >>> parse_app_time("20240611093015")
    datetime.datetime(2024, 6, 11, 9, 30, 15)
    >>> parse_app_time("20241311093015") is None
    True
    """
    try:
        return _APP_TIMES[value]
    except KeyError:
        pass
    parsed: datetime | None = None
    if len(value) == 14 and value.isdigit():
        try:
            parsed = datetime(
                int(value[0:4]),
                int(value[4:6]),
                int(value[6:8]),
                int(value[8:10]),
                int(value[10:12]),
                int(value[12:14]),
            )
        except ValueError:
            parsed = None
    if len(_APP_TIMES) >= 65536:
        _APP_TIMES.clear()
    _APP_TIMES[value] = parsed
    return parsed


#: A document's ``appTime`` is parsed several times on its way (clock, list deadline, storage).
_APP_TIMES: dict[str, datetime | None] = {}


@dataclass(slots=True)
class Order:
    """CEB311 import order with its goods lines."""

    head: OrderHead
    lines: list[OrderList] = field(default_factory=list)
    kind: DocumentKind = DocumentKind.ORDER

    @property
    def key(self) -> str:
        """Business key: an order number is unique per platform."""
        return f"{self.head.ebp_code}/{self.head.order_no}"


@dataclass(slots=True)
class Payment:
    """CEB411 payment note."""

    head: PaymentHead
    kind: DocumentKind = DocumentKind.PAYMENT

    @property
    def key(self) -> str:
        """Business key: one payment per order of a platform (``ebpCode/orderNo``)."""
        return f"{self.head.ebp_code}/{self.head.order_no}"


@dataclass(slots=True)
class Waybill:
    """CEB511 import waybill (electronic logistics note)."""

    head: LogisticsHead
    kind: DocumentKind = DocumentKind.WAYBILL

    @property
    def key(self) -> str:
        """Business key: a carrier's waybill number."""
        return f"{self.head.logistics_code}/{self.head.logistics_no}"


@dataclass(slots=True)
class Inventory:
    """CEB621 import declaration list (清单) with its goods lines."""

    head: InventoryHead
    lines: list[InventoryList] = field(default_factory=list)
    kind: DocumentKind = DocumentKind.INVENTORY

    @property
    def key(self) -> str:
        """Business key: one list per order of a platform."""
        return f"{self.head.ebp_code}/{self.head.order_no}"

    @property
    def waybill_key(self) -> str:
        """The key of the list's waybill (``logisticsCode/logisticsNo``, ``Waybill.key``)."""
        return f"{self.head.logistics_code}/{self.head.logistics_no}"


@dataclass(slots=True)
class Cancel:
    """CEB623 cancellation application for a released list."""

    head: InvtCancel
    kind: DocumentKind = DocumentKind.CANCEL

    @property
    def key(self) -> str:
        """Business key: the customs list number being cancelled."""
        return self.head.invt_no


@dataclass(slots=True)
class Refund:
    """CEB625 return application (退货申请单) with the returned lines."""

    head: InvtRefundHead
    lines: list[InvtRefundList] = field(default_factory=list)
    kind: DocumentKind = DocumentKind.REFUND

    @property
    def key(self) -> str:
        """Business key: the list number plus the firm's own number (several returns per list)."""
        return f"{self.head.invt_no}/{self.head.cop_no or self.head.guid}"


Document = Order | Payment | Waybill | Inventory | Cancel | Refund


@dataclass(slots=True)
class Envelope:
    """Where a message came from: its type, guid, sender and (optional) DxpMsg id."""

    message_type: str
    guid: str
    base_transfer: BaseTransfer | None
    cop_msg_id: str | None = None
    signed: bool = False

    @property
    def sender(self) -> str:
        """The transmitting enterprise (``BaseTransfer.copCode``), '' if unknown."""
        return self.base_transfer.cop_code if self.base_transfer else ""


@dataclass(slots=True)
class DecodedMessage:
    """A message that passed the format and schema checks, split into documents."""

    envelope: Envelope
    documents: list[Document]
