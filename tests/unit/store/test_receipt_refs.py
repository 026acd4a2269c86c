"""The receipt index: which document guids and list numbers a receipt message mentions."""

from __future__ import annotations

from opencbec.store.api_repo import receipt_refs


def test_guids_and_list_numbers_in_any_namespace_are_found_and_nothing_else() -> None:
    xml = (
        b"""<?xml version="1.0" encoding="UTF-8"?>
<ceb:CEB622Message guid="R-1" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">
  <!-- a comment -->
  <ceb:InventoryReturn>
    <ceb:guid> DOC-1 </ceb:guid><ceb:invtNo>29182024I000000001</ceb:invtNo>
    <ceb:orderNo>O-1</ceb:orderNo><ceb:returnStatus>800</ceb:returnStatus>
  </ceb:InventoryReturn>
  <InventoryReturn><guid>DOC-2</guid><invtNo></invtNo></InventoryReturn>
  <ceb:InventoryReturn><ceb:guid>"""
        + b"X" * 65
        + b"""</ceb:guid></ceb:InventoryReturn>
</ceb:CEB622Message>"""
    )
    # the root's guid attribute is the receipt's own id, not a reference; empty and over-long
    # texts are not indexed
    assert receipt_refs(xml) == {"DOC-1", "29182024I000000001", "DOC-2"}
