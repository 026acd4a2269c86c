"""After release: cancellation (CEB623) and returns (CEB625)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from opencbec.clearing.context import Work
from opencbec.clearing.list_clearing import declaration_date, tax_note
from opencbec.clearing.receipts import return_time
from opencbec.clearing.state import LedgerEntry, QuantityEntry, StatusEvent, StoredDoc, TaxNote
from opencbec.clearing.tax import SpecificRateQuantityError, line_tax
from opencbec.domain.ceb_records import TaxHeadRd
from opencbec.domain.codes import R, Status
from opencbec.domain.documents import Cancel, Inventory, Refund
from opencbec.domain.money import ZERO, to_fen


def cancel_list(work: Work, doc: StoredDoc) -> None:
    """Decide a cancellation application."""
    cancel = doc.document
    assert isinstance(cancel, Cancel)
    invt_no = cancel.head.invt_no
    lst = work.state.lists_by_invt_no.get(invt_no)
    what = f"cancel {invt_no} (guid {cancel.head.guid})"
    if lst is None:
        work.set_status(doc, Status.REJECTED, R.CANCEL_LIST_NOT_FOUND, f"{what}: no such list")
        return
    if lst.status != Status.RELEASED:
        work.set_status(doc, Status.REJECTED, R.CANCEL_STATE, f"{what}: list status is {lst.status}, not 800")
        return
    inventory = lst.document
    assert isinstance(inventory, Inventory)
    at = doc.received_at
    work.set_status(doc, Status.CONCLUDED, R.APPROVED, "撤单申请审核通过,清单已成功撤单", at=at)
    work.set_status(
        lst,
        Status.CONCLUDED,
        R.APPROVED,
        f"list cancelled by CEB623 {cancel.head.guid}: {cancel.head.reason}",
        at=at,
        receipt=False,
    )
    year = declaration_date(inventory).year
    amount = lst.dutiable_value or ZERO
    buyer = inventory.head.buyer_id_number
    work.book(LedgerEntry(buyer, year, -amount, invt_no, "list cancelled (CEB623)", at))
    reverse_quantities(work, lst, {ln.gnum: ln.qty for ln in inventory.lines}, at)
    _void_tax_note(work, invt_no, at)


def refund_list(work: Work, doc: StoredDoc) -> None:
    """Decide a return application."""
    refund = doc.document
    assert isinstance(refund, Refund)
    invt_no = refund.head.invt_no
    lst = work.state.lists_by_invt_no.get(invt_no)
    what = f"return {refund.key} (guid {refund.head.guid})"
    if lst is None:
        work.set_status(doc, Status.REJECTED, R.REFUND_LIST_NOT_FOUND, f"{what}: no list {invt_no}")
        return
    if lst.status != Status.RELEASED or lst.decided_at is None:
        work.set_status(doc, Status.REJECTED, R.REFUND_STATE, f"{what}: list is {lst.status}")
        return
    at = doc.received_at
    window = timedelta(days=work.config.refund_window_days)
    if at - lst.decided_at > window:
        work.set_status(
            doc,
            Status.REJECTED,
            R.REFUND_LATE,
            f"{what}: released {lst.decided_at:%Y-%m-%d %H:%M}, declared {at:%Y-%m-%d %H:%M}, "
            f"more than {work.config.refund_window_days} days",
        )
        return
    inventory = lst.document
    assert isinstance(inventory, Inventory)
    lines = {ln.gnum: ln for ln in inventory.lines}
    returned = work.state.returned_qty.setdefault(invt_no, {})
    wanted: dict[int, Decimal] = {}
    for rl in refund.lines:
        if rl.gnum not in lines:
            work.set_status(
                doc, Status.REJECTED, R.REFUND_GNUM_NOT_FOUND, f"{what}: list has no gnum {rl.gnum}"
            )
            return
        wanted[rl.gnum] = wanted.get(rl.gnum, ZERO) + rl.qty
    for gnum, qty in wanted.items():
        before = returned.get(gnum, ZERO)
        if qty <= 0 or before + qty > lines[gnum].qty:
            work.set_status(
                doc,
                Status.REJECTED,
                R.REFUND_QTY,
                f"{what} gnum {gnum}: returning {qty} after {before} exceeds declared {lines[gnum].qty}",
            )
            return
    for gnum, qty in wanted.items():
        returned[gnum] = returned.get(gnum, ZERO) + qty
        work.effects.returned.append((invt_no, gnum, qty))
    work.set_status(doc, Status.CONCLUDED, R.APPROVED, "退货申请审核通过", at=at)
    amount = sum((to_fen(lst.line_values.get(g, ZERO) * q / lines[g].qty) for g, q in wanted.items()), ZERO)
    as_of = declaration_date(inventory)
    buyer = inventory.head.buyer_id_number
    work.book(LedgerEntry(buyer, as_of.year, -amount, invt_no, f"return {refund.key}", at))
    reverse_quantities(work, lst, wanted, at)
    returned_text = ", ".join(f"gnum {g} x {q}" for g, q in sorted(wanted.items()))
    work.effects.events.append(
        StatusEvent(lst.doc_id, lst.status, f"returned by CEB625 {refund.head.guid}: {returned_text}", at)
    )
    old = _void_tax_note(work, invt_no, at)
    remaining = {g: ln.qty - returned.get(g, ZERO) for g, ln in lines.items()}
    if old is None or all(q <= 0 for q in remaining.values()):
        return
    rules = work.rulebook.at(as_of)
    try:
        taxes = [
            line_tax(
                rules,
                g,
                lines[g].gcode,
                to_fen(lst.line_values[g] * remaining[g] / lines[g].qty),
                lines[g].qty1 * remaining[g] / lines[g].qty,
                lines[g].unit1,
                remaining[g],
                lines[g].unit,
            )
            for g in sorted(remaining)
            if remaining[g] > 0
        ]
    except SpecificRateQuantityError:
        return
    serial = int(old.head.tax_no.rsplit("_", 1)[-1]) + 1
    note = tax_note(lst, taxes, at, serial)
    work.state.tax_notes[invt_no] = note
    work.effects.tax_notes.append(note)


def _void_tax_note(work: Work, invt_no: str, at: datetime) -> TaxNote | None:
    note = work.state.tax_notes.get(invt_no)
    if note is None:
        return None
    h = note.head
    voided = TaxNote(
        head=TaxHeadRd(
            guid=h.guid,
            return_time=return_time(at),
            invt_no=h.invt_no,
            tax_no=h.tax_no,
            customs_tax=h.customs_tax,
            value_added_tax=h.value_added_tax,
            consumption_tax=h.consumption_tax,
            status="3",
            note="作废 (voided: cancel or return)",
            assure_code=h.assure_code,
            ebc_code=h.ebc_code,
            logistics_code=h.logistics_code,
            agent_code=h.agent_code,
            customs_code=h.customs_code,
        ),
        lines=note.lines,
        receiver=note.receiver,
    )
    del work.state.tax_notes[invt_no]
    work.effects.tax_notes.append(voided)
    return note


def reverse_quantities(work: Work, lst: StoredDoc, qty_by_gnum: dict[int, Decimal], at: datetime) -> None:
    """Give back a buyer's restricted quantities for lines no longer imported (cancel, return, detain)."""
    inventory = lst.document
    assert isinstance(inventory, Inventory) and lst.invt_no
    as_of = declaration_date(inventory)
    try:
        rules = work.rulebook.at(as_of)
    except (LookupError, ValueError):
        return
    buyer = inventory.head.buyer_id_number
    for line in inventory.lines:
        entry = rules.positive_list_entry(line.gcode)
        if entry is None or entry.per_person_annual_qty is None or line.gnum not in qty_by_gnum:
            continue
        qty = -line.qty1 * qty_by_gnum[line.gnum] / line.qty
        key = (buyer, as_of.year, entry.tariff_line)
        work.state.quantity_used[key] = work.state.quantity_used.get(key, ZERO) + qty
        work.effects.quantities.append(
            QuantityEntry(buyer, as_of.year, entry.tariff_line, qty, lst.invt_no, at)
        )
