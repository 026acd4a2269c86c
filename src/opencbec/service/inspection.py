"""Recording an officer's inspection result: one clearing transaction with its receipts and audit entry.

Runs inside ``store.clearing()`` (so it is serialised with clearing batches): loads the list by its
``invtNo`` and its buyer's ledger, lets the pure core decide (``opencbec.clearing.inspection``),
applies the effects with the receipt messages (CEB622, and CEB816 on release) to the outbox, and
appends the audit entry on the same connection: the result, its receipts and its audit entry are
committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, or_, select
from sqlalchemy import inspect as db_inspect
from sqlalchemy.engine import Connection

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.inspection import InspectionResult, Outcome, inspect
from opencbec.clearing.list_clearing import declaration_date
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.state import StateView, StoredDoc
from opencbec.domain.documents import DocumentKind, Inventory
from opencbec.domain.money import from_fen
from opencbec.service.outbox import receipt_messages
from opencbec.store import schema as t
from opencbec.store.api_repo import index_receipts
from opencbec.store.audit_repo import AuditEntry, AuditLog
from opencbec.store.numbers import EBP, IMPORT_KINDS, LOGISTICS, key_starts, keys_for
from opencbec.store.record_arrays import document_payload
from opencbec.store.rows import stored_doc
from opencbec.store.sql import SqlStore

#: Customs times (appTime, returnTime, status history) are Beijing time, stored without a zone.
CUSTOMS_TZ = ZoneInfo("Asia/Shanghai")
#: Returns the current time as an aware datetime (injectable for tests).
Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording a result did."""

    invt_no: str
    previous_status: str
    status: str
    info: str
    receipts: int
    tax_notes: int
    ledger_reversed: Decimal
    audit_id: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "invtNo": self.invt_no,
            "previousStatus": self.previous_status,
            "status": self.status,
            "returnInfo": self.info,
            "receiptMessages": self.receipts,
            "taxNotes": self.tax_notes,
            "ledgerReversed": str(self.ledger_reversed),
            "auditId": self.audit_id,
        }


class InspectionService:
    """Applies officers' inspection results to the store."""

    def __init__(
        self,
        store: SqlStore,
        rulebook: RulebookLike,
        config: ClearingConfig,
        audit: AuditLog,
        clock: Clock = utc_clock,
    ) -> None:
        self.store = store
        self.rulebook = rulebook
        self.config = config
        self.audit = audit
        self.clock = clock

    def record(self, invt_no: str, outcome: Outcome, officer: str, role: str, note: str = "") -> Recorded:
        """Record ``outcome`` on list ``invt_no``; raises ``InspectionRefusedError`` (nothing written)."""
        now = self.clock()
        at = now.astimezone(CUSTOMS_TZ).replace(tzinfo=None)
        result = InspectionResult(outcome, officer, role, at, note)
        with self.store.clearing() as unit:
            state = load_list_state(unit.conn, invt_no)
            previous = state.lists_by_invt_no[invt_no].status if invt_no in state.lists_by_invt_no else ""
            effects = inspect(state, self.rulebook, self.config, invt_no, result)
            outbox = receipt_messages(effects)
            unit.apply(effects, outbox, effects.counters, None)
            if db_inspect(unit.conn).has_table("api_state"):
                index_receipts(unit.conn)  # the enterprise receipt feed (``cbec serve``)
            lst = state.lists_by_invt_no[invt_no]
            reversed_amount = -sum((e.amount for e in effects.ledger), Decimal(0))
            entry = AuditEntry(
                officer=officer,
                role=role,
                action="inspection.record",
                target=invt_no,
                details={
                    "outcome": outcome.name.lower(),
                    "from": previous,
                    "to": lst.status,
                    "note": note,
                    "orderNo": lst.key,
                    "ledgerReversed": str(reversed_amount),
                    "receipts": [o.guid for o in outbox],
                },
                at=now.astimezone(UTC).replace(tzinfo=None),
            )
            audit_id = self.audit.append(entry, unit.conn)
        return Recorded(
            invt_no,
            previous,
            lst.status,
            lst.info,
            len(outbox),
            len(effects.tax_notes),
            reversed_amount,
            audit_id,
        )


def load_list_state(conn: Connection, invt_no: str) -> StateView:
    """The state the core needs to record a result on ``invt_no``: the list and its buyer's ledger."""
    state = StateView()
    c = t.document.c
    row = conn.execute(
        select(t.document).where(
            c.invt_no == invt_no, c.kind == DocumentKind.INVENTORY.value, c.is_current.is_(True)
        )
    ).first()
    if row is None:
        return state
    lst: StoredDoc = stored_doc(row)
    state.current[(lst.kind, lst.key)] = lst
    state.lists_by_invt_no[invt_no] = lst
    inventory = lst.document
    assert isinstance(inventory, Inventory)
    buyer = inventory.head.buyer_id_number
    try:
        year = declaration_date(inventory).year
    except ValueError:
        return state
    le, qe = t.ledger_entry.c, t.quantity_entry.c
    fen = conn.execute(
        select(func.coalesce(func.sum(le.amount_fen), 0)).where(le.buyer_id == buyer, le.year == year)
    ).scalar_one()
    state.ledger_used[(buyer, year)] = from_fen(fen)
    for line, qty in conn.execute(
        select(qe.tariff_line, qe.qty).where(qe.buyer_id == buyer, qe.year == year)
    ):
        key = (buyer, year, line)
        state.quantity_used[key] = state.quantity_used.get(key, Decimal(0)) + Decimal(qty)
    # Lists under inspection or manual review have no tax note yet: none to load.
    return state


def inspection_queue(
    engine: Engine, status: str = "500", *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Lists waiting in ``status`` (500 or 300), oldest decision first, without personal data."""
    c = t.document.c
    stmt = (
        select(c.id, c.key, c.invt_no, c.sender, c.status, c.info, c.decided_at, c.dutiable_value, c.data)
        .where(t.kind_is(DocumentKind.INVENTORY.value), c.is_current.is_(True), c.status == status)
        .order_by(c.decided_at, c.id)
        .limit(limit)
        .offset(offset)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out = []
    for r in rows:
        data = document_payload(DocumentKind.INVENTORY, r.data)
        head = data["head"]
        out.append(
            {
                "invtNo": r.invt_no,
                "key": r.key,
                "orderNo": head.get("order_no"),
                "ebpCode": head.get("ebp_code"),
                "tradeMode": head.get("trade_mode"),
                "sender": r.sender,
                "status": r.status,
                "reason": r.info,
                "since": r.decided_at.isoformat() if r.decided_at else None,
                "dutiableValue": r.dutiable_value,
                "goods": [
                    {
                        "gnum": ln.get("gnum"),
                        "gcode": ln.get("gcode"),
                        "gname": ln.get("gname"),
                        "qty": ln.get("qty"),
                    }
                    for ln in data.get("lines", [])
                ],
            }
        )
    return out


def parcel_rows(engine: Engine, number: str) -> tuple[dict[str, Any], Sequence[Any]]:
    """A parcel's current document rows by kind (found by invtNo, orderNo or logisticsNo), and the
    rows of its cancels and returns."""
    c = t.document.c
    lists = DocumentKind.INVENTORY.value
    with engine.connect() as conn:
        platforms, carriers = keys_for(conn, number, EBP), keys_for(conn, number, LOGISTICS)
        # each term served by an index of its own; only lists carry a list number or a waybill link
        # (a kind outside the terms would lead SQLite to read every list by the kind instead)
        candidates = conn.execute(
            select(t.document)
            .where(
                or_(
                    c.invt_no == number,
                    (c.kind == lists) & c.key.in_(platforms),
                    c.link_key.in_(carriers),
                ),
                c.is_current.is_(True),
            )
            .order_by(c.id.desc())
        ).all()
        lst = next((r for r in candidates if r.kind == lists), None)
        if lst is not None:
            keys = [("order", lst.key), ("payment", lst.key), ("waybill", lst.link_key)]
        else:
            found = select(c.kind, c.key).where(
                c.kind.in_(IMPORT_KINDS),
                c.key.in_([*platforms, *carriers]),
                c.is_current.is_(True),
            )
            keys = [(r.kind, r.key) for r in conn.execute(found)]
        docs: dict[str, Any] = {"inventory": lst} if lst is not None else {}
        for kind, key in keys:
            row = conn.execute(
                select(t.document).where(c.kind == kind, c.key == key, c.is_current.is_(True))
            ).first()
            if row is not None:
                docs[row.kind] = row
        after: Sequence[Any] = []
        if lst is not None and lst.invt_no:
            after = conn.execute(
                select(t.document)
                .where(
                    or_(
                        (c.kind == DocumentKind.CANCEL.value) & (c.key == lst.invt_no),
                        (c.kind == DocumentKind.REFUND.value)
                        & key_starts(c.key, f"{lst.invt_no}/", engine.dialect.name),
                    )
                )
                .order_by(c.id)
            ).all()
    return docs, after
