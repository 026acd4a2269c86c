"""Clearing a complete list: matching, positive list, limits, tax and the decision."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from opencbec.clearing import selection
from opencbec.clearing.checks import Failure
from opencbec.clearing.context import Work
from opencbec.clearing.matching import match_documents
from opencbec.clearing.ports import RulesAtLike
from opencbec.clearing.receipts import return_time
from opencbec.clearing.risk_port import Assessment, ListFacts, RiskDecision, RiskRecord, SelectionKind
from opencbec.clearing.state import LedgerEntry, QuantityEntry, StatusEvent, StoredDoc, TaxNote
from opencbec.clearing.tax import LineTax, SpecificRateQuantityError, line_tax
from opencbec.domain.ceb_records import TaxHeadRd, TaxListRd
from opencbec.domain.codes import R, Status
from opencbec.domain.documents import DocumentKind, Inventory, Order, Payment, Waybill, parse_app_time
from opencbec.domain.money import ZERO, allocate, to_fen

_TAX_NOTE_NS = uuid.UUID("6f1c3a52-3f5e-4c2b-9d0e-0c6b1e7a9a10")
#: Unit names used in positive-list remarks, mapped to CEB unit codes.
REMARK_UNITS = {"千克": "035", "公斤": "035", "kg": "035", "克": "036", "升": "095", "毫升": "096"}


class Partners:
    """The order, payment and waybill of a list (any may be missing)."""

    def __init__(self, work: Work, lst: StoredDoc) -> None:
        current = work.state.current
        self.order = current.get((DocumentKind.ORDER, lst.key))
        self.payment = current.get((DocumentKind.PAYMENT, lst.key))
        self.waybill = current.get((DocumentKind.WAYBILL, lst.document.waybill_key))  # type: ignore[union-attr]
        app_time = _app_time(lst)
        start = app_time if app_time is not None else lst.received_at
        self.deadline = start + work.config.partner_wait

    def missing(self) -> list[str]:
        """Names of the partners not (yet) usable, with why."""
        out = []
        for name, doc in (
            ("order", self.order),
            ("payment", self.payment),
            ("waybill", self.waybill),
        ):
            # a partner received after the deadline reads as not received, so the detail does not
            # depend on whether it arrived in the same batch as the passing of the deadline
            if doc is None or doc.received_at > self.deadline:
                out.append(f"{name} not received by the deadline")
            elif doc.status != Status.STORED:
                out.append(f"{name} {doc.key} is {doc.status or 'pending'}")
        return out

    def completion_seq(self, lst: StoredDoc) -> int:
        """Arrival sequence at which the list became complete."""
        return max(d.seq for d in (lst, self.order, self.payment, self.waybill) if d is not None)

    def completed_at(self, lst: StoredDoc) -> datetime:
        """Received time at which the list became complete."""
        return max(d.received_at for d in (lst, self.order, self.payment, self.waybill) if d)


def _app_time(lst: StoredDoc) -> datetime | None:
    return parse_app_time(lst.document.head.app_time)


def declaration_date(inventory: Inventory) -> date:
    """The legal date of a list: ``declTime`` (yyyymmdd), else ``appTime``."""
    for text in (inventory.head.decl_time, inventory.head.app_time[:8]):
        day = _day(text)
        if day is not None:
            return day
    raise ValueError(f"list {inventory.key}: declTime {inventory.head.decl_time!r} is not a date")


def _day(text: str) -> date | None:
    """``yyyymmdd`` as a date (as ``strptime(text, "%Y%m%d")`` would read it), else None."""
    day = _DAYS.get(text)
    if day is None and text not in _DAYS:
        try:
            day = datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            day = None
        if len(_DAYS) >= 4096:
            _DAYS.clear()
        _DAYS[text] = day
    return day


_DAYS: dict[str, date | None] = {}


def refuse_missing(work: Work, lst: StoredDoc, partners: Partners) -> None:
    """Refuse a list whose partners did not arrive in time."""
    work.set_status(
        lst,
        Status.REJECTED,
        R.PARTNERS_MISSING,
        f"list {lst.key}: waited until {partners.deadline:%Y-%m-%d %H:%M:%S}; "
        + "; ".join(partners.missing()),
        at=max(work.watermark, partners.deadline),
    )


def clear_list(
    work: Work, lst: StoredDoc, partners: Partners, risk: tuple[ListFacts, Assessment] | None = None
) -> None:
    """Clear a complete list and record the outcome (``risk``: its assessment, when configured)."""
    inventory = lst.document
    assert isinstance(inventory, Inventory)
    assert partners.order and partners.payment and partners.waybill
    order, payment, waybill = (
        partners.order.document,
        partners.payment.document,
        partners.waybill.document,
    )
    assert isinstance(order, Order) and isinstance(payment, Payment) and isinstance(waybill, Waybill)
    at = partners.completed_at(lst)
    failure = match_documents(inventory, order, payment, waybill)
    if failure:
        work.set_status(lst, Status.REJECTED, failure[0], failure[1], at=at)
        return
    as_of = declaration_date(inventory)
    try:
        rules = work.rulebook.at(as_of)
    except (LookupError, ValueError) as exc:
        work.set_status(lst, Status.REJECTED, R.RULES_MISSING, f"list {lst.key} on {as_of}: {exc}", at=at)
        return
    head = inventory.head
    buyer, year = head.buyer_id_number, as_of.year
    failure = _check_positive_list(work, inventory, rules, buyer, year)
    if failure:
        work.set_status(lst, Status.REJECTED, failure[0], failure[1], at=at)
        return
    values = allocate(head.freight + head.insured_fee, [line.total_price for line in inventory.lines])
    line_values = {
        line.gnum: to_fen(line.total_price) + share
        for line, share in zip(inventory.lines, values, strict=True)
    }
    total = sum(line_values.values(), ZERO)
    lst.dutiable_value, lst.line_values = total, line_values
    used = work.used(buyer, year)
    doc = f"list {lst.key}"
    decision: tuple[str, object] | None = None
    if total > rules.single_transaction_limit:
        single_item = len(inventory.lines) == 1 and inventory.lines[0].qty == 1
        if not single_item or used + total > rules.annual_limit:
            work.set_status(
                lst,
                Status.REJECTED,
                R.SINGLE_LIMIT,
                f"{doc}: dutiable value {total} > single-transaction limit "
                f"{rules.single_transaction_limit} on {as_of}",
                at=at,
            )
            return
        decision = (Status.MANUAL_REVIEW, R.SINGLE_ITEM_OVER_LIMIT)
    elif used + total > rules.annual_limit:
        work.set_status(
            lst,
            Status.REJECTED,
            R.ANNUAL_LIMIT,
            f"{doc}: buyer {buyer} used {used} in {year}; with {total} exceeds the annual limit "
            f"{rules.annual_limit}",
            at=at,
        )
        return
    taxes: list[LineTax] = []
    if decision is None:
        try:
            taxes = [
                line_tax(rules, ln.gnum, ln.gcode, line_values[ln.gnum], ln.qty1, ln.unit1, ln.qty, ln.unit)
                for ln in inventory.lines
            ]
        except SpecificRateQuantityError:
            decision = (Status.MANUAL_REVIEW, R.SPECIFIC_RATE_TAX)
            taxes = []
    cfg = work.config
    verdict: RiskDecision | None = None
    if cfg.risk is not None:
        if decision is None and risk is not None:
            verdict = cfg.risk.decide(risk[0], risk[1], work.state.risk)
            decision = _RISK_DECISIONS.get(verdict.kind) if verdict.kind else None
    elif decision is None and selection.selected(
        cfg.inspection_rate, cfg.selection_seed, head.ebp_code, head.order_no
    ):
        decision = (Status.INSPECTION, R.RANDOM_INSPECTION)
    if decision is None and selection.selected(
        cfg.manual_review_rate, cfg.selection_seed, head.ebp_code, head.order_no, "#review"
    ):
        decision = (Status.MANUAL_REVIEW, R.RANDOM_MANUAL_REVIEW)
    lst.invt_no = work.numbers.invt_no(head.customs_code, year)
    lst.decided_at = at
    work.state.lists_by_invt_no[lst.invt_no] = lst
    work.set_status(lst, Status.STORED, R.LOGIC_PASSED, at=at)
    work.book(LedgerEntry(buyer, year, total, lst.invt_no, "list accepted", at))
    _book_quantities(work, inventory, rules, buyer, year, lst.invt_no, at, sign=Decimal(1))
    if cfg.risk is not None and risk is not None:
        _record_risk(work, lst, risk, verdict, decision[0] if decision else Status.RELEASED.value, at)
    if decision is not None:
        status, reason = decision
        work.set_status(lst, status, reason, f"{doc}: dutiable value {total}", at=at)  # type: ignore[arg-type]
        if verdict is not None and verdict.kind is not None:  # the why, for officers only
            work.effects.events.append(
                StatusEvent(lst.doc_id, status, "risk: " + "; ".join(verdict.reasons), at)
            )
        return
    work.set_status(lst, Status.RELEASED, R.RELEASED, at=at)
    note = tax_note(lst, taxes, at, 0)
    work.state.tax_notes[lst.invt_no] = note
    work.effects.tax_notes.append(note)


_RISK_DECISIONS: dict[SelectionKind, tuple[str, object]] = {
    SelectionKind.TARGETED: (Status.INSPECTION, R.RISK_TARGETED),
    SelectionKind.RANDOM: (Status.INSPECTION, R.RANDOM_INSPECTION),
    SelectionKind.REVIEW: (Status.MANUAL_REVIEW, R.RISK_REVIEW),
}


def _record_risk(
    work: Work,
    lst: StoredDoc,
    risk: tuple[ListFacts, Assessment],
    verdict: RiskDecision | None,
    status: str,
    at: datetime,
) -> None:
    """Keep the assessment of an accepted list (history for the rules, selection and its reasons)."""
    assert work.config.risk is not None and lst.invt_no is not None
    work.effects.risk_records.append(
        RiskRecord(
            facts=risk[0],
            assessment=risk[1],
            decision=verdict or RiskDecision(None),
            invt_no=lst.invt_no,
            status=str(status),
            at=at,
            model_version=work.config.risk.model_version,
        )
    )


def tax_note(lst: StoredDoc, taxes: list[LineTax], at: datetime, serial: int) -> TaxNote:
    """A CEB816 tax note (status 1, generated) for the list's lines."""
    inventory = lst.document
    assert isinstance(inventory, Inventory)
    head = inventory.head
    assert lst.invt_no is not None
    tax_no = f"{lst.invt_no}_{serial}"
    return TaxNote(
        head=TaxHeadRd(
            guid=str(uuid.uuid5(_TAX_NOTE_NS, tax_no)).upper(),
            return_time=return_time(at),
            invt_no=lst.invt_no,
            tax_no=tax_no,
            customs_tax=sum((t.customs_tax for t in taxes), ZERO),
            value_added_tax=sum((t.value_added_tax for t in taxes), ZERO),
            consumption_tax=sum((t.consumption_tax for t in taxes), ZERO),
            status="1",
            assure_code=head.assure_code,
            ebc_code=head.ebc_code,
            logistics_code=head.logistics_code,
            agent_code=head.agent_code,
            customs_code=head.customs_code,
        ),
        lines=[
            TaxListRd(
                gnum=t.gnum,
                gcode=t.gcode,
                tax_price=t.tax_price,
                customs_tax=t.customs_tax,
                value_added_tax=t.value_added_tax,
                consumption_tax=t.consumption_tax,
            )
            for t in taxes
        ],
        receiver=lst.sender,
    )


def _check_positive_list(
    work: Work, inventory: Inventory, rules: RulesAtLike, buyer: str, year: int
) -> Failure | None:
    doc = f"list {inventory.key}"
    for line in inventory.lines:
        entry = rules.positive_list_entry(line.gcode)
        where = f"{doc} gnum {line.gnum} gcode {line.gcode}"
        if entry is None:
            return (
                R.NOT_ON_POSITIVE_LIST,
                f"{where}: tariff line {line.gcode[:8]} is not on the list",
            )
        if entry.bonded_only and inventory.head.trade_mode == "9610":
            return R.BONDED_ONLY, f"{where}: line {entry.tariff_line} is bonded-only, not 9610"
        if entry.name_whitelist and not any(w in line.gname for w in entry.name_whitelist):
            return R.POSITIVE_LIST_NAME, (
                f"{where}: {line.gname!r} is not among {', '.join(entry.name_whitelist)}"
            )
        if entry.per_person_annual_qty is not None:
            unit = REMARK_UNITS.get(entry.qty_unit or "", entry.qty_unit)
            if unit == line.unit1:
                key = (buyer, year, entry.tariff_line)
                used = work.state.quantity_used.get(key, ZERO)
                if used + line.qty1 > entry.per_person_annual_qty:
                    return R.PER_PERSON_QTY, (
                        f"{where}: buyer used {used} {entry.qty_unit} in {year}, with {line.qty1} "
                        f"exceeds {entry.per_person_annual_qty}"
                    )
    return None


def _book_quantities(
    work: Work,
    inventory: Inventory,
    rules: RulesAtLike,
    buyer: str,
    year: int,
    invt_no: str,
    at: datetime,
    sign: Decimal,
) -> None:
    for line in inventory.lines:
        entry = rules.positive_list_entry(line.gcode)
        if entry is None or entry.per_person_annual_qty is None:
            continue
        key = (buyer, year, entry.tariff_line)
        qty = line.qty1 * sign
        work.state.quantity_used[key] = work.state.quantity_used.get(key, ZERO) + qty
        work.effects.quantities.append(QuantityEntry(buyer, year, entry.tariff_line, qty, invt_no, at))
