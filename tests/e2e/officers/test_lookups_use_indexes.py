"""Look-ups by number read the document table through its indexes, never all of it (SQLite plans of
the statements each look-up runs: the officers' search and parcel view, the history, the enterprise
API's documents, the export list view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from opencbec.api.queries import documents
from opencbec.service.export_clear import export_list_view
from tests.e2e.officers.conftest import World
from tests.sql_plans import plan, statements


def plans(engine: Engine, look_up: Callable[[], Any]) -> list[str]:
    """The query plan of every SELECT ``look_up`` runs on ``engine``."""
    with statements(engine) as seen:
        look_up()
    selects = [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]
    assert selects
    return [plan(engine, sql, params) for sql, params in selects]


def full_scans(found: list[str]) -> list[str]:
    """Plans that read a whole document table (``SCAN``), or all its rows of a kind (an index search
    by the kind alone, ``(kind=?)``)."""
    return [p for p in found if "SCAN document" in p or "SCAN export_document" in p or "(kind=?)" in p]


def test_the_officers_look_ups_by_number_use_indexes(world: World) -> None:
    parcel, invt_no = world.parcels[2], world.invt_nos[2]
    head = parcel.inventory.head
    engine = world.store.engine
    for params in ({"orderNo": head.order_no}, {"logisticsNo": head.logistics_no}, {"invtNo": invt_no}):
        found = plans(engine, lambda p=params: world.get("viewer", "/v1/officer/documents", **p))  # type: ignore[misc]
        assert not full_scans(found), (params, found)
    for number in (head.order_no, head.logistics_no, invt_no):
        found = plans(engine, lambda n=number: world.get("viewer", f"/v1/officer/parcels/{n}"))  # type: ignore[misc]
        assert not full_scans(found), (number, found)
        assert not full_scans(plans(engine, lambda n=number: world.store.history(n)))  # type: ignore[misc]
    assert (
        world.get("viewer", f"/v1/officer/parcels/{head.logistics_no}").json()["inventory"]["invtNo"]
        == invt_no
    )


def test_the_enterprise_and_export_look_ups_by_number_use_indexes(world: World) -> None:
    head = world.parcels[1].inventory.head
    engine = world.store.engine
    numbers = (("orderNo", head.order_no), ("logisticsNo", head.logistics_no), ("invtNo", world.invt_nos[1]))
    for field, value in numbers:
        found = plans(engine, lambda f=field, v=value: documents(engine, f, v, "330766K00Q"))  # type: ignore[misc]
        assert not full_scans(found), (field, found)
        assert documents(engine, field, value, "330766K00Q")
    found = plans(engine, lambda: export_list_view(engine, head.logistics_no))
    assert not full_scans(found), found


def test_the_officers_search_without_a_number_walks_the_time_index(world: World) -> None:
    """The first page, a time window, a kind or a status walks the time index from the newest document
    (or from ``until``) and stops at the page's end. None sorts the table. A buyer, with no index of
    its own, reads the table and sorts the buyer's few documents rather than walk the whole index."""
    engine = world.store.engine
    parcel = world.parcels[3]
    buyer = parcel.inventory.head.buyer_id_number
    since = "2024-06-01T00:00:00"
    by_time: list[dict[str, str]] = [
        {},
        {"since": since},
        {"until": "2099-01-01T00:00:00"},
        {"kind": "order"},
        {"kind": "waybill", "since": since},
        {"status": "500"},
    ]
    for params in by_time:
        found = plans(engine, lambda p=params: world.get("viewer", "/v1/officer/documents", **p))  # type: ignore[misc]
        (search,) = [p for p in found if " document " in f"{p} "]
        assert search.startswith(
            (
                "SCAN document USING INDEX ix_document_received",
                "SEARCH document USING INDEX ix_document_received (received_at",
            )
        ), (params, search)
        assert "TEMP B-TREE" not in search, (params, search)
    found = plans(engine, lambda: world.get("viewer", "/v1/officer/documents", buyerId=buyer))
    assert [p for p in found if " document " in f"{p} "] == ["SCAN document | USE TEMP B-TREE FOR ORDER BY"]
    items = world.get("viewer", "/v1/officer/documents", buyerId=buyer).json()["items"]
    assert {i["kind"] for i in items} == {"order", "inventory"}
    newest = world.get("viewer", "/v1/officer/documents").json()["items"]
    times = [(i["receivedAt"], i["id"]) for i in newest]
    assert times == sorted(times, reverse=True) and len(times) == 16
    kinds = world.get("viewer", "/v1/officer/documents", kind="order").json()["items"]
    assert len(kinds) == 4 and {i["kind"] for i in kinds} == {"order"}
