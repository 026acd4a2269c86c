"""How the export records and messages map to XML (CEB 2022 export XSD).

The same table-driven scheme as :mod:`opencbec.messages.layout` (dataclass fields in order,
camelCase names), over :mod:`opencbec.domain.ceb_export_records`. The one name that is not
mechanical is ``POD`` (field ``pod``). Export request roots put ``ds:Signature`` *before*
``ExtendMessage`` (the import XSD has it after).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from opencbec.domain import ceb_export_records as x
from opencbec.export import documents as d
from opencbec.messages.layout import FieldSpec, Layout, RecordSpec, camel
from opencbec.messages.schema import CEB_NS

_CONVERTERS: dict[str, Any] = {"str": str, "Decimal": Decimal, "int": int}
_IRREGULAR = {"pod": "POD"}


def export_spec(cls: type[Any]) -> RecordSpec:
    """The mapping table of a ``ceb_export_records`` dataclass."""
    specs: list[FieldSpec] = []
    for f in dataclasses.fields(cls):
        annotation = str(f.type)
        optional = annotation.endswith("| None")
        kind = annotation.removesuffix("| None").strip()
        name = _IRREGULAR.get(f.name, camel(f.name))
        specs.append(FieldSpec(f.name, name, kind, optional, _CONVERTERS[kind]))
    by_tag = {f"{{{CEB_NS}}}{s.name}": s for s in specs}
    decode = {
        qname: (s.attr, None if s.kind == "str" else s.convert, None if s.optional else "")
        for qname, s in by_tag.items()
    }
    tag = cls.__name__
    return RecordSpec(cls, tag, tuple(specs), by_tag, decode, f"{{{CEB_NS}}}{tag}")


EXPORT_BASE_TRANSFER = export_spec(x.BaseTransfer)


def _req(msg: str, wrapper: str | None, head: type[Any], line: type[Any] | None, agg: Any) -> Layout:
    return Layout(msg, wrapper, export_spec(head), export_spec(line) if line else None, agg, True)


def _ret(msg: str, head: type[Any]) -> Layout:
    return Layout(msg, None, export_spec(head), None, None, False)


EXPORT_REQUESTS: dict[str, Layout] = {
    lay.message_type: lay
    for lay in (
        _req("CEB303Message", "Order", x.OrderHead, x.OrderList, d.ExportOrder),
        _req("CEB403Message", None, x.Receipts, None, d.Collection),
        _req("CEB505Message", None, x.Logistics, None, d.ExportWaybill),
        _req("CEB507Message", "Arrival", x.ArrivalHead, x.ArrivalList, d.Arrival),
        _req("CEB509Message", "Departure", x.DepartureHead, x.DepartureList, d.Departure),
        _req("CEB603Message", "Inventory", x.InventoryHead, x.InventoryList, d.ExportList),
        _req("CEB605Message", None, x.InvtCancel, None, d.ExportCancel),
        _req("CEB607Message", "WayBill", x.WayBillHead, x.WayBillList, d.Binding),
        _req("CEB701Message", "SummaryApply", x.SummaryApplyHead, x.SummaryApplyList, d.SummaryApply),
        _req("CEB213Message", "InvtRefund", x.InvtRefundHead, x.InvtRefundList, d.ExportReturn),
        _req("CEB215Message", None, x.InvtRefundDetail, None, d.ReturnTally),
    )
}

EXPORT_RECEIPTS: dict[str, Layout] = {
    lay.message_type: lay
    for lay in (
        _ret("CEB304Message", x.OrderReturn),
        _ret("CEB404Message", x.ReceiptsReturn),
        _ret("CEB506Message", x.LogisticsReturn),
        _ret("CEB508Message", x.ArrivalReturn),
        _ret("CEB510Message", x.DepartureReturn),
        _ret("CEB604Message", x.InventoryReturn),
        _ret("CEB606Message", x.InvtCancelReturn),
        _ret("CEB608Message", x.WayBillReturn),
        _ret("CEB702Message", x.SummaryReturn),
        _ret("CEB214Message", x.RefundReturn),
        _ret("CEB216Message", x.InvtRefundDetailReturn),
        Layout(
            "CEB792Message",
            "SummaryResult",
            export_spec(x.SummaryResultHead),
            export_spec(x.SummaryResultList),
            None,
            False,
        ),
    )
}

EXPORT_LAYOUTS: dict[str, Layout] = {**EXPORT_REQUESTS, **EXPORT_RECEIPTS}

#: Children of an export request root after the documents, in XSD order.
EXPORT_REQUEST_TRAILER = ("BaseTransfer", "BaseSubscribe", "Signature", "ExtendMessage")


def is_export_message(name: str) -> bool:
    """Whether ``name`` (``CEB603Message``) is an export request type.

    >>> is_export_message("CEB603Message"), is_export_message("CEB621Message")
    (True, False)
    """
    return name in EXPORT_REQUESTS
