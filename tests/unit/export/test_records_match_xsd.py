"""domain/ceb_export_records.py stays in step with ceb-export.xsd (names, order, optionality, types)."""

from __future__ import annotations

import pytest

from opencbec.messages.export_layout import EXPORT_BASE_TRANSFER, EXPORT_LAYOUTS, export_spec
from opencbec.messages.layout import RecordSpec
from opencbec.messages.schema import _load_xsd_tree

XS = "{http://www.w3.org/2001/XMLSchema}"
TYPES = {"xs:decimal": "Decimal", "xs:int": "int", "xs:string": "str"}


def _specs() -> list[RecordSpec]:
    specs = [EXPORT_BASE_TRANSFER]
    for lay in EXPORT_LAYOUTS.values():
        specs += [s for s in (lay.head, lay.line) if s is not None]
    return specs


@pytest.mark.parametrize("spec", _specs(), ids=lambda s: s.tag)
def test_record_fields_are_the_xsd_elements(spec: RecordSpec) -> None:
    tree = _load_xsd_tree("ceb-export.xsd")
    (element,) = [e for e in tree.findall(f"{XS}element") if e.get("name") == spec.tag]
    xsd = [
        (
            c.get("name"),
            c.get("minOccurs") == "0",
            TYPES[c.find(f"{XS}simpleType/{XS}restriction").get("base")],
        )
        for c in element.find(f"{XS}complexType/{XS}sequence")
        if isinstance(c.tag, str)
    ]
    assert [(f.name, f.optional, f.kind) for f in spec.fields] == xsd
    assert export_spec(spec.cls).fields == spec.fields
