"""Hardened XML parsing of untrusted input.

Everything a sender controls is hostile until proven otherwise. :func:`parse_xml`

* refuses input longer than :attr:`XmlLimits.max_bytes` before parsing it;
* refuses any document type declaration (``<!DOCTYPE``) or entity declaration
  (``<!ENTITY``), first with a cheap byte scan and again on the parsed tree, so internal
  entity bombs (billion laughs, quadratic blow-up) and external entities / DTDs
  (``file://``, ``http://``) are never expanded and nothing is ever fetched;
* parses with an lxml parser that resolves no entities, loads no DTD and uses no network;
* refuses documents nested deeper than :attr:`XmlLimits.max_depth` or holding more than
  :attr:`XmlLimits.max_elements` elements;
* accepts only UTF-8 (the CEB spec's encoding).

Every refusal is a :class:`~opencbec.messages.errors.MessageRejected` with code ``0001``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from opencbec.messages.errors import FORMAT_ERROR, MessageRejected

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """Size limits applied to every message (and again to a message inside a DxpMsg)."""

    max_bytes: int = 10 * MIB
    max_depth: int = 32
    max_elements: int = 250_000


DEFAULT_LIMITS = XmlLimits()

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)
_COUNT_ELEMENTS = etree.XPath("count(//*)")


@lru_cache(maxsize=8)
def _too_deep(max_depth: int) -> etree.XPath:
    """An XPath that is true when some element sits deeper than ``max_depth``."""
    return etree.XPath("boolean(/" + "/".join(["*"] * (max_depth + 1)) + ")")


def refuse(info: str) -> MessageRejected:
    """A format error (``0001``)."""
    return MessageRejected(FORMAT_ERROR, info)


def check_size(data: bytes, limits: XmlLimits) -> None:
    """Refuse input over the byte limit."""
    if len(data) > limits.max_bytes:
        raise refuse(
            f"message is {len(data)} bytes, over the limit of {limits.max_bytes} bytes (报文超过大小限制)"
        )


def parse_xml(data: bytes, limits: XmlLimits | None = None) -> etree._Element:
    """Parse untrusted bytes into an element tree, or raise ``MessageRejected('0001')``."""
    limits = limits or DEFAULT_LIMITS
    check_size(data, limits)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise refuse("DTD / entity declarations are not allowed (报文不得包含DTD或实体声明)")
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise refuse(f"not well-formed XML (报文不是格式良好的XML): {exc}") from None
    if root is None:  # lxml returns None for some recoverable inputs
        raise refuse("no XML root element (报文没有根元素)")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise refuse("DTD / entity declarations are not allowed (报文不得包含DTD或实体声明)")
    encoding = (docinfo.encoding or "UTF-8").upper()
    if encoding not in ("UTF-8", "UTF8"):
        raise refuse(f"encoding {encoding} is not allowed, use UTF-8 (报文编码必须为UTF-8)")
    check_tree(root, limits, source_bytes=len(data))
    return root


#: The fewest bytes one element takes in XML text (``<a/>``); without DTD there are no entities
#: to expand, so a document of n bytes holds at most n // 4 elements.
MIN_ELEMENT_BYTES = 4


def check_tree(root: etree._Element, limits: XmlLimits, *, source_bytes: int | None = None) -> None:
    """Refuse a tree that is too deep or has too many elements.

    ``source_bytes``, the length of the XML text the tree was parsed from, skips counting
    the elements when that text is too short to hold more than the limit.
    """
    if _too_deep(limits.max_depth)(root):
        raise refuse(f"elements nested deeper than {limits.max_depth} levels (报文嵌套层次超过限制)")
    if source_bytes is not None and source_bytes // MIN_ELEMENT_BYTES <= limits.max_elements:
        return
    count = _COUNT_ELEMENTS(root)
    assert isinstance(count, float)
    if count > limits.max_elements:
        raise refuse(f"{int(count)} elements, over the limit of {limits.max_elements} (报文元素数量超过限制)")
