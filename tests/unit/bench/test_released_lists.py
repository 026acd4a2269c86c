"""The benchmark's feed reader: which lists a CEB622 receipt message reports released."""

from __future__ import annotations

from opencbec.bench.online import released_lists
from opencbec.messages.schema import CEB_NS


def _receipt(returns: list[tuple[str, str]]) -> bytes:
    blocks = "".join(
        f"<ceb:InventoryReturn><ceb:guid>{guid}</ceb:guid><ceb:customsCode>2244</ceb:customsCode>"
        f"<ceb:returnStatus>{status}</ceb:returnStatus><ceb:returnInfo>x</ceb:returnInfo>"
        "</ceb:InventoryReturn>"
        for guid, status in returns
    )
    head = f'<ceb:CEB622Message xmlns:ceb="{CEB_NS}" guid="R" version="1.0">'
    return f"{head}{blocks}</ceb:CEB622Message>".encode()


def test_only_the_returns_with_status_800_count_each_with_its_own_guid() -> None:
    xml = _receipt([("A", "120"), ("B", "800"), ("C", "120"), ("D", "800"), ("E", "500")])
    assert released_lists(xml) == ["B", "D"]


def test_a_receipt_without_releases_reports_none() -> None:
    assert released_lists(_receipt([(f"G{i}", "120") for i in range(100)])) == []
