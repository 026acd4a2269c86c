"""Submitting every enterprise message type over HTTP and fetching the receipts by poll and by feed."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

from opencbec.messages.dxp import encode_dxp
from opencbec.messages.json_form import xml_to_json
from opencbec.service.online import ceb_now
from tests.e2e.api.conftest import Api, statuses
from tests.e2e.api.messages import AGENT, EBP, LOGISTICS, PAY, message, parcel
from tests.parcels import cancel_for, refund_for

RECEIPT_TAG = {
    "CEB312Message": "OrderReturn",
    "CEB412Message": "PaymentReturn",
    "CEB512Message": "LogisticsReturn",
    "CEB622Message": "InventoryReturn",
    "CEB624Message": "InvtCancelReturn",
    "CEB626Message": "InvtRefundReturn",
}


def _release(api: Api) -> tuple[object, str]:
    """Submit a clean parcel document by document; return it and its invtNo once released."""
    p = parcel()
    ids = {}
    for doc in p.documents():
        response = api.submit(
            {"order": EBP, "payment": PAY, "waybill": LOGISTICS}.get(doc.kind.value, AGENT), message(doc)
        )
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["status"] == "accepted"
        assert (
            body["messageType"]
            == f"CEB{ {'order': 311, 'payment': 411, 'waybill': 511}.get(doc.kind.value, 621) }Message"
        )
        assert body["documents"] == 1
        assert response.headers["location"] == f"/v1/messages/{body['messageId']}"
        ids[doc.kind.value] = body["messageId"]
    listed = api.wait_cleared(AGENT, ids["inventory"])
    for _ in range(200):
        listed = api.get(AGENT, f"/v1/messages/{ids['inventory']}").json()
        if listed["documentStates"] and listed["documentStates"][0]["status"] == "800":
            break
        time.sleep(0.05)
    (state,) = listed["documentStates"]
    assert state["status"] == "800", listed
    return p, state["invtNo"]


def test_a_clean_parcel_submitted_document_by_document_is_released_with_its_tax_note(api: Api) -> None:
    p, invt_no = _release(api)
    assert invt_no
    for code, kind in ((EBP, "order"), (PAY, "payment"), (LOGISTICS, "waybill")):
        feed = api.feed(code)
        tags = [r["messageType"] for r in feed]
        assert tags == [
            {"order": "CEB312Message", "payment": "CEB412Message", "waybill": "CEB512Message"}[kind]
        ]
        assert statuses(feed[0]["xml"], RECEIPT_TAG[tags[0]]) == ["120"]
    agent_feed = api.feed(AGENT)
    types = [r["messageType"] for r in agent_feed]
    assert "CEB816Message" in types
    list_statuses = [
        s
        for r in agent_feed
        if r["messageType"] == "CEB622Message"
        for s in statuses(r["xml"], "InventoryReturn")
    ]
    assert list_statuses[0] == "2" and list_statuses[-1] == "800"
    # the documents view: history by orderNo, current status 800
    views = api.get(AGENT, "/v1/documents", orderNo=p.order.head.order_no).json()
    by_kind = {v["kind"]: v for v in views}
    assert by_kind["inventory"]["status"] == "800"
    assert [h["status"] for h in by_kind["inventory"]["history"]][-1] == "800"
    assert set(by_kind) == {"inventory"}  # the broker is no party of the order or the payment
    platform_view = api.get(EBP, "/v1/documents", orderNo=p.order.head.order_no).json()
    assert {v["kind"] for v in platform_view} == {"order", "payment", "inventory"}
    by_waybill = api.get(LOGISTICS, "/v1/documents", logisticsNo=p.waybill.head.logistics_no).json()
    assert {v["kind"] for v in by_waybill} == {"waybill", "inventory"}
    by_invt = api.get(AGENT, "/v1/documents", invtNo=invt_no).json()
    assert [v["kind"] for v in by_invt] == ["inventory"]


def test_every_message_type_gets_its_business_receipt_by_poll_and_by_feed(api: Api) -> None:
    p, invt_no = _release(api)
    other, other_invt = _release(api)
    now = ceb_now().replace(microsecond=0) + timedelta(seconds=1)
    cancel = cancel_for(p, invt_no, at=now)
    refund = refund_for(other, other_invt, [(1, Decimal(1))], at=now)
    for doc, tag in ((cancel, "InvtCancelReturn"), (refund, "InvtRefundReturn")):
        response = api.submit(AGENT, message(doc))
        assert response.status_code == 202, response.text
        done = api.wait_cleared(AGENT, response.json()["messageId"])
        assert done["status"] == "cleared"
        types = [r["messageType"] for r in done["receipts"]]
        receipt_type = {"InvtCancelReturn": "CEB624Message", "InvtRefundReturn": "CEB626Message"}[tag]
        assert receipt_type in types
        rid = next(r["id"] for r in done["receipts"] if r["messageType"] == receipt_type)
        xml = api.get(AGENT, f"/v1/receipts/{rid}")
        assert xml.headers["content-type"].startswith("application/xml")
        assert statuses(xml.content, tag) == ["399"]
        assert rid in [r["id"] for r in api.feed(AGENT)]
    # the polled submission of each of the four parcel messages lists its receipt too
    for code, doc, receipt_type in (
        (EBP, p.order, "CEB312Message"),
        (PAY, p.payment, "CEB412Message"),
        (LOGISTICS, p.waybill, "CEB512Message"),
    ):
        again = api.submit(code, message(doc))  # an idempotent replay: same guid, receipt sent again
        done = api.wait_cleared(code, again.json()["messageId"])
        assert [r["messageType"] for r in done["receipts"]] == [receipt_type]


def test_json_form_and_dxp_envelope_are_accepted(api: Api) -> None:
    p = parcel()
    as_json = xml_to_json(message(p.order))
    response = api.submit(EBP, as_json, "application/json")
    assert response.status_code == 202, response.text
    wrapped = encode_dxp(message(p.payment), "CEB411Message", "DXPENT0000000001", "DXPCUS0000000001", "M-1")
    response = api.submit(PAY, wrapped, "text/xml; charset=utf-8")
    assert response.status_code == 202, response.text
    assert response.json()["copMsgId"] == "M-1"
    assert api.wait_cleared(PAY, response.json()["messageId"])["status"] == "cleared"


def test_the_online_driver_reports_messages_batches_and_queue_depth_to_the_metrics(api: Api) -> None:
    from opencbec.api.ops import metrics

    before = metrics.messages.labels("CEB311Message", "accepted")._value.get()
    batches_before = metrics.batch_documents._value.get()
    p = parcel()
    response = api.submit(EBP, message(p.order))
    assert response.status_code == 202
    api.wait_cleared(EBP, response.json()["messageId"])
    assert metrics.messages.labels("CEB311Message", "accepted")._value.get() == before + 1
    assert metrics.batch_documents._value.get() >= batches_before + 1
    text = api.client.get("/metrics").text
    assert "opencbec_clearing_batch_seconds_bucket" in text
    assert 'opencbec_queue_depth{queue="inbound"}' in text
