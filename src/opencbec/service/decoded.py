"""A message file read and decoded: :func:`read_and_decode`, the one place a file becomes a result.

The batch driver gives identical results whether it decodes in its own process or in decoding
workers (``decode_pool``, ``decode_workers``), because both go through :func:`read_and_decode`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opencbec.clearing.checks import Failure
from opencbec.domain.documents import DecodedMessage
from opencbec.messages.decode import decode_message
from opencbec.messages.errors import FORMAT_ERROR, MessageRejected
from opencbec.messages.safe_xml import XmlLimits
from opencbec.store.codec import ZSTD, compress, plain

#: Checks a decoded message's signature; raises ``MessageRejected`` (1001/1002/1004/1999) if bad.
Verifier = Callable[[bytes, DecodedMessage], None]


@dataclass(slots=True)
class Decoded:
    """One input file: its bytes, its size on disk, and the message or why it was refused."""

    path: Path
    size: int
    #: The file's bytes, compressed when ``codec`` says so (``pack``); ``raw()`` gives them as read.
    data: bytes
    result: DecodedMessage | MessageRejected
    #: The stored text of each of ``result.documents`` (``store.record_arrays``), when computed
    #: ahead in a worker.
    stored_json: tuple[str, ...] | None = None
    #: The own checks (``checks.own_checks``) of each of ``result.documents``, when run ahead in a worker.
    checked: tuple[Failure | None, ...] | None = None
    #: When set, ``result.documents`` travelled from the worker as their stored text only
    #: (``stored_json``, their array form, known to read back equal) and are rebuilt from it, as
    #: these kinds.
    kinds: tuple[str, ...] | None = None
    #: ``None``: ``data`` as read; ``ZSTD``: compressed (``store.codec``), stored so (``message.raw_codec``).
    codec: str | None = None

    def pack(self) -> None:
        """Compress ``data`` for storage (once; the decoding is done, only the store needs it)."""
        if self.codec is None:
            self.data = compress(self.data)
            self.codec = ZSTD

    def raw(self) -> bytes:
        """The file's bytes as read."""
        return plain(self.data, self.codec)


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


def _read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes, or its first ``limit`` bytes when it is larger (never all of a huge file)."""
    with path.open("rb") as fh:
        return fh.read(limit + 1)[:limit] if path.stat().st_size > limit else fh.read()
