"""Intake of one document: replays, duplicates, modifications, and the document's own checks."""

from __future__ import annotations

from opencbec.clearing import checks
from opencbec.clearing.context import Work
from opencbec.clearing.state import LOCKING_LIST_STATUSES, Incoming, StoredDoc
from opencbec.domain.codes import R, Reason, Status
from opencbec.domain.documents import DocumentKind, Inventory, Order, Payment, Waybill

#: Reasons for (duplicate, locked, nothing-to-change) per kind.
_APP_TYPE_REASONS: dict[DocumentKind, tuple[Reason, Reason, Reason]] = {
    DocumentKind.ORDER: (R.DUPLICATE_ORDER, R.ORDER_LOCKED, R.ORDER_NOT_FOUND_FOR_CHANGE),
    DocumentKind.PAYMENT: (R.DUPLICATE_PAYMENT, R.PAYMENT_LOCKED, R.PAYMENT_NOT_FOUND_FOR_CHANGE),
    DocumentKind.WAYBILL: (R.DUPLICATE_WAYBILL, R.WAYBILL_LOCKED, R.WAYBILL_NOT_FOUND_FOR_CHANGE),
    DocumentKind.INVENTORY: (R.DUPLICATE_LIST, R.LIST_LOCKED, R.LIST_NOT_FOUND_FOR_CHANGE),
    DocumentKind.CANCEL: (R.DUPLICATE_CANCEL, R.DUPLICATE_CANCEL, R.CANCEL_LIST_NOT_FOUND),
    DocumentKind.REFUND: (R.DUPLICATE_REFUND, R.DUPLICATE_REFUND, R.REFUND_LIST_NOT_FOUND),
}
_REPLACEABLE = frozenset({Status.REJECTED, Status.HELD})
_LIST_CHANGEABLE = frozenset({Status.DECLARING, Status.REJECTED, Status.HELD})
_NUMBERED = frozenset({DocumentKind.INVENTORY, DocumentKind.CANCEL, DocumentKind.REFUND})


def admit(work: Work, inc: Incoming) -> StoredDoc | None:
    """Store an arriving document as a new version, or refuse it.

    Returns the new version when it became current (and is still to be checked), None for a
    replay or a refused document.
    """
    document = inc.document
    kind, key, guid = document.kind, document.key, document.head.guid
    existing = work.state.current.get((kind, key))
    if (kind, guid, key) in work.state.versions and existing is not None:
        work.resend_status(existing, inc)
        return None
    doc = work.new_doc(inc)
    if kind in _NUMBERED:
        doc.pre_no = work.numbers.pre_no(inc.received_at)
    duplicate, locked, missing = _APP_TYPE_REASONS[kind]
    app_type = document.head.app_type
    what = f"{kind.value} {key} (guid {guid})"
    if app_type not in ("1", "2"):
        work.set_status(doc, Status.REJECTED, R.UNSUPPORTED_APP_TYPE, f"{what}: appType {app_type!r}")
        return None
    if app_type == "1" and existing is not None and existing.status not in _REPLACEABLE:
        work.set_status(doc, Status.REJECTED, duplicate, f"{what}: already declared as guid {existing.guid}")
        return None
    if app_type == "2":
        if existing is None:
            work.set_status(doc, Status.REJECTED, missing, f"{what}: nothing declared to change")
            return None
        if _locked(work, existing):
            work.set_status(
                doc, Status.REJECTED, locked, f"{what}: {existing.kind.value} is {existing.status}"
            )
            return None
    if document.head.app_status == "1":
        if existing is None:
            work.make_current(doc)
        work.set_status(doc, Status.HELD, None, "电子口岸已暂存 (appStatus=1: held, not declared)")
        return None
    work.make_current(doc)
    return doc


def _locked(work: Work, existing: StoredDoc) -> bool:
    """Whether the stored version may no longer be changed."""
    if existing.kind is DocumentKind.INVENTORY:
        return existing.status not in _LIST_CHANGEABLE
    if existing.kind in (DocumentKind.ORDER, DocumentKind.PAYMENT):
        lst = work.state.current.get((DocumentKind.INVENTORY, existing.key))
        return lst is not None and lst.status in LOCKING_LIST_STATUSES
    if existing.kind is DocumentKind.WAYBILL:
        lst = work.state.lists_by_waybill.get(existing.key)
        return lst is not None and lst.status in LOCKING_LIST_STATUSES
    return existing.status not in _REPLACEABLE


def check_new(work: Work, doc: StoredDoc, checked: tuple[checks.Failure | None] | None = None) -> None:
    """Run the document's own checks (or take their result ``checked`` when run ahead) and set its
    first status."""
    d = doc.document
    if not isinstance(d, Order | Payment | Waybill | Inventory):
        raise TypeError(f"check_new does not handle {d.kind}")
    failure = checks.own_checks(d) if checked is None else checked[0]
    if failure is not None:
        work.set_status(doc, Status.REJECTED, failure[0], failure[1])
    elif isinstance(d, Inventory):
        h = d.head
        work.set_status(
            doc,
            Status.DECLARING,
            None,
            f"清单新增申报成功[电商平台编码:{h.ebp_code};订单编号:{h.order_no}]",
        )
    else:
        work.set_status(doc, Status.STORED, R.LOGIC_PASSED)
