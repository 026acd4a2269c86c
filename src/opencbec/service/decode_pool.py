"""Reading and decoding message files, in this process or ahead of it in decoding workers.

:func:`decoded_files` gives every file's :class:`Decoded` result in input order. With
``workers <= 1`` it reads and decodes in this process; with ``workers > 1`` chunks of files are
decoded in ``workers - 1`` worker processes (``decode_workers``, which also serialise the
documents for storage and run their own checks) while the caller clears the previous ones. At
most a bounded number of chunks are decoded ahead, so memory stays flat on large inputs. Both
ways go through ``decoded.read_and_decode``, so the results are identical.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from pathlib import Path

from opencbec.domain.documents import DecodedMessage, DocumentKind
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service.decode_workers import DecodingWorkers
from opencbec.service.decoded import Decoded, Verifier, read_and_decode
from opencbec.store.record_arrays import document_from_data
from opencbec.store.serialize import remember_json

#: Where the decoding workers' answers wait for the clearing process (a new directory under it,
#: removed at the end); when unset, :data:`SHARED_MEMORY` if it has room, else the system's
#: temporary directory (see :func:`spool_root_for`).
SPOOL_ENV = "OPENCBEC_DECODE_SPOOL"
#: Linux's memory file system, and the room it must have free to be chosen (the look-ahead's
#: answers take some 30 MB; a container's is often only 64 MB).
SHARED_MEMORY = "/dev/shm"
SHARED_MEMORY_FREE = 256 * 1024 * 1024
#: Files per chunk sent to a worker ...
CHUNK_FILES = 16
#: ... and at most about this many bytes of them (a chunk's decoded messages are held whole in the
#: worker and then in its answer, so a chunk's memory does not depend on how large the messages are).
CHUNK_BYTES = 256 * 1024
#: Chunks in flight per worker (how far decoding may run ahead of clearing): more than a clearing
#: batch's worth of files, so that the workers keep decoding while a batch is written ...
AHEAD_PER_WORKER = 32
#: ... and at most this many bytes of message files (decoded messages take some ten times their
#: size in memory, so memory does not depend on how large the messages are).
AHEAD_BYTES = 12 * 1024 * 1024


def decoded_files(
    paths: Iterable[Path],
    *,
    require_signature: bool,
    limits: XmlLimits,
    workers: int = 1,
    verifier: Verifier | None = None,
    spool_root: str | None = None,
) -> Generator[Decoded, None, None]:
    """Every file of ``paths`` read, decoded and its signature checked by ``verifier``, in order,
    with its bytes compressed for storage (``Decoded.pack``).

    ``workers`` counts the processes at work, the caller's included: with ``workers > 1`` the
    files are decoded (and signatures verified) ahead in ``workers - 1`` worker processes while
    the caller clears; they get ``verifier.portable()`` when it has one (a picklable form). Their
    answers wait in a directory under ``spool_root`` (by default :func:`spool_root_for` the
    process's environment).
    """
    if workers <= 1:
        for path in paths:
            item = read_and_decode(path, require_signature, limits, verifier)
            item.pack()  # stored as the workers store it
            yield item
        return
    portable = getattr(verifier, "portable", None)
    worker_verifier = portable() if portable is not None else verifier
    decoders = workers - 1
    limit = decoders * AHEAD_PER_WORKER
    sizes: deque[int] = deque()  # bytes of each chunk submitted and not yet handed on
    in_flight = 0
    with DecodingWorkers(
        decoders,
        require_signature=require_signature,
        limits=limits,
        verifier=worker_verifier,
        spool_root=spool_root or spool_root_for(os.environ),
    ) as pool:
        for chunk, size in _chunks(paths, CHUNK_FILES, CHUNK_BYTES):
            pool.submit(chunk)
            sizes.append(size)
            in_flight += size
            while sizes and (len(sizes) >= limit or in_flight > AHEAD_BYTES):
                in_flight -= sizes.popleft()
                yield from _prepared(pool.take())
        while sizes:
            sizes.popleft()
            yield from _prepared(pool.take())


def spool_root_for(environ: Mapping[str, str]) -> str | None:
    """The directory the spool goes under: ``OPENCBEC_DECODE_SPOOL`` when set, else
    :data:`SHARED_MEMORY` when it is writable with :data:`SHARED_MEMORY_FREE` bytes free, else
    ``None`` (the system's temporary directory)."""
    configured = environ.get(SPOOL_ENV, "").strip()
    if configured:
        return configured
    try:
        room = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    if room.f_bavail * room.f_frsize >= SHARED_MEMORY_FREE and os.access(SHARED_MEMORY, os.W_OK | os.X_OK):
        return SHARED_MEMORY
    return None


def _prepared(items: list[Decoded]) -> Iterator[Decoded]:
    """Rebuild the documents that came as their stored text, and hand the workers' stored text to
    the store's serialiser (used when the documents are stored)."""
    for item in items:
        if item.stored_json is not None and isinstance(item.result, DecodedMessage):
            if item.kinds is not None:
                rebuild_documents(item)
            for document, text in zip(item.result.documents, item.stored_json, strict=True):
                remember_json(document, text)
        yield item


def rebuild_documents(item: Decoded) -> None:
    """Put back the documents of a message that travelled as their stored text (``item.kinds``
    set; ``store.record_arrays``)."""
    result = item.result
    if not isinstance(result, DecodedMessage) or item.kinds is None or item.stored_json is None:
        raise ValueError(f"{item.path}: no documents to rebuild")
    if result.documents:
        raise ValueError(f"{item.path}: the documents are already there")
    result.documents = [
        document_from_data(DocumentKind(kind), text)
        for kind, text in zip(item.kinds, item.stored_json, strict=True)
    ]
    item.kinds = None


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


__all__ = ["Decoded", "Verifier", "decoded_files", "read_and_decode"]
