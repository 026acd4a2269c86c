"""Batched, multi-process clearing gives the outcomes of clearing one document at a time.

The reference below is the simplest possible driver of the rules: it reads the messages in
order and clears every document alone, in its own clearing unit and transaction, with the
event-time clock advanced document by document. ``cbec clear`` instead decodes in a worker
process, clears batches of documents (the default size, and 700) and writes them in bulk. On
the same 2,000 parcels (plus refused messages) every document must end with the same status,
reason, list number, pre-entry number, dutiable value and taxes, every buyer's ledger must hold
the same sums and every receipt entry (status and reason per document) must be the same.

Only the times at which a waiting list is refused for missing partners may differ (the batch
driver notices the passed deadline at the end of its batch, the reference at the next
document), so refusal times are not compared.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from opencbec import bootstrap
from opencbec.clearing.state import Incoming
from opencbec.domain.documents import DecodedMessage, parse_app_time
from opencbec.messages.encode import encode_ceb900
from opencbec.messages.errors import MessageRejected
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service.batch_clear import EPOCH, input_files
from opencbec.service.core import clear_in_unit
from opencbec.service.decode_pool import read_and_decode
from opencbec.sim import simulate
from opencbec.store.codec import plain
from opencbec.store.repository import MessageRow, OutboxRow

PARCELS = 2000


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "sim"
    simulate(parcels=PARCELS, start=date(2024, 6, 16), days=3, seed=11, out=out)
    day = sorted((out / "messages").iterdir())[1]
    (day / "000000_broken.xml").write_bytes(b"<ceb:CEB311Message xmlns:ceb='x'><unclosed>")
    (day / "000001_unknown.xml").write_bytes(b"<other/>")
    return out


def clear_one_document_at_a_time(db: Path, traffic: Path) -> None:
    """The reference driver: one document per clearing unit, nothing batched, nothing in parallel."""
    app = bootstrap.build(str(db))
    store, rulebook, config = app.store, app.rulebook, app.config
    watermark = EPOCH
    for path in input_files([traffic]):
        item = read_and_decode(path, False, XmlLimits())
        result = item.result
        if isinstance(result, MessageRejected):
            row = MessageRow(
                0, result.guid, result.message_type, None, None, str(path), watermark, "rejected",
                f"[Code:{result.code}] {result.info}", 0, item.data,
            )  # fmt: skip
            xml = encode_ceb900(result.info, result.code, item.data, result.message_type, None)
            with store.clearing() as unit:
                clear_in_unit(unit, [], [row], [OutboxRow("CEB900Message", "UNKNOWN", "x", xml)], watermark,
                              rulebook, config)  # fmt: skip
            continue
        assert isinstance(result, DecodedMessage)
        env = result.envelope
        row = MessageRow(
            0, env.guid, env.message_type, env.sender, env.cop_msg_id, str(path), watermark, "accepted", "",
            len(result.documents), item.data,
        )  # fmt: skip
        with store.clearing() as unit:
            clear_in_unit(unit, [], [row], [], watermark, rulebook, config)
        for document in result.documents:
            watermark = max(watermark, parse_app_time(document.head.app_time) or watermark)
            with store.clearing() as unit:
                clear_in_unit(unit, [Incoming(document, env, row.id, watermark)], [], [], watermark,
                              rulebook, config)  # fmt: skip


def clear_in_batches(db: Path, traffic: Path, workers: int, batch_documents: int | None = None) -> None:
    app = bootstrap.build(str(db))
    size = {"batch_documents": batch_documents} if batch_documents else {}
    bootstrap.batch_clearer(app, None, verify_signatures=False, workers=workers, **size).run([traffic])


_ENTRY = re.compile(
    rb"<ceb:(?:guid)>([^<]*)</ceb:guid>.*?<ceb:returnStatus>([^<]*)</ceb:returnStatus>"
    rb".*?<ceb:returnInfo>([^<]*)</ceb:returnInfo>",
    re.S,
)


def outcome(db: Path) -> dict[str, Any]:
    """Everything the rules decided, without database ids, batch grouping or refusal times."""
    with sqlite3.connect(db) as con:
        documents = sorted(
            con.execute(
                "SELECT kind, key, guid, status, info, is_current, pre_no, invt_no, dutiable_value,"
                " line_values, decided_at FROM document"
            ),
            key=repr,
        )
        events = Counter(
            (kind, guid, status, info)
            for kind, guid, status, info in con.execute(
                "SELECT d.kind, d.guid, e.status, e.info"
                " FROM status_event e JOIN document d ON d.id = e.document_id"
            )
        )
        ledger = sorted(con.execute("SELECT buyer_id, year, sum(amount_fen) FROM ledger_entry GROUP BY 1, 2"))
        taxes = sorted(con.execute("SELECT tax_no, invt_no, status, head, lines FROM tax_note"))
        receipts: Counter[tuple[str, bytes, bytes, bytes]] = Counter()
        for message_type, stored, codec in con.execute("SELECT message_type, xml, xml_codec FROM outbox"):
            xml = plain(stored, codec)
            if message_type == "CEB900Message":
                receipts[(message_type, b"", b"", b"")] += 1
                continue
            for guid, status, info in _ENTRY.findall(xml):
                receipts[(message_type, guid, status, info)] += 1
        messages = sorted(con.execute("SELECT guid, message_type, outcome, documents FROM message"), key=repr)
    return {
        "documents": documents,
        "events": events,
        "ledger": ledger,
        "taxes": taxes,
        "receipts": receipts,
        "messages": messages,
    }


def test_batched_parallel_clearing_equals_one_document_at_a_time(traffic: Path, tmp_path: Path) -> None:
    clear_one_document_at_a_time(tmp_path / "reference.db", traffic)
    clear_in_batches(tmp_path / "one.db", traffic, workers=1, batch_documents=700)
    clear_in_batches(tmp_path / "two.db", traffic, workers=2)
    reference = outcome(tmp_path / "reference.db")
    one, two = outcome(tmp_path / "one.db"), outcome(tmp_path / "two.db")

    statuses = Counter((row[0], row[3]) for row in reference["documents"] if row[5])
    assert statuses[("inventory", "800")] > PARCELS * 0.8, statuses
    assert statuses[("inventory", "100")] > 0 and statuses[("inventory", "500")] > 0, statuses
    assert sum(reference["receipts"].values()) > 4 * PARCELS
    assert reference["taxes"] and reference["ledger"]
    for name in reference:
        assert one[name] == reference[name], name
        assert two[name] == reference[name], name
