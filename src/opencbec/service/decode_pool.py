"""Reading and decoding message files, in this process or ahead of it in a process pool.

:func:`read_and_decode` is the one place a file becomes a :class:`Decoded` result (bytes
read, size, then the decoded message or the ``MessageRejected`` refusal), so the batch driver
gives identical results whether it decodes in-process (:func:`decoded_files` with
``workers <= 1``) or in worker processes. With ``workers > 1`` chunks of files are decoded in a
pool of ``workers - 1`` processes (which also serialise the documents for storage) while the
caller clears the previous ones; results always come back in the input order and
at most a bounded number of chunks are decoded ahead, so memory stays flat on large inputs.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from opencbec.clearing.checks import Failure, own_checks
from opencbec.domain.documents import DecodedMessage
from opencbec.gc_tuning import tune_garbage_collector
from opencbec.messages.decode import decode_message
from opencbec.messages.errors import FORMAT_ERROR, MessageRejected
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service import record_pickle
from opencbec.store.serialize import document_to_json, remember_json

# decoded documents travel from the workers in their compact pickled form: importing record_pickle
# registers it in both processes; this call (a no-op then) states the dependency
record_pickle.register()

#: Checks a decoded message's signature; raises ``MessageRejected`` (1001/1002/1004/1999) if bad.
Verifier = Callable[[bytes, DecodedMessage], None]
#: The verifier of a worker process (set once by its initializer).
_WORKER_VERIFIER: Verifier | None = None

#: How often a worker checks that the clearing process is still there.
ORPHAN_CHECK_SECONDS = 1.0
#: Files per task sent to a worker (amortises the inter-process round trip) ...
CHUNK_FILES = 16
#: ... and at most about this many bytes of them (a task's decoded messages are held whole in the
#: worker and then in its answer, so a task's memory does not depend on how large the messages are).
CHUNK_BYTES = 256 * 1024
#: Chunks in flight per worker (how far decoding may run ahead of clearing): more than a clearing
#: batch's worth of files, so that the workers keep decoding while a batch is written ...
AHEAD_PER_WORKER = 32
#: ... and at most this many bytes of message files (decoded messages take some ten times their
#: size in memory, so memory does not depend on how large the messages are).
AHEAD_BYTES = 12 * 1024 * 1024


@dataclass(slots=True)
class Decoded:
    """One input file: its bytes, its size on disk, and the message or why it was refused."""

    path: Path
    size: int
    data: bytes
    result: DecodedMessage | MessageRejected
    #: The storage JSON of each of ``result.documents``, when computed ahead in a worker.
    stored_json: tuple[str, ...] | None = None
    #: The own checks (``checks.own_checks``) of each of ``result.documents``, when run ahead in a worker.
    checked: tuple[Failure | None, ...] | None = None


def read_and_decode(
    path: Path, require_signature: bool, limits: XmlLimits, verifier: Verifier | None = None
) -> Decoded:
    """Read ``path`` (at most ``limits.max_bytes`` of it), decode it and check its signature with
    ``verifier``; never raises ``MessageRejected`` (a refusal is the result)."""
    size = path.stat().st_size
    data = _read_at_most(path, limits.max_bytes)
    result: DecodedMessage | MessageRejected
    try:
        if size > limits.max_bytes:
            raise MessageRejected(
                FORMAT_ERROR,
                f"{path.name}: {size} bytes exceeds the limit of {limits.max_bytes} bytes "
                "per message (only the first bytes are kept)",
            )
        result = decode_message(data, require_signature=require_signature, limits=limits, accept_export=True)
        if verifier is not None:
            verifier(data, result)
    except MessageRejected as exc:
        result = exc
    return Decoded(path, size, data, result)


def _decode_chunk(paths: list[Path], require_signature: bool, limits: XmlLimits) -> list[Decoded]:
    """Runs in a worker: decode the files, serialise their documents for storage and run their
    own checks too (work taken off the clearing process)."""
    out = [read_and_decode(p, require_signature, limits, _WORKER_VERIFIER) for p in paths]
    for item in out:
        if isinstance(item.result, DecodedMessage):
            item.stored_json = tuple(document_to_json(d) for d in item.result.documents)
            item.checked = tuple(own_checks(d) for d in item.result.documents)
    return out


def _warm_up(verifier: Verifier | None, clearing_pid: int) -> None:
    """Load the schemas once per worker, before the first task, and keep its verifier.

    A worker also ends itself when the clearing process is gone (killed: nobody would take its
    results), instead of decoding on as an orphan.
    """
    from opencbec.messages.schema import import_schema

    global _WORKER_VERIFIER
    _WORKER_VERIFIER = verifier
    tune_garbage_collector()
    threading.Thread(
        target=_exit_with, args=(clearing_pid,), name="opencbec-orphan-watch", daemon=True
    ).start()
    import_schema(False)
    import_schema(True)


def _exit_with(pid: int) -> None:
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):  # gone (or the pid now is another user's)
            os._exit(1)


def decoded_files(
    paths: Iterable[Path],
    *,
    require_signature: bool,
    limits: XmlLimits,
    workers: int = 1,
    verifier: Verifier | None = None,
) -> Generator[Decoded, None, None]:
    """Every file of ``paths`` read, decoded and its signature checked by ``verifier``, in order.

    ``workers`` counts the processes at work, the caller's included: with ``workers > 1`` the
    files are decoded (and signatures verified) ahead in ``workers - 1`` pool processes while the
    caller clears; they get ``verifier.portable()`` when it has one (a picklable form).
    """
    if workers <= 1:
        for path in paths:
            yield read_and_decode(path, require_signature, limits, verifier)
        return
    portable = getattr(verifier, "portable", None)
    worker_verifier = portable() if portable is not None else verifier
    context = multiprocessing.get_context("forkserver")
    decoders = workers - 1
    with ProcessPoolExecutor(
        max_workers=decoders,
        mp_context=context,
        initializer=_warm_up,
        initargs=(worker_verifier, os.getpid()),
    ) as pool:
        pending: deque[tuple[Future[list[Decoded]], int]] = deque()
        chunks = _chunks(paths, CHUNK_FILES, CHUNK_BYTES)
        limit = decoders * AHEAD_PER_WORKER
        in_flight = 0  # bytes of the files submitted and not yet handed on
        try:
            for chunk, size in chunks:
                pending.append((pool.submit(_decode_chunk, chunk, require_signature, limits), size))
                in_flight += size
                while pending and (len(pending) >= limit or in_flight > AHEAD_BYTES):
                    future, done = pending.popleft()
                    in_flight -= done
                    yield from _prepared(future.result())
            while pending:
                yield from _prepared(pending.popleft()[0].result())
        finally:
            for future, _size_of in pending:
                future.cancel()


def _prepared(items: list[Decoded]) -> Iterator[Decoded]:
    """Hand the workers' storage JSON to the store's serialiser (used when the documents are stored)."""
    for item in items:
        if item.stored_json is not None and isinstance(item.result, DecodedMessage):
            for document, text in zip(item.result.documents, item.stored_json, strict=True):
                remember_json(document, text)
        yield item


def _chunks(paths: Iterable[Path], files: int, max_bytes: int) -> Iterator[tuple[list[Path], int]]:
    """``paths`` in order, in chunks of ``files`` files, or fewer once a chunk reaches ``max_bytes``;
    with each chunk's bytes."""
    chunk: list[Path] = []
    size = 0
    for path in paths:
        chunk.append(path)
        size += _size(path)
        if len(chunk) >= files or size >= max_bytes:
            yield chunk, size
            chunk, size = [], 0
    if chunk:
        yield chunk, size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_and_decode reports it


def _read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes, or its first ``limit`` bytes when it is larger (never all of a huge file)."""
    with path.open("rb") as fh:
        return fh.read(limit + 1)[:limit] if path.stat().st_size > limit else fh.read()
