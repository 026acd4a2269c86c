"""Rendering values as XML text: escaping, illegal characters, decimals."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters XML 1.0 cannot carry at all (not even as character references).
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def has_illegal_chars(value: str) -> bool:
    """True if ``value`` holds a character XML 1.0 cannot represent."""
    return _ILLEGAL_XML.search(value) is not None


def xml_legal(value: str) -> str:
    """Replace characters XML 1.0 cannot represent by U+FFFD.

    >>> xml_legal("a\\x00b")
    'a\\ufffdb'
    """
    return _ILLEGAL_XML.sub("\ufffd", value) if has_illegal_chars(value) else value


def escape_text(value: str) -> str:
    """Escape element text; ``\\r`` survives as a character reference.

    >>> escape_text("a<b & c>d\\r")
    'a&lt;b &amp; c&gt;d&#13;'
    """
    value = xml_legal(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def escape_attr(value: str) -> str:
    """Escape an attribute value (double-quoted)."""
    return escape_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def format_decimal(value: Decimal | int) -> str:
    """Render a decimal without exponent and without trailing zeros.

    >>> [format_decimal(Decimal(v)) for v in ("37.31", "0", "12.50", "1E+2", "-0.000")]
    ['37.31', '0', '12.5', '100', '0']
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"expected Decimal or int, got {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise ValueError(f"{value} cannot be written in a CEB message")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_int(value: int) -> str:
    """Render an ``xs:int``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected int, got {type(value).__name__}")
    return str(value)


#: Anything that needs escaping or replacing in element text (one search on the fast path).
_SPECIAL = re.compile("[&<>\r]|[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_str(value: str) -> str:
    """Render an ``xs:string`` element text.

    >>> format_str("张三"), format_str("a&b")
    ('张三', 'a&amp;b')
    """
    # Fast path: a printable string holds no character XML 1.0 forbids (those are all
    # control, surrogate or non-characters) and no \r; only &, < and > remain to rule out.
    # The generated record writers inline this test (messages/record_xml.py).
    if (
        type(value) is str
        and value.isprintable()
        and "&" not in value
        and "<" not in value
        and ">" not in value
    ):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    if _SPECIAL.search(value) is None:
        return value
    return escape_text(value)


def new_guid() -> str:
    """A 36-character uppercase UUID, as CEB ``guid`` wants."""
    return str(uuid.uuid4()).upper()
