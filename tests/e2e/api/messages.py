"""CEB messages for the API tests: the parcels of ``tests.parcels``, sent by the right enterprise."""

from __future__ import annotations

from datetime import datetime

from opencbec.domain.ceb_records import BaseTransfer
from opencbec.domain.documents import MESSAGE_TYPE, Document
from opencbec.messages.encode import encode_message
from opencbec.service.online import ceb_now
from tests.parcels import Parcel, buyer_id, make_parcel

EBP = "3301960001"  # platform: orders
EBC = "3301960002"  # e-commerce enterprise
PAY = "3101000001"  # payment firm
LOGISTICS = "1101180326"  # carrier
AGENT = "330766K00Q"  # customs broker: lists, cancels, returns
SIGNED_KINDS = ("inventory", "cancel", "refund")

#: Who transmits each kind of document (the declared party the API requires).
SENDER_OF = {
    "order": EBP,
    "payment": PAY,
    "waybill": LOGISTICS,
    "inventory": AGENT,
    "cancel": AGENT,
    "refund": AGENT,
}


def transfer(code: str) -> BaseTransfer:
    return BaseTransfer(cop_code=code, cop_name="某企业", dxp_mode="DXP", dxp_id="DXPENT0000000001")


def message(*docs: Document, sender: str | None = None, placeholder: bool | None = None) -> bytes:
    """One message of ``docs`` (one kind) transmitted by ``sender`` (default: the declared party)."""
    kind = docs[0].kind.value
    return encode_message(
        MESSAGE_TYPE[docs[0].kind],
        list(docs),
        transfer(sender or SENDER_OF[kind]),
        placeholder_signature=kind in SIGNED_KINDS if placeholder is None else placeholder,
    )


_buyers = iter(range(100, 10_000))


def parcel(at: datetime | None = None) -> Parcel:
    """A clean parcel declared now (China time), with a buyer of its own."""
    return make_parcel(at=at or ceb_now().replace(microsecond=0), buyer=buyer_id(next(_buyers)))
