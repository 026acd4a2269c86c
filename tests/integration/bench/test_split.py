"""The online benchmark's load: one-document messages equivalent to the simulator's messages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from opencbec.bench.split import single_document_parts, split_message
from opencbec.messages.decode import decode_message
from opencbec.service.batch_clear import input_files
from opencbec.sim import simulate


def test_split_messages_are_valid_and_carry_the_same_documents_in_the_same_order(tmp_path: Path) -> None:
    simulate(parcels=60, start=date(2024, 6, 16), days=1, seed=3, out=tmp_path / "t")
    files = list(input_files([tmp_path / "t"]))
    split_any = False
    for path in files:
        original = decode_message(path.read_bytes())  # validated against the XSD, as the API does
        parts = [decode_message(x) for x in split_message(path.read_bytes())]
        split_any |= len(parts) > 1
        assert all(len(p.documents) == 1 for p in parts)
        assert [p.documents[0] for p in parts] == list(original.documents)
        for part in parts:
            env = part.envelope
            assert env.message_type == original.envelope.message_type
            assert env.base_transfer == original.envelope.base_transfer
        if len(parts) > 1:  # every part has a guid of its own
            assert len({p.envelope.guid for p in parts} | {original.envelope.guid}) == len(parts) + 1
    assert split_any, "the simulated traffic should hold messages of several documents"
    parts_meta = list(single_document_parts(files))
    assert len(parts_meta) == sum(len(decode_message(f.read_bytes()).documents) for f in files)
    assert [p.document_guid for p in parts_meta] == [
        d.head.guid for f in files for d in decode_message(f.read_bytes()).documents
    ]
    assert all(p.sender == decode_message(p.xml).envelope.sender for p in parts_meta)
