"""Turning a batch's receipt entries and tax notes into receipt messages for the outbox.

Entries are grouped by receipt type and receiver (the enterprise that transmitted the
document) into messages of at most 100 entries, in the order the entries were produced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from opencbec.clearing.state import Effects
from opencbec.messages.encode import TaxNote as WireTaxNote
from opencbec.messages.encode import encode_message
from opencbec.messages.text import new_guid
from opencbec.store.repository import OutboxRow

MAX_ENTRIES = 100
TAX_NOTE = "CEB816Message"


def receipt_messages(effects: Effects) -> list[OutboxRow]:
    """Encode the receipts and tax notes of ``effects`` as outbox rows."""
    groups: dict[tuple[str, str], list[object]] = {}
    for receipt in effects.receipts:
        groups.setdefault((receipt.message_type, receipt.receiver), []).append(receipt.record)
    for note in effects.tax_notes:
        wire = WireTaxNote(head=note.head, lines=list(note.lines))
        groups.setdefault((TAX_NOTE, note.receiver), []).append(wire)
    rows: list[OutboxRow] = []
    for (message_type, receiver), records in groups.items():
        for chunk in _chunks(records, MAX_ENTRIES):
            guid = new_guid()
            xml = encode_message(message_type, chunk, guid=guid)
            rows.append(OutboxRow(message_type, receiver or "UNKNOWN", guid, xml))
    return rows


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
