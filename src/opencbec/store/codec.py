"""Bytes kept compressed in the store: received messages (``message.raw_codec``) and receipt
messages (``outbox.xml_codec``).

A row's codec column says how its bytes are stored: ``NULL`` as they are, :data:`ZSTD` as one
Zstandard frame (level :data:`ZSTD_LEVEL`, its size recorded). :func:`plain` gives any stored
row's bytes back exactly, whatever its codec.
"""

from __future__ import annotations

import threading

import zstandard

#: The codec of bytes kept compressed, and its level: Zstandard level 1 keeps about a fifth of a
#: message's bytes at some 500 MB/s (zlib's level 1: 200 MB/s), and a twelfth of a receipt
#: message's (they repeat their element names and codes).
ZSTD = "zstd"
ZSTD_LEVEL = 1
_CODEC = threading.local()  # a compressor per thread (one may not be used by two at once)


def compress(data: bytes) -> bytes:
    """``data`` compressed as :data:`ZSTD` (a single frame, its size recorded)."""
    compressor = getattr(_CODEC, "compressor", None)
    if compressor is None:
        compressor = _CODEC.compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    return compressor.compress(data)


def plain(data: bytes, codec: str | None) -> bytes:
    """Stored bytes as they were before storage, whatever their ``codec``."""
    if codec is None:
        return bytes(data)
    if codec == ZSTD:
        return zstandard.ZstdDecompressor().decompress(data)
    raise ValueError(f"unknown codec {codec!r} of stored bytes")
