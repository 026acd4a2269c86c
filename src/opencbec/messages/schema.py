"""The official XSDs, loaded once from the package, and validation with readable errors.

``ceb-import.xsd`` requires a ``ds:Signature`` on CEB621/623/625/711. Until real XML-DSig
checking exists, callers that accept unsigned messages use the *relaxed* variant: the same
XSD patched in memory so that every ``ds:Signature`` reference has ``minOccurs="0"``.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from typing import cast

from lxml import etree

from opencbec.messages.errors import SCHEMA_ERROR, MessageRejected

XS = "http://www.w3.org/2001/XMLSchema"
CEB_NS = "http://www.chinaport.gov.cn/ceb"
DXP_NS = "http://www.chinaport.gov.cn/dxp"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_PREFIXES = {f"{{{CEB_NS}}}": "ceb:", f"{{{DXP_NS}}}": "dxp:", f"{{{DS_NS}}}": "ds:"}
_MAX_ERRORS = 5


class _PackageResolver(etree.Resolver):
    """Resolve ``xs:import``/``xs:include`` of the XSDs to the copies in the package."""

    # lxml-stubs 0.5 get the signatures of resolve/resolve_string wrong.
    def resolve(  # type: ignore[override]
        self, system_url: str, public_id: str, context: object
    ) -> object:
        name = system_url.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        return self.resolve_string(_xsd_bytes(name), context)  # type: ignore[call-arg]


def _xsd_bytes(name: str) -> bytes:
    if name not in {
        "ceb-import.xsd",
        "ceb-export.xsd",
        "ceb-terminal.xsd",
        "ceb-transport.xsd",
        "xmldsig-core-schema.xsd",
    }:
        raise ValueError(f"unknown schema document {name!r}")
    return (resources.files("opencbec.messages") / "xsd" / name).read_bytes()


def _load_xsd_tree(name: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_PackageResolver())
    return etree.fromstring(_xsd_bytes(name), parser, base_url=f"opencbec-xsd:{name}")


#: libxml2 fails (XMLSchemaParseError) when two threads build schemas at the same time.
_BUILDING = threading.Lock()


def import_schema(require_signature: bool = True) -> etree.XMLSchema:
    """``ceb-import.xsd``; with ``require_signature=False`` every ds:Signature is optional."""
    with _BUILDING:
        return _import_schema(require_signature)


def export_schema() -> etree.XMLSchema:
    """``ceb-export.xsd`` (CEB213..CEB792); its ``ds:Signature`` is optional everywhere."""
    with _BUILDING:
        return _export_schema()


def terminal_schema() -> etree.XMLSchema:
    """``ceb-terminal.xsd``: the ``dxp:DxpMsg`` envelope."""
    with _BUILDING:
        return _terminal_schema()


@cache
def _import_schema(require_signature: bool) -> etree.XMLSchema:
    tree = _load_xsd_tree("ceb-import.xsd")
    if not require_signature:
        for ref in tree.iter(f"{{{XS}}}element"):
            if ref.get("ref") == "ds:Signature":
                ref.set("minOccurs", "0")
    return etree.XMLSchema(tree)


@cache
def _export_schema() -> etree.XMLSchema:
    return etree.XMLSchema(_load_xsd_tree("ceb-export.xsd"))


@cache
def _terminal_schema() -> etree.XMLSchema:
    return etree.XMLSchema(_load_xsd_tree("ceb-terminal.xsd"))


def short_name(tag: str) -> str:
    """``{http://www.chinaport.gov.cn/ceb}orderNo`` -> ``ceb:orderNo``.

    >>> short_name("{http://www.chinaport.gov.cn/ceb}orderNo")
    'ceb:orderNo'
    """
    for long, prefix in _PREFIXES.items():
        tag = tag.replace(long, prefix)
    return tag


def describe_errors(error_log: etree._ListErrorLog, *, with_line: bool = True) -> str:
    """Turn lxml's error log into text naming line, element path and the XSD rule broken."""
    parts: list[str] = []
    for entry in list(error_log)[:_MAX_ERRORS]:
        where = f"line {entry.line}: " if with_line and entry.line else ""
        path = f"{short_name(entry.path)}: " if entry.path else ""
        parts.append(f"{where}{path}{short_name(entry.message)}")
    extra = len(error_log) - _MAX_ERRORS
    if extra > 0:
        parts.append(f"... and {extra} more")
    return "XSD rule broken (不符合XSD规则): " + "; ".join(parts)


def validate(
    root: etree._Element,
    schema: etree.XMLSchema,
    *,
    message_type: str | None = None,
    guid: str | None = None,
    cop_msg_id: str | None = None,
    with_line: bool = True,
) -> None:
    """Validate ``root`` or raise ``MessageRejected('0002')`` naming the broken rules.

    ``assertValid`` hands each failure its own error log, so a schema shared between
    threads never mixes up the errors of two messages.
    """
    try:
        schema.assertValid(root)
    except etree.DocumentInvalid as exc:
        raise MessageRejected(
            SCHEMA_ERROR,
            describe_errors(cast("etree._ListErrorLog", exc.error_log), with_line=with_line),
            message_type,
            guid,
            cop_msg_id,
        ) from None
