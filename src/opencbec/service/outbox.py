"""Turning a batch's receipt entries and tax notes into receipt messages for the outbox.

Entries are grouped by receipt type and receiver (the enterprise that transmitted the
document) into messages of at most 100 entries, in the order the entries were produced
(:func:`plan_receipts`), then encoded (:func:`encode_plan`). ``cbec clear`` with decoding workers
has the encoding done by a process of its own (``service.receipt_encoder``): each planned message
travels there in its wire form (:func:`wire_plan`: its records' field values as JSON arrays) and
:func:`encode_wire` gives exactly the bytes :func:`encode_plan` gives (tested).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from opencbec.clearing.state import Effects
from opencbec.messages.encode import TaxNote as WireTaxNote
from opencbec.messages.encode import encode_message
from opencbec.messages.layout import LAYOUTS
from opencbec.messages.text import new_guid
from opencbec.store.record_arrays import array_text, record_form
from opencbec.store.repository import OutboxRow

MAX_ENTRIES = 100
TAX_NOTE = "CEB816Message"


@dataclass(slots=True)
class ReceiptPlan:
    """One receipt message to encode: its type, receiver, guid and entries (records, or tax notes)."""

    message_type: str
    receiver: str
    guid: str
    items: Sequence[Any]


def receipt_messages(effects: Effects) -> list[OutboxRow]:
    """Encode the receipts and tax notes of ``effects`` as outbox rows."""
    return [OutboxRow(p.message_type, p.receiver, p.guid, encode_plan(p)) for p in plan_receipts(effects)]


def plan_receipts(effects: Effects) -> list[ReceiptPlan]:
    """The receipt messages of ``effects``, each with a new guid, not yet encoded."""
    groups: dict[tuple[str, str], list[object]] = {}
    for receipt in effects.receipts:
        groups.setdefault((receipt.message_type, receipt.receiver), []).append(receipt.record)
    for note in effects.tax_notes:
        wire = WireTaxNote(head=note.head, lines=list(note.lines))
        groups.setdefault((TAX_NOTE, note.receiver), []).append(wire)
    plans: list[ReceiptPlan] = []
    for (message_type, receiver), records in groups.items():
        for chunk in _chunks(records, MAX_ENTRIES):
            plans.append(ReceiptPlan(message_type, receiver or "UNKNOWN", new_guid(), chunk))
    return plans


def encode_plan(plan: ReceiptPlan) -> bytes:
    """The receipt message ``plan`` describes."""
    return encode_message(plan.message_type, plan.items, guid=plan.guid)


def wire_plan(plan: ReceiptPlan) -> tuple[str, str, bytes]:
    """``plan`` for the trip to the encoding process: (message type, guid, its entries as JSON
    arrays of their records' field values, decimals as text; a tax note as [head, [lines]])."""
    layout = LAYOUTS[plan.message_type]
    get_head = record_form(layout.head.cls)[0]
    if layout.line is None:
        return plan.message_type, plan.guid, orjson.dumps(list(map(get_head, plan.items)), default=array_text)
    get_line = record_form(layout.line.cls)[0]
    notes = [(get_head(n.head), [get_line(x) for x in n.lines]) for n in plan.items]
    return plan.message_type, plan.guid, orjson.dumps(notes, default=array_text)


def encode_wire(message_type: str, guid: str, items: bytes) -> bytes:
    """The receipt message of a :func:`wire_plan` form: the bytes :func:`encode_plan` gives."""
    layout = LAYOUTS[message_type]
    make_head = record_form(layout.head.cls)[1]
    if layout.line is None:
        records: list[Any] = [make_head(x) for x in orjson.loads(items)]
    else:
        make_line = record_form(layout.line.cls)[1]
        records = [
            WireTaxNote(head=make_head(head), lines=[make_line(x) for x in lines])
            for head, lines in orjson.loads(items)
        ]
    return encode_message(message_type, records, guid=guid)


def _chunks(items: Sequence[object], size: int) -> Iterable[Sequence[object]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def file_name(row: OutboxRow) -> str:
    """The outbox file name of a receipt message: ordered, unique, self-describing."""
    receiver = "".join(ch if ch.isalnum() else "_" for ch in row.receiver)[:32]
    return f"{row.id or 0:010d}_{row.message_type}_{receiver}_{row.guid}.xml"


def write_files(rows: Sequence[OutboxRow], directory: Path) -> list[int]:
    """Write each receipt message as one XML file (atomically: temp file then rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[int] = []
    for row in rows:
        target = directory / file_name(row)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(row.xml)
        tmp.replace(target)
        if row.id is not None:
            written.append(row.id)
    return written
