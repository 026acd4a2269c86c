"""The JSON form of CEB messages, converted to the equivalent XML tree.

JSON messages obey exactly the XSD rules of XML messages: they are turned into the XML tree
the XML form would have and validated by the same schema. The shape::

    {"CEB311Message": {
        "guid": "4CDE1CFD-EDED-46B1-946C-B8022E42FC94", "version": "1.0",
        "Order": [{"OrderHead": {"guid": "...", "appType": "1", "goodsValue": "14000", ...},
                   "OrderList": [{"gnum": 1, "itemName": "...", "qty": 100, ...}]}],
        "BaseTransfer": {"copCode": "...", "copName": "...", "dxpMode": "DXP", "dxpId": "..."},
        "Signature": {...}}}

* The document is one object with one member: the message type (the XML root name).
* ``guid`` and ``version`` members of the root object are the root attributes (``@guid`` /
  ``@version`` also work).
* Every other member is a child element of the same name (namespace ``ceb``; ``Signature``
  and everything below it are ``ds``). An array is the element repeated; a single object or
  value is one occurrence. ``null`` means the element is absent.
* Leaf values are strings or numbers; numbers are taken with their exact JSON spelling (no
  float rounding): ``37.31`` and ``"37.31"`` are the same. ``true``/``false`` become the
  text ``true``/``false`` (which the XSD then judges).
* Inside ``Signature``: ``"@Name"`` members are attributes and ``"#text"`` is text content.
* Member order does not matter (JSON objects are unordered): children are emitted in XSD
  order for all known elements; unknown members come last and fail the XSD.
* Duplicate member names, ``NaN``/``Infinity``, invalid UTF-8 and nesting deeper than the
  depth limit are format errors (0001).
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from opencbec.messages.errors import OTHER_ERROR, SCHEMA_ERROR, MessageRejected
from opencbec.messages.layout import LAYOUTS, child_order
from opencbec.messages.safe_xml import XmlLimits, check_size, check_tree, parse_xml, refuse
from opencbec.messages.schema import CEB_NS, DS_NS

_ROOT_ATTRIBUTES = ("guid", "version")
_UNKNOWN_RANK = 1 << 30
_ORDERS: dict[str, dict[str, dict[str, int]]] = {name: child_order(name) for name in LAYOUTS}


def looks_like_json(data: bytes) -> bool:
    """True if the first non-space byte (after an optional BOM) is ``{``."""
    head = data[3:4096] if data.startswith(b"\xef\xbb\xbf") else data[:4096]
    return head.lstrip()[:1] == b"{"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def load_json(data: bytes, limits: XmlLimits) -> Any:
    """Parse untrusted JSON bytes, keeping number spellings as strings."""
    check_size(data, limits)
    try:
        text = data.decode("utf-8-sig")
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=str,
            parse_int=str,
            parse_constant=_no_constants,
        )
    except UnicodeDecodeError as exc:
        raise refuse(f"JSON is not valid UTF-8 (JSON编码必须为UTF-8): {exc}") from None
    except RecursionError:
        raise refuse("JSON nested too deeply (JSON嵌套层次超过限制)") from None
    except ValueError as exc:
        raise refuse(f"not valid JSON (报文不是合法的JSON): {exc}") from None


class _Builder:
    def __init__(self, orders: dict[str, dict[str, int]], limits: XmlLimits) -> None:
        self.orders = orders
        self.max_depth = limits.max_depth

    def members(self, parent: etree._Element, name: str, obj: dict[str, Any], ns: str, depth: int) -> None:
        """Add the members of ``obj`` to ``parent`` (at ``depth``) in XSD order."""
        rank = self.orders.get(name, {})
        for key in sorted(obj, key=lambda k: rank.get(k, _UNKNOWN_RANK)):
            self.add(parent, key, obj[key], ns, depth)

    def add(self, parent: etree._Element, key: str, value: Any, ns: str, depth: int) -> None:
        """Add one member (element, attribute or text) to ``parent``."""
        if value is None:
            return
        if isinstance(value, list):
            for item in value:
                if isinstance(item, list):
                    raise _schema(f"JSON member {key!r}: arrays cannot contain arrays")
                self.add(parent, key, item, ns, depth)
            return
        if ns == DS_NS and key.startswith("@"):
            parent.set(key[1:], _scalar(key, value))
            return
        if ns == DS_NS and key == "#text":
            parent.text = _scalar(key, value)
            return
        if ns == CEB_NS and key == "Signature":
            ns = DS_NS
        if depth >= self.max_depth:
            raise refuse(f"JSON nested deeper than {self.max_depth} levels (报文嵌套层次超过限制)")
        try:
            element = etree.SubElement(parent, f"{{{ns}}}{key}")
        except ValueError:
            raise _schema(f"JSON member {key!r} is not a valid element name") from None
        if isinstance(value, dict):
            self.members(element, key, value, ns, depth + 1)
        else:
            element.text = _scalar(key, value)


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise _schema(f"JSON member {key!r} must be a string or number")


def _schema(info: str) -> MessageRejected:
    return MessageRejected(SCHEMA_ERROR, info)


def json_to_tree(data: bytes, limits: XmlLimits) -> etree._Element:
    """Convert a JSON message into the equivalent (not yet validated) XML tree."""
    obj = load_json(data, limits)
    if not isinstance(obj, dict) or len(obj) != 1:
        raise MessageRejected(
            OTHER_ERROR,
            "JSON message must be an object with exactly one member, the message type "
            "(JSON报文必须只有一个成员：报文类型)",
        )
    ((name, body),) = obj.items()
    if not isinstance(body, dict):
        raise _schema(f"JSON member {name!r} must be an object")
    try:
        root = etree.Element(f"{{{CEB_NS}}}{name}", nsmap={"ceb": CEB_NS})
    except ValueError:
        raise MessageRejected(OTHER_ERROR, f"unsupported message type {name!r}") from None
    try:
        for attribute in _ROOT_ATTRIBUTES:
            for key in (attribute, "@" + attribute):
                if key in body:
                    root.set(attribute, _scalar(key, body[key]))
        rest = {k: v for k, v in body.items() if k.lstrip("@") not in _ROOT_ATTRIBUTES}
        _Builder(_ORDERS.get(name, {}), limits).members(root, name, rest, CEB_NS, 1)
    except MessageRejected as exc:
        exc.message_type = exc.message_type or name
        exc.guid = exc.guid or root.get("guid")
        raise
    except ValueError as exc:  # lxml refuses text XML cannot carry (e.g. control characters)
        raise refuse(f"JSON text cannot be represented in XML (含非法字符): {exc}") from None
    check_tree(root, limits)
    return root


def xml_to_json(data: bytes, limits: XmlLimits | None = None) -> bytes:
    """Convert an XML CEB message into its JSON form (leaf values as JSON strings)."""
    root = parse_xml(data, limits)
    name = etree.QName(root).localname
    layout = LAYOUTS.get(name)
    repeated = {"BaseSubscribe"}
    if layout is not None:
        repeated.add(layout.wrapper or layout.head.tag)
        if layout.line is not None:
            repeated.add(layout.line.tag)
    body: dict[str, Any] = {k: v for k, v in root.attrib.items() if k in _ROOT_ATTRIBUTES}
    body.update(_json_members(root, repeated))
    return json.dumps({name: body}, ensure_ascii=False).encode()


def _json_members(element: etree._Element, repeated: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element.iterchildren("{*}*"):
        key = etree.QName(child).localname
        value = _json_value(child, repeated)
        if key in repeated:
            out.setdefault(key, []).append(value)
        elif key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def _json_value(element: etree._Element, repeated: set[str]) -> Any:
    if not len(element) and not element.attrib:
        return element.text or ""
    value: dict[str, Any] = {f"@{k!s}": v for k, v in element.attrib.items()}
    if element.text and element.text.strip():
        value["#text"] = element.text
    value.update(_json_members(element, repeated))
    return value
