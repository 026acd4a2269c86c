"""The decoding workers behind ``cbec clear --workers N``: answers in order, their spool directory
removed however decoding ends, and a worker's death or failure stops the run with a clear error."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from opencbec.domain.ceb_records import BaseTransfer
from opencbec.domain.documents import MESSAGE_TYPE, DecodedMessage
from opencbec.messages.encode import encode_message
from opencbec.messages.errors import MessageRejected
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service import decode_pool
from opencbec.service.decode_pool import SPOOL_ENV, decoded_files, rebuild_documents
from opencbec.service.decode_workers import DecodingWorkerError, DecodingWorkers, decode_chunk
from opencbec.service.decoded import read_and_decode
from opencbec.store import record_arrays
from opencbec.store.codec import ZSTD
from opencbec.store.record_arrays import LAYOUT
from tests.parcels import make_parcel

SENDER = BaseTransfer(cop_code="330766K00Q", cop_name="某报关行", dxp_mode="DXP", dxp_id="DXPENT0000000001")


def _messages(directory: Path, parcels: int) -> list[Path]:
    """A parcel's four documents, one message file each, plus one file that is not XML."""
    directory.mkdir()
    paths = []
    for i in range(parcels):
        for j, doc in enumerate(make_parcel().documents()):
            path = directory / f"{i:03d}_{j}.xml"
            path.write_bytes(
                encode_message(MESSAGE_TYPE[doc.kind], [doc], SENDER, placeholder_signature=True)
            )
            paths.append(path)
    bad = directory / "999_bad.xml"
    bad.write_bytes(b"not xml")
    paths.append(bad)
    return paths


def _spools(root: Path) -> list[Path]:
    return sorted(root.glob("opencbec-decode-*"))


def _decode(pool: DecodingWorkers, paths: list[Path]) -> list[decode_pool.Decoded]:
    pool.submit(paths)
    return pool.take()


def _summary(items: list[decode_pool.Decoded]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        result = item.result
        if isinstance(result, DecodedMessage):
            out.append((item.path.name, ",".join(d.head.guid for d in result.documents)))
        else:
            out.append((item.path.name, f"refused {result.code}"))
    return out


@pytest.mark.parametrize("workers", [2, 3])
def test_answers_come_in_input_order_like_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    paths = _messages(tmp_path / "in", 12)
    monkeypatch.setattr(decode_pool, "CHUNK_FILES", 3)  # many chunks, spread over the workers
    monkeypatch.setattr(decode_pool, "AHEAD_PER_WORKER", 2)
    spool_root = tmp_path / "spool"
    spool_root.mkdir()
    one = list(decoded_files(paths, require_signature=False, limits=XmlLimits()))
    many = list(
        decoded_files(
            paths, require_signature=False, limits=XmlLimits(), workers=workers, spool_root=str(spool_root)
        )
    )
    assert _summary(many) == _summary(one)
    # documents rebuilt from their storage JSON equal those decoded here, field for field
    assert [m.result for m in many[:-1]] == [o.result for o in one[:-1]]
    assert all(item.kinds is None for item in many)
    assert [item.path for item in many] == paths
    assert isinstance(many[-1].result, MessageRejected)
    assert all(item.stored_json is not None for item in many[:-1])  # the workers' extra work came back
    assert [item.raw() for item in many] == [p.read_bytes() for p in paths]
    assert {item.codec for item in many} == {item.codec for item in one} == {ZSTD}  # stored alike
    assert _spools(spool_root) == []  # the spool directory is gone


def test_the_spool_root_setting_is_used_and_cleaned_when_the_reader_stops_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _messages(tmp_path / "in", 6)
    spool_root = tmp_path / "spool"
    spool_root.mkdir()
    monkeypatch.setenv(SPOOL_ENV, str(spool_root))
    monkeypatch.setattr(decode_pool, "CHUNK_FILES", 2)
    files = decoded_files(paths, require_signature=False, limits=XmlLimits(), workers=2)
    first = next(files)
    assert first.path == paths[0]
    assert len(_spools(spool_root)) == 1  # decoding ahead, in the directory set
    files.close()
    assert _spools(spool_root) == []


def test_an_unexpected_error_in_a_worker_is_raised_with_the_workers_traceback(tmp_path: Path) -> None:
    paths = _messages(tmp_path / "in", 1)
    gone = tmp_path / "in" / "gone.xml"  # listed, then removed before it is read
    with DecodingWorkers(1, require_signature=False, limits=XmlLimits(), spool_root=str(tmp_path)) as pool:
        pool.submit(paths[:2])
        pool.submit([gone])
        assert [item.path for item in pool.take()] == paths[:2]
        with pytest.raises(FileNotFoundError) as caught:
            pool.take()
    cause = caught.value.__cause__
    assert isinstance(cause, DecodingWorkerError)
    assert "opencbec-decoder-0 failed on chunk 1" in str(cause)
    assert "read_and_decode" in str(cause)  # the worker's traceback
    assert _spools(tmp_path) == []


def test_a_worker_that_dies_stops_the_run_naming_it(tmp_path: Path) -> None:
    paths = _messages(tmp_path / "in", 1)
    with DecodingWorkers(1, require_signature=False, limits=XmlLimits(), spool_root=str(tmp_path)) as pool:
        pool.submit(paths[:1])
        assert len(pool.take()) == 1
        pid = pool.workers[0].process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        pool.workers[0].process.join(10)
        dead = rf"opencbec-decoder-0 \(pid {pid}\) ended with exit code -9"
        with pytest.raises(DecodingWorkerError, match=dead):
            _decode(pool, paths[1:2])
    assert _spools(tmp_path) == []


def test_a_worker_whose_answer_pipe_is_closed_removes_the_spool_and_ends(tmp_path: Path) -> None:
    """The clearing process killed while a worker decodes: its answer cannot be sent (broken pipe),
    so the worker removes the spool directory, answer and all, and ends (the old worker died of the
    ``BrokenPipeError`` and left the directory behind)."""
    paths = _messages(tmp_path / "in", 1)
    with DecodingWorkers(1, require_signature=False, limits=XmlLimits(), spool_root=str(tmp_path)) as pool:
        pool.workers[0].answers.close()  # the reading end, as a killed clearing process leaves it
        pool.submit(paths[:2])
        pool.workers[0].process.join(30)
        assert pool.workers[0].process.exitcode == 1
        assert not pool.spool.exists()


def test_taking_more_than_was_submitted_is_an_error(tmp_path: Path) -> None:
    with (
        DecodingWorkers(1, require_signature=False, limits=XmlLimits(), spool_root=str(tmp_path)) as pool,
        pytest.raises(IndexError, match="no chunk submitted"),
    ):
        pool.take()
    with pytest.raises(ValueError, match="at least 1"):
        DecodingWorkers(0, require_signature=False, limits=XmlLimits())


def test_the_spool_goes_to_the_setting_else_to_shared_memory_with_room_else_the_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert decode_pool.spool_root_for({SPOOL_ENV: f" {tmp_path} "}) == str(tmp_path)
    monkeypatch.setattr(decode_pool, "SHARED_MEMORY", str(tmp_path))
    assert decode_pool.spool_root_for({}) == str(tmp_path)
    monkeypatch.setattr(decode_pool, "SHARED_MEMORY_FREE", 1 << 62)  # more room than any disk has
    assert decode_pool.spool_root_for({}) is None
    monkeypatch.setattr(decode_pool, "SHARED_MEMORY", str(tmp_path / "none"))
    assert decode_pool.spool_root_for({SPOOL_ENV: ""}) is None


def test_documents_travel_as_their_array_form_only_when_they_read_back_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _messages(tmp_path / "in", 2)[:-1]
    local = [read_and_decode(p, False, XmlLimits()) for p in paths]
    sent = decode_chunk(paths, False, XmlLimits())
    for item, here in zip(sent, local, strict=True):
        assert isinstance(item.result, DecodedMessage) and isinstance(here.result, DecodedMessage)
        assert item.result.documents == []
        assert item.kinds == tuple(d.kind.value for d in here.result.documents)
        assert item.stored_json is not None and len(item.stored_json) == len(item.kinds)
        assert all(text.startswith(f'["{LAYOUT}",') for text in item.stored_json)
        rebuild_documents(item)
        assert item.kinds is None
        assert item.result == here.result
        with pytest.raises(ValueError, match="no documents to rebuild"):
            rebuild_documents(item)
    # a document that would not read back equal travels whole, its stored text in the named form
    monkeypatch.setattr(record_arrays, "exact_document", lambda doc: False)
    whole = decode_chunk(paths[:1], False, XmlLimits())[0]
    assert whole.kinds is None
    assert whole.stored_json is not None and all(text.startswith("{") for text in whole.stored_json)
    assert whole.result == local[0].result
