"""The clearing core: ``clear(batch, state, rulebook, config, watermark) -> Effects``.

One pure function over a batch, shared by every driver (``cbec clear``, the online service,
workers). It never does I/O: the driver reads a ``StateView`` in bulk, calls ``clear`` and
applies the returned ``Effects`` atomically.

Order of work inside a batch:

1. intake of every order, payment, waybill and list in arrival order (replays, duplicates,
   modifications, the document's own checks);
2. every list touched by the batch that is complete is cleared, in the order in which the lists
   became complete (so a buyer's annual limit is consumed in arrival order, whatever the batch
   size); lists whose deadline has passed without their partners are refused;
3. cancels and returns, in arrival order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from opencbec.clearing.aftercare import cancel_list, refund_list
from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.context import Work
from opencbec.clearing.intake import admit, check_new
from opencbec.clearing.list_clearing import Partners, clear_list, declaration_date, refuse_missing
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.risk_port import Assessment, ListFacts, list_facts
from opencbec.clearing.state import Effects, Incoming, StateView, StoredDoc
from opencbec.domain.codes import Status
from opencbec.domain.documents import DocumentKind, Inventory, Order, Payment, Waybill

_AFTERCARE = (DocumentKind.CANCEL, DocumentKind.REFUND)


def clear(
    batch: Sequence[Incoming],
    state: StateView,
    rulebook: RulebookLike,
    config: ClearingConfig,
    watermark: datetime,
) -> Effects:
    """Clear one batch of arriving documents against ``state``; return what changed.

    ``watermark`` is the received time of the batch's last document (the driver's clock).
    """
    work = Work(state, rulebook, config, watermark)
    candidates: dict[int, StoredDoc] = {}
    later: list[StoredDoc] = []
    for inc in batch:
        doc = admit(work, inc)
        if doc is None:
            continue
        if doc.kind in _AFTERCARE:
            later.append(doc)
            continue
        check_new(work, doc, inc.checked)
        for lst in _lists_concerned(work, doc):
            candidates[lst.doc_id] = lst
    for lst in state.due_lists:
        candidates[lst.doc_id] = lst
    ready: list[tuple[int, StoredDoc, Partners]] = []
    for lst in candidates.values():
        if not lst.current or lst.status != Status.DECLARING:
            continue
        partners = Partners(work, lst)
        if not partners.missing():
            ready.append((partners.completion_seq(lst), lst, partners))
        elif watermark > partners.deadline:
            refuse_missing(work, lst, partners)
    ready.sort(key=lambda item: item[0])
    risk = _assess(work, ready) if config.risk is not None else {}
    for _seq, lst, partners in ready:
        clear_list(work, lst, partners, risk.get(lst.doc_id))
    for doc in later:
        if doc.kind is DocumentKind.CANCEL:
            cancel_list(work, doc)
        else:
            refund_list(work, doc)
    work.effects.counters = work.numbers.changed
    return work.effects


@dataclass(frozen=True, slots=True)
class Reach:
    """The lists a batch's documents can reach: by list key (orders, payments, lists), by waybill
    key (waybills, lists) and by customs list number (cancels, returns)."""

    lists: frozenset[str]
    waybills: frozenset[str]
    invt_nos: frozenset[str]

    @classmethod
    def of(cls, batch: Sequence[Incoming]) -> Reach:
        """The reach of ``batch``."""
        lists, waybills, invt_nos = set(), set(), set()
        for inc in batch:
            d = inc.document
            if isinstance(d, Inventory):
                lists.add(d.key)
                waybills.add(d.waybill_key)
            elif isinstance(d, Order | Payment):
                lists.add(d.key)
            elif isinstance(d, Waybill):
                waybills.add(d.key)
            else:
                invt_nos.add(d.head.invt_no)
        return cls(frozenset(lists), frozenset(waybills), frozenset(invt_nos))

    def unconcerned(self, due_lists: Sequence[StoredDoc]) -> list[StoredDoc]:
        """The lists of ``due_lists`` (past their deadline) that no document of the batch concerns.

        ``clear((), state_with_these_as_due_lists, ...)`` settles them as ``clear(batch, ...)``
        would (nothing the batch does can reach them), so a driver may settle them first, in
        bounded groups, and hold less at once. The lists the batch concerns are left to
        ``clear(batch, ...)``, where a partner arriving in the batch still counts.
        """
        return [
            lst
            for lst in due_lists
            if lst.key not in self.lists
            and lst.invt_no not in self.invt_nos
            and lst.document.waybill_key not in self.waybills  # type: ignore[union-attr]
        ]


def _assess(
    work: Work, ready: list[tuple[int, StoredDoc, Partners]]
) -> dict[int, tuple[ListFacts, Assessment]]:
    """Risk assessment of the batch's complete lists, in one call (rules and model score)."""
    assert work.config.risk is not None
    facts: list[ListFacts] = []
    for _seq, lst, partners in ready:
        inv = lst.document
        order, payment = partners.order, partners.payment
        if not isinstance(inv, Inventory) or order is None or payment is None:
            continue
        assert isinstance(order.document, Order) and isinstance(payment.document, Payment)
        try:
            as_of = declaration_date(inv)
            limit = work.rulebook.at(as_of).single_transaction_limit
        except (LookupError, ValueError):
            continue  # refused in clear_list (no rules / no date)
        used = work.used(inv.head.buyer_id_number, as_of.year)
        at = partners.completed_at(lst)
        facts.append(list_facts(lst.doc_id, inv, order.document, payment.document, as_of, at, limit, used))
    if not facts:
        return {}
    assessments = work.config.risk.assess(facts, work.state.risk)
    return {f.doc_id: (f, a) for f, a in zip(facts, assessments, strict=True)}


def _lists_concerned(work: Work, doc: StoredDoc) -> list[StoredDoc]:
    """Lists whose clearing may change because ``doc`` arrived."""
    current = work.state.current
    if doc.kind is DocumentKind.INVENTORY:
        return [doc]
    if doc.kind in (DocumentKind.ORDER, DocumentKind.PAYMENT):
        lst = current.get((DocumentKind.INVENTORY, doc.key))
        return [lst] if lst else []
    if doc.kind is DocumentKind.WAYBILL:
        lst = work.state.lists_by_waybill.get(doc.key)
        return [lst] if lst else []
    return []
