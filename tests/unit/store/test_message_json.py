"""A decoded message as JSON (kept with a queued submission): it reads back equal, or is not written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from opencbec.domain.documents import MESSAGE_TYPE, DecodedMessage
from opencbec.messages.decode import decode_message
from opencbec.messages.dxp import encode_dxp
from opencbec.store.message_json import message_from_json, message_to_json
from opencbec.store.record_arrays import LAYOUT, document_array, document_data
from opencbec.store.serialize import document_to_json, dumps, forget_json, loads, remembered_json
from tests.e2e.api.messages import message
from tests.parcels import make_parcel

SAMPLES = Path(__file__).parents[2] / "data" / "ceb-samples"


def _samples(kind: str) -> list[Path]:
    return sorted((SAMPLES / kind).rglob("*.xml"))


def test_every_import_sample_reads_back_equal() -> None:
    requests = [p for p in _samples("import") if p.stem[3:6] in {"311", "411", "511", "621", "623", "625"}]
    assert len(requests) >= 4
    for path in requests:
        decoded = decode_message(path.read_bytes())
        text = message_to_json(decoded)
        assert text is not None, path.name
        assert message_from_json(text) == decoded, path.name


def test_a_parcel_in_a_dxp_envelope_reads_back_equal_with_its_envelope() -> None:
    for doc in make_parcel().documents():
        bare = message(doc)
        wrapped = encode_dxp(bare, MESSAGE_TYPE[doc.kind], "DXPENT0000000001", "DXPEDCCEB0000002", "cop-1")
        for raw, cop_msg_id in ((bare, None), (wrapped, "cop-1")):
            decoded = decode_message(raw)
            assert decoded.envelope.cop_msg_id == cop_msg_id
            back = message_from_json(message_to_json(decoded) or "")
            assert back == decoded
            assert back.envelope == decoded.envelope


def test_export_messages_and_unexpected_values_are_not_written() -> None:
    exports = [p for p in _samples("export") if p.stem[3:6] in {"303", "403", "505", "603", "213"}]
    assert len(exports) == 5
    for path in exports:
        assert message_to_json(decode_message(path.read_bytes(), accept_export=True)) is None, path.name
    decoded = decode_message(message(make_parcel().order))
    order = decoded.documents[0]
    odd_value = replace(order, head=replace(order.head, freight=3))  # type: ignore[arg-type]
    assert message_to_json(DecodedMessage(decoded.envelope, [odd_value])) is None
    odd_envelope = replace(decoded.envelope, cop_msg_id=7)  # type: ignore[arg-type]
    assert message_to_json(DecodedMessage(odd_envelope, decoded.documents)) is None


@pytest.mark.parametrize("for_storage", [True, False])
def test_for_storage_the_documents_text_is_not_computed_again(for_storage: bool) -> None:
    decoded = decode_message(message(make_parcel().inventory))
    text = message_to_json(decoded)
    assert text is not None
    back = message_from_json(text, for_storage=for_storage)
    try:
        carried = document_array(decoded.documents[0])
        assert carried.startswith(f'["{LAYOUT}",')
        remembered = remembered_json(back.documents[0])
        assert remembered == (carried if for_storage else None)
        assert remembered_json(back.documents[0]) is None  # handed out once
        assert document_data(back.documents[0]) == carried  # computed again: the same text
    finally:
        forget_json()


def test_a_submission_queued_with_the_named_form_still_reads_back() -> None:
    decoded = decode_message(message(make_parcel().order))
    payload = loads(message_to_json(decoded) or "")
    payload["documents"] = [
        [kind, document_to_json(decoded.documents[0])] for kind, _text in payload["documents"]
    ]
    assert payload["documents"][0][1].startswith("{")
    assert message_from_json(dumps(payload)) == decoded
