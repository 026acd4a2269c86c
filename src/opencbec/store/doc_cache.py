"""A bounded cache of decoded documents, keyed by their stored JSON text.

A stored document's ``data`` never changes, and the same text always decodes to equal documents,
so a document stored (or decoded) once need not be parsed again when a later batch loads it (a
list's partners, lists waiting for partners). The key is the text itself (with the kind), never a
row id, so a rolled-back batch or another database can never return a wrong document. A document
remembered when stored is only returned once it is known to read back equal from its text.
Documents are shared between the loads that hit the cache: they are not changed after decoding.
"""

from __future__ import annotations

from collections import OrderedDict

from opencbec.domain.documents import Document, DocumentKind
from opencbec.store.serialize import document_from_json, reads_back_equal

#: Documents kept at most (least recently used dropped first): about 5 KB each with its text, so
#: at most some 125 MB; partners arrive close together, so recent documents are what is reloaded.
CAPACITY = 25_000

#: (kind, text) -> (document, whether it is known to equal ``document_from_json(kind, text)``).
_DOCS: OrderedDict[tuple[DocumentKind, str], tuple[Document, bool]] = OrderedDict()


def _put(key: tuple[DocumentKind, str], doc: Document, checked: bool) -> None:
    _DOCS[key] = (doc, checked)
    _DOCS.move_to_end(key)
    if len(_DOCS) > CAPACITY:
        _DOCS.popitem(last=False)


def remember(kind: DocumentKind, text: str, doc: Document, checked: bool) -> None:
    """Note that ``doc`` was stored as ``text``; ``checked``: it is known to read back equal."""
    _put((kind, text), doc, checked)


def decoded(kind: DocumentKind, text: str) -> Document:
    """The document stored as ``text``: from the cache, or parsed (and cached)."""
    key = (kind, text)
    hit = _DOCS.get(key)
    if hit is not None and (hit[1] or reads_back_equal(hit[0])):
        if not hit[1]:
            _DOCS[key] = (hit[0], True)
        _DOCS.move_to_end(key)
        return hit[0]
    doc = document_from_json(kind, text)
    _put(key, doc, True)
    return doc


def clear() -> None:
    """Drop every cached document."""
    _DOCS.clear()
