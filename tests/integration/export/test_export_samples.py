"""Every official export sample is read; the quirks are handled as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencbec.export.documents import ExportDecoded
from opencbec.messages.decode import decode_message
from opencbec.messages.errors import MessageRejected
from opencbec.messages.export_decode import DUPLICATE_BASE_TRANSFER, read_export_receipt
from opencbec.messages.export_encode import SummaryResult, encode_export
from opencbec.messages.export_layout import EXPORT_RECEIPTS, EXPORT_REQUESTS

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "ceb-samples" / "export"
DUPLICATED = {f"CEB{n}Message" for n in (303, 403, 505, 507, 509, 603, 605, 607)}


@pytest.mark.parametrize("name", sorted(EXPORT_REQUESTS))
def test_every_request_sample_decodes_and_reencodes_valid(name: str) -> None:
    data = (SAMPLES / f"{name}.xml").read_bytes()
    decoded = decode_message(data, accept_export=True)
    assert isinstance(decoded, ExportDecoded)
    assert decoded.documents == [] and len(decoded.export_documents) == 10
    assert decoded.quirks == ([DUPLICATE_BASE_TRANSFER] if name in DUPLICATED else [])
    assert decoded.envelope.sender == "1105910159" and decoded.envelope.signed
    encode_export(name, decoded.export_documents, decoded.envelope.base_transfer, validate=True)


def test_export_requests_are_refused_unless_asked_for() -> None:
    with pytest.raises(MessageRejected) as exc:
        decode_message((SAMPLES / "CEB603Message.xml").read_bytes())
    assert exc.value.code == "0999"


def test_two_different_base_transfers_are_refused() -> None:
    data = (SAMPLES / "CEB603Message.xml").read_bytes()
    changed = data.replace(
        b"<ceb:note>test</ceb:note>\n\t</ceb:BaseTransfer>\n\t<ceb:BaseTransfer>",
        b"</ceb:BaseTransfer>\n\t<ceb:BaseTransfer>",
        1,
    )
    assert changed != data
    with pytest.raises(MessageRejected) as exc:
        decode_message(changed, accept_export=True)
    assert exc.value.code == "0002" and "different ceb:BaseTransfer" in exc.value.info


@pytest.mark.parametrize("name", sorted(EXPORT_RECEIPTS))
def test_every_receipt_sample_is_read(name: str) -> None:
    message = read_export_receipt((SAMPLES / f"{name}.xml").read_bytes())
    assert message.message_type == name and len(message.entries) == 10
    if name == "CEB214Message":
        assert message.quirks == [
            "root ceb:CEB214 read as ceb:CEB214Message",
            "unknown element appSenderId skipped",
        ]
    elif name == "CEB792Message":
        head, lines = message.entries[0]
        assert head.sum_no == "S20180507000000001" and [(ln.gnum, ln.gseqno) for ln in lines] == [
            (1, 0),
            (2, 0),
        ]
    else:
        assert message.quirks == []
    if name != "CEB792Message":  # what we write from what we read is XSD-valid
        encode_export(name, message.entries, validate=True)
    else:
        fixed = [
            SummaryResult(h, [type(ln)(**{**_asdict(ln), "gseqno": 1}) for ln in ls])
            for h, ls in message.entries
        ]
        encode_export(name, fixed, validate=True)


def _asdict(rec: object) -> dict[str, object]:
    return {f: getattr(rec, f) for f in rec.__slots__}  # type: ignore[attr-defined]
