"""The guid's hash, indexed in place of the guid itself (``document.guid_hash``, migration 0011).

Documents are found by guid through an index of a signed 64-bit BLAKE2b hash of it, not of the guid:
the guid index's entries (36 characters of a random UUID, mostly) landed on random pages of an index
three times as large, so on a large store nearly every inserted document dirtied a page of it of its
own (docs/performance.md). A look-up asks for the hash and the guid (``guid_hash = h AND guid = g``),
so a hash shared by two guids costs one more row read, never a wrong answer; BLAKE2b rather than a
checksum, so that an enterprise cannot make its guids share one hash on purpose.
"""

from __future__ import annotations

from hashlib import blake2b

from sqlalchemy import ColumnElement, and_

from opencbec.store import schema as t


def guid_hash(guid: str) -> int:
    """The signed 64-bit hash of ``guid`` stored in ``document.guid_hash`` (fixed: changing it
    would need every stored row's hash computed again)."""
    return int.from_bytes(blake2b(guid.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def guid_is(guid: str) -> ColumnElement[bool]:
    """``document.guid = guid``, through the index of its hash."""
    d = t.document.c
    return and_(d.guid_hash == guid_hash(guid), d.guid == guid)


def guid_in(guids: list[str]) -> ColumnElement[bool]:
    """``document.guid IN guids``, through the index of their hashes."""
    d = t.document.c
    return and_(d.guid_hash.in_(sorted({guid_hash(g) for g in guids})), d.guid.in_(guids))
