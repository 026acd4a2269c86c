"""The export clearing core: ``clear_export(batch, state, config, watermark) -> ExportEffects``.

Pure, like :func:`opencbec.clearing.pipeline.clear`. States of a list::

    CEB603 ─▶ 2 (waiting for order, waybill[, collection]) ─match─▶ 120 ─CEB507 arrival─▶ 800
        ─CEB509 departure─▶ 899 (closed) ─CEB701─▶ summarised (sumNo)
    refused at any check ─▶ 100;   CEB605 cancel (at 120 or 800) ─▶ 399

An arrival note may come before the list is matched: the waybill is remembered and the list is
released as soon as it matches. A departure note is refused as a whole if one of its waybills has
no released list (goods may not leave unreleased). A binding (CEB607) is refused as a whole if a
waybill has no list. Modifications (``appType`` 2) replace the document in place while it is
not locked (a list: before release; an order/waybill/collection: while its list is not released).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from opencbec.clearing.numbering import Numbering
from opencbec.domain.codes import R, Reason
from opencbec.export import documents as d
from opencbec.export.receipts import receipt_record
from opencbec.export.rules import ExportConfig, check_list, collection_required, match
from opencbec.export.state import ExportEffects, ExportState, XDoc, XIncoming, XReceipt, XStatus


class XWork:
    """The state of one batch in progress."""

    def __init__(self, state: ExportState, config: ExportConfig, watermark: datetime) -> None:
        self.state = state
        self.config = config
        self.watermark = watermark
        self.effects = ExportEffects()
        self.numbers = Numbering(state.counters)
        self.new_ids: set[int] = set()

    def touch(self, doc: XDoc) -> None:
        """Record that ``doc`` changed."""
        if doc.doc_id not in self.new_ids:
            self.effects.changed[doc.doc_id] = doc

    def set(self, doc: XDoc, status: str, info: str, at: datetime, receiver: str | None = None) -> None:
        """Change ``doc``'s status and send its receipt."""
        doc.status, doc.info = status, info
        self.touch(doc)
        self.receipt(doc, status, info, at, receiver)

    def receipt(self, doc: XDoc, status: str, info: str, at: datetime, receiver: str | None = None) -> None:
        """Send a receipt for ``doc`` without changing it."""
        msg = d.RECEIPT_TYPE[doc.kind]
        self.effects.receipts.append(
            XReceipt(msg, receiver or doc.sender, receipt_record(doc, status, info, at))
        )

    def refuse(self, doc: XDoc, reason: Reason, detail: str, at: datetime) -> None:
        """Refuse ``doc`` (100)."""
        self.set(doc, XStatus.REJECTED, reason.info(detail), at)

    def pre_no(self, at: datetime) -> str:
        """An E-Port number for an export document (serials from 900000001, apart from imports)."""
        day = at.strftime("%Y%m%d")
        return f"B{day}{900_000_000 + self.numbers.next('xpre:' + day):09d}"

    def invt_no(self, customs_code: str, year: int) -> str:
        """customs(4) + year(4) + ``E`` + 9-digit serial (18 characters)."""
        return f"{customs_code}{year}E{self.numbers.next(f'xinvt:{customs_code}:{year}'):09d}"


def clear_export(
    batch: Sequence[XIncoming], state: ExportState, config: ExportConfig, watermark: datetime
) -> ExportEffects:
    """Clear one batch of export documents against ``state``; return what changed."""
    from opencbec.export.returns import handle_return, handle_tally
    from opencbec.export.summary_apply import handle_summary

    work = XWork(state, config, watermark)
    handlers = {
        d.ExportKind.ARRIVAL: handle_arrival,
        d.ExportKind.DEPARTURE: handle_departure,
        d.ExportKind.BINDING: handle_binding,
        d.ExportKind.CANCEL: handle_cancel,
        d.ExportKind.SUMMARY: handle_summary,
        d.ExportKind.RETURN: handle_return,
        d.ExportKind.TALLY: handle_tally,
    }
    for inc in batch:
        doc = admit(work, inc)
        if doc is None:
            continue
        handler = handlers.get(doc.kind)
        if handler is not None:
            handler(work, doc, inc)
        elif doc.kind is d.ExportKind.LIST:
            problem = check_list(doc.document, config)  # type: ignore[arg-type]
            if problem:
                work.refuse(doc, *problem, inc.received_at)
            else:
                try_match(work, doc, inc.received_at, announce=True)
        else:
            work.set(doc, XStatus.STORED, R.LOGIC_PASSED.info(_quirks(inc)), inc.received_at)
            lst = _list_of_partner(state, doc)
            if lst is not None and lst.status == XStatus.DECLARING:
                try_match(work, lst, inc.received_at, announce=False)
    work.effects.counters = work.numbers.changed
    return work.effects


def _quirks(inc: XIncoming) -> str:
    return "; ".join(inc.quirks)


def _list_of_partner(state: ExportState, doc: XDoc) -> XDoc | None:
    if doc.kind is d.ExportKind.WAYBILL:
        return state.lists_by_waybill.get(doc.key)
    return state.lists_by_order.get(doc.key)


def admit(work: XWork, inc: XIncoming) -> XDoc | None:
    """Intake: replays, holds, duplicates, modifications. Returns the document to process."""
    state, doc_ = work.state, inc.document
    head, at = doc_.head, inc.received_at
    if (doc_.kind, head.guid) in state.guids:
        work.effects.replays += 1
        return None
    existing = state.current.get((doc_.kind, doc_.key))
    sender = inc.envelope.sender
    app_type = getattr(head, "app_type", "1")
    if app_type == "2" and existing is not None and existing.status != XStatus.REJECTED:
        if _locked(state, existing):
            _answer_only(work, inc, R.X_LOCKED, f"{doc_.key} is at {existing.status}")
            return None
        existing.document, existing.sender, existing.received_at = doc_, sender, at
        state.add(existing)
        work.touch(existing)
        return existing
    doc = XDoc(work.numbers.next("xdoc"), doc_, XStatus.DECLARING, "", at, sender, pre_no=work.pre_no(at))
    work.new_ids.add(doc.doc_id)
    work.effects.new_docs.append(doc)
    if app_type not in ("1", "2"):
        work.refuse(doc, R.X_UNSUPPORTED_APP_TYPE, f"appType {app_type!r} (1 new, 2 change)", at)
        state.guids.add((doc.kind, doc.guid))
        return None
    if app_type == "2":
        work.refuse(doc, R.X_NOT_FOUND_FOR_CHANGE, f"no {doc_.kind.value} {doc_.key} to change", at)
        state.guids.add((doc.kind, doc.guid))
        return None
    if existing is not None and existing.status != XStatus.REJECTED:
        work.refuse(doc, R.X_DUPLICATE, f"{doc_.kind.value} {doc_.key} exists ({existing.status})", at)
        state.guids.add((doc.kind, doc.guid))
        return None
    state.add(doc)
    if getattr(head, "app_status", "2") == "1":
        work.set(doc, XStatus.HELD, "电子口岸已暂存", at)
        return None
    return doc


def _answer_only(work: XWork, inc: XIncoming, reason: Reason, detail: str) -> None:
    tmp = XDoc(0, inc.document, XStatus.REJECTED, "", inc.received_at, inc.envelope.sender)
    work.receipt(tmp, XStatus.REJECTED, reason.info(detail), inc.received_at)


def _locked(state: ExportState, doc: XDoc) -> bool:
    if doc.kind is d.ExportKind.LIST:
        return doc.status not in (XStatus.DECLARING, XStatus.STORED, XStatus.HELD)
    if doc.kind in (d.ExportKind.ORDER, d.ExportKind.COLLECTION, d.ExportKind.WAYBILL):
        lst = _list_of_partner(state, doc)
        return lst is not None and lst.status in (XStatus.RELEASED, XStatus.CLOSED)
    return True


def try_match(work: XWork, lst: XDoc, at: datetime, *, announce: bool) -> None:
    """Match a waiting list with its partners; 120 (and 800 if already arrived) or 100."""
    state, doc_ = work.state, lst.document
    assert isinstance(doc_, d.ExportList)
    order = state.current.get((d.ExportKind.ORDER, doc_.order_key))
    waybill = state.current.get((d.ExportKind.WAYBILL, doc_.waybill_key))
    coll = state.current.get((d.ExportKind.COLLECTION, doc_.order_key))
    ok = (XStatus.STORED,)
    missing = [
        name
        for name, partner, needed in (
            ("order", order, True),
            ("waybill", waybill, True),
            ("collection", coll, collection_required(doc_)),
        )
        if needed and (partner is None or partner.status not in ok)
    ]
    if missing:
        if announce:
            work.set(
                lst,
                XStatus.DECLARING,
                R.X_WAITING.info(f"list {lst.key}: waiting for {', '.join(missing)}"),
                at,
            )
        return
    assert order is not None and waybill is not None
    problem = match(doc_, order.document, waybill.document, coll.document if coll else None)  # type: ignore[arg-type]
    if problem:
        work.refuse(lst, *problem, at)
        return
    lst.invt_no = lst.invt_no or work.invt_no(doc_.head.customs_code, at.year)
    state.add(lst)
    work.set(lst, XStatus.STORED, R.LOGIC_PASSED.info(f"list {lst.key} matched"), at)
    arrived = state.arrived.get(doc_.waybill_key)
    if arrived is not None:
        release(work, lst, max(at, arrived))


def release(work: XWork, lst: XDoc, at: datetime) -> None:
    """Release a matched list whose goods are at the site (800)."""
    lst.released_at = at
    work.set(lst, XStatus.RELEASED, R.RELEASED.info(f"list {lst.invt_no}"), at)


def _waybill_keys(doc: XDoc) -> list[str]:
    head = doc.document.head
    return [d.waybill_key(head.logistics_code, line.logistics_no) for line in doc.document.lines]  # type: ignore[union-attr]


def handle_arrival(work: XWork, doc: XDoc, inc: XIncoming) -> None:
    """CEB507: remember the arrived waybills; release the lists that are matched."""
    at = inc.received_at
    released = waiting = 0
    for key in _waybill_keys(doc):
        work.state.arrived[key] = work.effects.arrivals[key] = at
        lst = work.state.lists_by_waybill.get(key)
        if lst is not None and lst.status == XStatus.STORED:
            release(work, lst, at)
            released += 1
        else:
            waiting += 1
    detail = f"{released} list(s) released, {waiting} waybill(s) without a matched list yet"
    work.set(doc, XStatus.STORED, R.X_ARRIVED.info(f"{detail}. {_quirks(inc)}".strip()), at)


def handle_departure(work: XWork, doc: XDoc, inc: XIncoming) -> None:
    """CEB509: close (899) the released lists of every waybill, or refuse the whole note."""
    at = inc.received_at
    lists = [(key, work.state.lists_by_waybill.get(key)) for key in _waybill_keys(doc)]
    bad = [key for key, lst in lists if lst is None or lst.status not in (XStatus.RELEASED, XStatus.CLOSED)]
    if bad:
        work.refuse(doc, R.X_NOT_RELEASED, f"waybill(s) {', '.join(bad[:20])} have no released list", at)
        return
    from opencbec.domain.documents import parse_app_time

    left = parse_app_time(doc.document.head.leave_time) or at  # type: ignore[union-attr]
    for _key, lst in lists:
        assert lst is not None
        if lst.status == XStatus.RELEASED:
            lst.closed_at = left
            work.set(
                lst, XStatus.CLOSED, R.X_CLOSED.info(f"list {lst.invt_no} left at {left:%Y-%m-%d %H:%M}"), at
            )
    work.set(
        doc, XStatus.STORED, R.LOGIC_PASSED.info(f"{len(lists)} list(s) closed. {_quirks(inc)}".strip()), at
    )


def handle_binding(work: XWork, doc: XDoc, inc: XIncoming) -> None:
    """CEB607: bind the lists of the waybills to the master bill, or refuse the whole note."""
    at, binding = inc.received_at, doc.document
    assert isinstance(binding, d.Binding)
    found: list[XDoc] = []
    for line, key in zip(binding.lines, _waybill_keys(doc), strict=True):
        lst = work.state.lists_by_waybill.get(key)
        if lst is None or lst.status in (XStatus.REJECTED, XStatus.CONCLUDED) or not lst.invt_no:
            work.refuse(doc, R.X_WAYBILL_UNKNOWN, f"waybill {key} has no list", at)
            return
        if line.invt_no and line.invt_no != lst.invt_no:
            work.refuse(doc, R.X_PARTY_MISMATCH, f"waybill {key}: invtNo {line.invt_no} != {lst.invt_no}", at)
            return
        found.append(lst)
    for lst in found:
        lst.bill_no = binding.head.bill_no
        work.touch(lst)
    work.set(
        doc, XStatus.STORED, R.LOGIC_PASSED.info(f"{len(found)} list(s) bound to {binding.head.bill_no}"), at
    )


def handle_cancel(work: XWork, doc: XDoc, inc: XIncoming) -> None:
    """CEB605: cancel a matched or released list (not after departure)."""
    at, cancel = inc.received_at, doc.document
    assert isinstance(cancel, d.ExportCancel)
    lst = work.state.lists_by_invt.get(cancel.head.invt_no)
    if lst is None:
        work.refuse(doc, R.X_LIST_NOT_FOUND, f"invtNo {cancel.head.invt_no}", at)
        return
    if lst.status not in (XStatus.STORED, XStatus.RELEASED):
        work.refuse(doc, R.X_CANCEL_STATE, f"list {lst.invt_no} is at {lst.status}", at)
        return
    work.set(lst, XStatus.CONCLUDED, R.APPROVED.info(f"list {lst.invt_no} cancelled (撤单)"), at)
    work.set(doc, XStatus.CONCLUDED, R.APPROVED.info(f"list {lst.invt_no} cancelled"), at)
