"""The officers' API over HTTP: roles, the inspection queue, results with receipts, ledger and audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from opencbec.store import schema as t
from opencbec.store.audit_repo import AuditLog
from opencbec.store.codec import plain
from tests.e2e.officers.conftest import World

NS = {"ceb": "http://www.chinaport.gov.cn/ceb"}


def _outbox(world: World, message_type: str) -> list[etree._Element]:
    with world.store.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.xml, t.outbox.c.xml_codec).where(t.outbox.c.message_type == message_type)
        ).all()
    return [etree.fromstring(plain(r.xml, r.xml_codec)) for r in rows]


def _list_receipts(world: World, invt_no: str) -> list[tuple[str, str]]:
    return [
        (
            ret.findtext("ceb:returnStatus", namespaces=NS) or "",
            ret.findtext("ceb:returnInfo", namespaces=NS) or "",
        )
        for root in _outbox(world, "CEB622Message")
        for ret in root.iterfind(".//ceb:InventoryReturn", NS)
        if ret.findtext("ceb:invtNo", namespaces=NS) == invt_no
    ]


def _ledger(world: World, n: int) -> list[int]:
    buyer = world.parcels[n].inventory.head.buyer_id_number
    return [line.amount_fen for line in world.store.ledger(buyer, 2024)]


def test_roles_are_enforced(world: World) -> None:
    invt_no = world.invt_nos[0]
    assert world.client.get("/v1/officer/documents").status_code == 401
    assert world.get("enterprise", "/v1/officer/documents").status_code == 403
    assert world.post("enterprise", invt_no, "release").status_code == 403
    assert world.get("enterprise", "/v1/officer/audit").status_code == 403
    assert world.post("viewer", invt_no, "release").status_code == 403
    assert world.post("viewer", invt_no, "detain_smuggling").status_code == 403
    assert world.get("viewer", "/v1/officer/inspections").status_code == 403
    denied = world.post("inspector", invt_no, "return_abroad")
    assert denied.status_code == 403
    assert "supervisor" in denied.json()["detail"]
    assert world.get("inspector", "/v1/officer/audit").status_code == 403
    assert world.get("viewer", "/v1/officer/documents").status_code == 200
    (entry,) = world.audit(action="inspection.denied")
    assert (entry["officer"], entry["role"], entry["target"]) == ("inspector.one", "inspector", invt_no)
    assert _list_receipts(world, invt_no)[-1][0] == "500"  # nothing changed


def test_the_queue_lists_inspected_lists_oldest_first_with_their_reason(world: World) -> None:
    response = world.get("inspector", "/v1/officer/inspections")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["invtNo"] for i in items] == world.invt_nos
    assert all(i["reason"].startswith("[Code:9040;") and i["status"] == "500" for i in items)
    assert "buyerIdNumber" not in str(items) and "buyer_id_number" not in str(items)
    paged = world.get("inspector", "/v1/officer/inspections", pageSize=3, page=2).json()
    assert [i["invtNo"] for i in paged["items"]] == world.invt_nos[3:]


def test_release_sends_800_and_the_tax_note_and_is_audited(world: World) -> None:
    invt_no = world.invt_nos[0]
    response = world.post("inspector", invt_no, "release", "X-ray image matches")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["previousStatus"], body["status"]) == ("500", "800")
    assert body["returnInfo"].startswith("[Code:2600;Desc:放行]")
    status, info = _list_receipts(world, invt_no)[-1]
    assert status == "800" and info.startswith("[Code:2600;Desc:放行]")
    notes = [h for root in _outbox(world, "CEB816Message") for h in root.iterfind(".//ceb:TaxHeadRd", NS)]
    (note,) = [h for h in notes if h.findtext("ceb:invtNo", namespaces=NS) == invt_no]
    assert note.findtext("ceb:taxNo", namespaces=NS) == invt_no + "_0"
    assert Decimal(note.findtext("ceb:valueAddedTax", namespaces=NS) or "0") == Decimal("19.11")
    assert _ledger(world, 0) == [21000]
    (entry,) = world.audit(target=invt_no, action="inspection.record")
    assert entry["officer"] == "inspector.one"
    assert entry["details"]["outcome"] == "release"
    assert entry["details"]["note"] == "X-ray image matches"
    assert (entry["details"]["from"], entry["details"]["to"]) == ("500", "800")
    queue = world.get("inspector", "/v1/officer/inspections").json()["items"]
    assert invt_no not in [i["invtNo"] for i in queue]
    again = world.post("supervisor", invt_no, "detain_other")
    assert again.status_code == 409
    assert "status 800" in again.json()["detail"]
    assert world.audit(target=invt_no, action="inspection.refused")


def test_detaining_for_anti_smuggling_gives_502_and_reverses_the_ledger(world: World) -> None:
    invt_no = world.invt_nos[1]
    response = world.post("inspector", invt_no, "detain_smuggling", "undeclared goods")
    assert response.status_code == 200
    assert response.json()["ledgerReversed"] == "210.00"
    status, info = _list_receipts(world, invt_no)[-1]
    assert status == "502" and info.startswith("[Code:9061;Desc:扣留移送缉私]")
    assert "undeclared" not in info and "inspector.one" not in info
    assert _ledger(world, 1) == [21000, -21000]
    assert not [n for root in _outbox(world, "CEB816Message") for n in root.iterfind(".//ceb:TaxHeadRd", NS)]


def test_returning_abroad_needs_a_supervisor_gives_700_and_reverses_the_ledger(world: World) -> None:
    invt_no = world.invt_nos[2]
    response = world.post("supervisor", invt_no, "return_abroad", "prohibited goods")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "700"
    assert _list_receipts(world, invt_no)[-1][0] == "700"
    assert _ledger(world, 2) == [21000, -21000]
    (entry,) = world.audit(target=invt_no, action="inspection.record")
    assert (entry["officer"], entry["role"]) == ("supervisor.one", "supervisor")


def test_an_unknown_list_is_404(world: World) -> None:
    assert world.post("inspector", "29242024I999999999", "release").status_code == 404


def test_search_and_the_parcel_view_are_audited(world: World) -> None:
    parcel, invt_no = world.parcels[3], world.invt_nos[3]
    head = parcel.inventory.head
    for params in (
        {"orderNo": head.order_no},
        {"invtNo": invt_no},
        {"logisticsNo": head.logistics_no},
        {"buyerId": head.buyer_id_number, "kind": "inventory"},
        {"status": "500", "pageSize": 10},
    ):
        response = world.get("viewer", "/v1/officer/documents", **params)
        assert response.status_code == 200, (params, response.text)
        assert invt_no in [i["invtNo"] for i in response.json()["items"]], params
    kinds = {
        i["kind"] for i in world.get("viewer", "/v1/officer/documents", orderNo=head.order_no).json()["items"]
    }
    assert kinds == {"order", "payment", "inventory"}
    assert world.get("viewer", "/v1/officer/documents", orderNo="%").json()["items"] == []
    view = world.get("viewer", f"/v1/officer/parcels/{head.logistics_no}")
    assert view.status_code == 200
    body = view.json()
    assert body["inventory"]["document"]["head"]["buyer_id_number"] == head.buyer_id_number
    assert body["order"]["document"]["lines"][0]["item_name"] == parcel.order.lines[0].item_name
    assert body["payment"]["document"]["head"]["pay_transaction_id"] == parcel.payment.head.pay_transaction_id
    assert body["waybill"]["key"].endswith(head.logistics_no)
    assert [h["status"] for h in body["history"] if h["kind"] == "inventory"] == ["2", "120", "500"]
    assert world.get("viewer", "/v1/officer/parcels/NOSUCH").status_code == 404
    assert len(world.audit(action="documents.search")) == 7
    (read,) = world.audit(action="parcel.read")
    assert (read["target"], read["officer"]) == (invt_no, "viewer.one")


def test_the_audit_log_is_complete_and_append_only(world: World) -> None:
    world.post("inspector", world.invt_nos[0], "release")
    world.post("inspector", world.invt_nos[1], "return_abroad")
    world.post("supervisor", world.invt_nos[1], "detain_legal")
    world.post("admin", world.invt_nos[1], "release")
    world.get("viewer", "/v1/officer/documents", status="503")
    actions = [(e["action"], e["officer"], e["target"]) for e in world.audit()]
    assert actions == [
        ("inspection.record", "inspector.one", world.invt_nos[0]),
        ("inspection.denied", "inspector.one", world.invt_nos[1]),
        ("inspection.record", "supervisor.one", world.invt_nos[1]),
        ("inspection.refused", "admin.one", world.invt_nos[1]),
        ("documents.search", "viewer.one", "search"),
    ]
    assert [e["action"] for e in world.audit()][-1] == "audit.read"  # reading the log is logged too
    assert not any(hasattr(AuditLog, name) for name in ("update", "delete", "remove", "clear"))
    for statement in ("UPDATE audit_log SET officer = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), world.store.engine.begin() as conn:
            conn.execute(text(statement))
    assert len(world.audit()) == 7


def test_health_ready_and_metrics(world: World) -> None:
    from opencbec.api.ops import metrics

    assert world.client.get("/health").json() == {"status": "ok"}
    ready = world.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "rules": "ok"}
    world.post("inspector", world.invt_nos[0], "release")
    metrics.observe_batch(0.2, 40)
    metrics.count_message("CEB621Message", "accepted")
    metrics.set_queue_depth(3)
    metrics._status_read_at = 0.0  # no caching between tests
    response = world.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert 'opencbec_documents{kind="inventory",status="500"} 3.0' in body
    assert 'opencbec_documents{kind="inventory",status="800"} 1.0' in body
    assert 'opencbec_messages_total{outcome="accepted",type="CEB621Message"}' in body
    assert 'opencbec_queue_depth{queue="inbound"} 3.0' in body
    assert "opencbec_clearing_batch_seconds_bucket" in body
    assert 'opencbec_inspection_results_total{outcome="release"}' in body
    assert "opencbec_outbox_pending" in body
