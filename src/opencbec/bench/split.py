"""The online benchmark's load: the simulator's messages split into one-document messages.

The simulator writes files of 1-100 documents, as batch traffic looks. Online, an enterprise's
system submits each document as it happens, so the load generator submits one document per
message: :func:`split_message` keeps the message type, the ``BaseTransfer`` (and any other
non-document part, e.g. the placeholder signature) and gives each part a guid of its own, derived
from the original guid and the document's position, so a run is reproducible.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

#: Children of a CEB message root that are not documents.
NOT_DOCUMENTS = frozenset({"BaseTransfer", "BaseSubscribe", "Signature", "ExtendMessage"})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


@dataclass(frozen=True, slots=True)
class Part:
    """One single-document message: its sender's ``copCode``, its document's guid and the XML."""

    sender: str
    document_guid: str
    xml: bytes


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _first_text(element: etree._Element, name: str) -> str:
    for node in element.iter():
        if _local(node) == name:
            return (node.text or "").strip()
    return ""


def split_message(xml: bytes) -> list[bytes]:
    """``xml`` as one message per document, in document order (itself if it holds one document)."""
    root = etree.fromstring(xml, _PARSER)
    documents = [c for c in root if isinstance(c.tag, str) and _local(c) not in NOT_DOCUMENTS]
    if len(documents) <= 1:
        return [xml]
    guid = root.get("guid", "")
    parts = []
    for i, document in enumerate(documents):
        part = etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap)  # type: ignore[arg-type]
        part.set("guid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"opencbec-split:{guid}:{i}")).upper())
        for child in root:
            if child is document or (isinstance(child.tag, str) and _local(child) in NOT_DOCUMENTS):
                part.append(copy.deepcopy(child))
        parts.append(etree.tostring(part, xml_declaration=True, encoding="UTF-8"))
    return parts


def single_document_parts(files: Iterable[Path]) -> Iterator[Part]:
    """Every document of ``files`` (in order) as a one-document message."""
    for path in files:
        for xml in split_message(path.read_bytes()):
            root = etree.fromstring(xml, _PARSER)
            document = next(c for c in root if isinstance(c.tag, str) and _local(c) not in NOT_DOCUMENTS)
            yield Part(_first_text(root, "copCode"), _first_text(document, "guid"), xml)
