"""Recording an officer's inspection result on a list under inspection (500) or manual review (300).

A pure decision applied through ``Work``, like the cancels in ``aftercare``: the driver loads the
list (and its buyer's ledger) into a ``StateView``, calls ``record_inspection`` and applies the
``Effects`` in one transaction. Outcomes:

- **release** -> 800 ``[Code:2600;Desc:放行]`` with its CEB816 tax note (taxes computed exactly as
  when a list is released automatically); the ledger entry booked on acceptance stays;
- **detain** -> 501 / 502 / 503 / 599 (扣留移送通关 / 缉私 / 法规 / 其他扣留): the goods are not released,
  so the ledger entry (and any restricted quantity) booked on acceptance is reversed;
- **return abroad** -> 700 (退运): the goods leave China, the ledger entry is reversed as well.

Every outcome sends the list receipt (CEB622) to the list's sender. The officer, role and note
go to the document's history (an extra status event), never into the enterprise's receipt.
Results on lists in any other status are refused with ``InspectionRefusedError`` and change nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from opencbec.clearing.aftercare import reverse_quantities
from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.context import Work
from opencbec.clearing.list_clearing import declaration_date, tax_note
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.state import Effects, LedgerEntry, StateView, StatusEvent, StoredDoc
from opencbec.clearing.tax import LineTax, SpecificRateQuantityError, line_tax
from opencbec.domain.codes import R, Reason, Status
from opencbec.domain.documents import Inventory
from opencbec.domain.money import ZERO


class Outcome(enum.StrEnum):
    """An inspection result, valued by the list status it leads to (CEB spec 2022 §2-3)."""

    RELEASE = "800"  # 放行
    DETAIN_CLEARANCE = "501"  # 扣留移送通关
    DETAIN_SMUGGLING = "502"  # 扣留移送缉私
    DETAIN_LEGAL = "503"  # 扣留移送法规
    DETAIN_OTHER = "599"  # 其他扣留
    RETURN_ABROAD = "700"  # 退运


#: Reasons of the outcomes that have no official receipt code (OpenCBEC range 9000-9099).
DETAINED_CLEARANCE = R.DETAINED_CLEARANCE
DETAINED_SMUGGLING = R.DETAINED_SMUGGLING
DETAINED_LEGAL = R.DETAINED_LEGAL
DETAINED_OTHER = R.DETAINED_OTHER
RETURNED_ABROAD = R.RETURNED_ABROAD

REASONS: dict[Outcome, Reason] = {
    Outcome.RELEASE: R.RELEASED,
    Outcome.DETAIN_CLEARANCE: DETAINED_CLEARANCE,
    Outcome.DETAIN_SMUGGLING: DETAINED_SMUGGLING,
    Outcome.DETAIN_LEGAL: DETAINED_LEGAL,
    Outcome.DETAIN_OTHER: DETAINED_OTHER,
    Outcome.RETURN_ABROAD: RETURNED_ABROAD,
}
DETAINED = frozenset(
    {Outcome.DETAIN_CLEARANCE, Outcome.DETAIN_SMUGGLING, Outcome.DETAIN_LEGAL, Outcome.DETAIN_OTHER}
)
#: List statuses on which an officer may record a result.
OPEN_STATUSES = frozenset({Status.INSPECTION.value, Status.MANUAL_REVIEW.value})
#: Reasons for manual review whose tax the core cannot compute (full duty, specific rate).
_MANUAL_TAX = (R.SINGLE_ITEM_OVER_LIMIT, R.SPECIFIC_RATE_TAX)


class InspectionRefusedError(ValueError):
    """The result cannot be recorded (unknown list, wrong status, tax not computable)."""


class ListNotFoundError(InspectionRefusedError):
    """No list has this ``invtNo``."""


@dataclass(frozen=True, slots=True)
class InspectionResult:
    """What an officer found."""

    outcome: Outcome
    officer: str
    role: str
    at: datetime
    note: str = ""


def record_inspection(work: Work, invt_no: str, result: InspectionResult) -> StoredDoc:
    """Apply ``result`` to the list ``invt_no``; raise ``InspectionRefusedError`` before changing anything."""
    lst = work.state.lists_by_invt_no.get(invt_no)
    if lst is None:
        raise ListNotFoundError(f"no list {invt_no}")
    if lst.status not in OPEN_STATUSES:
        raise InspectionRefusedError(
            f"list {invt_no} is in status {lst.status}; results are recorded only on lists under "
            "inspection (500) or manual review (300)"
        )
    inventory = lst.document
    assert isinstance(inventory, Inventory)
    at = result.at
    taxes = _taxes(work, lst, inventory) if result.outcome is Outcome.RELEASE else []
    before = lst.status
    by = f"{result.role} {result.officer}"
    work.effects.events.append(
        StatusEvent(
            lst.doc_id,
            before,
            f"inspection result {result.outcome.value} ({result.outcome.name.lower()}) recorded by {by}"
            + (f": {result.note}" if result.note else ""),
            at,
        )
    )
    if result.outcome is Outcome.RELEASE:
        lst.decided_at = at
        work.set_status(lst, Status.RELEASED, R.RELEASED, at=at)
        note = tax_note(lst, taxes, at, 0)
        work.state.tax_notes[invt_no] = note
        work.effects.tax_notes.append(note)
        return lst
    word = "returned abroad" if result.outcome is Outcome.RETURN_ABROAD else "detained"
    work.set_status(
        lst,
        result.outcome.value,
        REASONS[result.outcome],
        f"list {lst.key}: {word} after {'inspection' if before == Status.INSPECTION else 'manual review'}",
        at=at,
    )
    amount = lst.dutiable_value or ZERO
    buyer = inventory.head.buyer_id_number
    year = declaration_date(inventory).year
    if amount:
        work.book(LedgerEntry(buyer, year, -amount, invt_no, f"list {word} ({result.outcome.value})", at))
    reverse_quantities(work, lst, {ln.gnum: ln.qty for ln in inventory.lines}, at)
    return lst


def inspect(
    state: StateView,
    rulebook: RulebookLike,
    config: ClearingConfig,
    invt_no: str,
    result: InspectionResult,
) -> Effects:
    """Record ``result`` against ``state``; return the effects (raises ``InspectionRefusedError``)."""
    work = Work(state, rulebook, config, result.at)
    record_inspection(work, invt_no, result)
    work.effects.counters = work.numbers.changed
    return work.effects


def _taxes(work: Work, lst: StoredDoc, inventory: Inventory) -> list[LineTax]:
    """The list's taxes, as on an automatic release; refused where an officer must assess them."""
    what = f"list {lst.invt_no}"
    for reason in _MANUAL_TAX:
        if lst.info.startswith(reason.info()):
            raise InspectionRefusedError(
                f"{what} is under manual review for [{reason.code}] {reason.desc}: its tax must be assessed "
                "by hand, which OpenCBEC does not support yet; it cannot be released here"
            )
    try:
        rules = work.rulebook.at(declaration_date(inventory))
    except (LookupError, ValueError) as exc:
        raise InspectionRefusedError(f"{what}: no rules for its declaration date: {exc}") from exc
    if not lst.line_values:
        raise InspectionRefusedError(f"{what} has no dutiable values; it was never cleared")
    try:
        return [
            line_tax(rules, ln.gnum, ln.gcode, lst.line_values[ln.gnum], ln.qty1, ln.unit1, ln.qty, ln.unit)
            for ln in inventory.lines
        ]
    except SpecificRateQuantityError as exc:
        raise InspectionRefusedError(
            f"{what}: specific-rate consumption tax needs manual assessment"
        ) from exc
