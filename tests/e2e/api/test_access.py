"""Authentication (401/403) and access control by declared party over HTTP."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, func, select, update

from opencbec.api.auth import CACHE_SECONDS, issue_officer_token, revoke_token, token_hash
from opencbec.store.api_repo import credential, inbox
from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import AGENT, EBC, EBP, LOGISTICS, PAY, message, parcel


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic Zm9vOmJhcg=="},
        {"Authorization": "Bearer cbec_" + "x" * 43},
    ],
)
def test_every_endpoint_needs_a_valid_token(api: Api, headers: dict[str, str]) -> None:
    for method, url in (
        ("POST", "/v1/messages"),
        ("GET", "/v1/messages/1"),
        ("GET", "/v1/receipts"),
        ("GET", "/v1/receipts/1"),
        ("GET", "/v1/documents?orderNo=x"),
        ("GET", "/v1/webhook"),
    ):
        response = api.client.request(method, url, headers=headers, content=b"<x/>")
        assert response.status_code == 401, (method, url)
        assert response.headers["www-authenticate"] == "Bearer"


def test_tokens_are_stored_hashed_and_can_be_revoked(api: Api) -> None:
    token = api.tokens[EBP]
    with api.ctx.engine.connect() as conn:
        hashes = conn.execute(select(credential.c.token_hash)).scalars().all()
    assert token not in hashes and all(len(h) == 64 for h in hashes)
    assert api.get(EBP, "/v1/receipts").status_code == 200
    assert revoke_token(api.ctx.engine, token)
    assert api.get(EBP, "/v1/receipts").status_code == 401


def test_a_token_revoked_by_another_process_stops_working_within_the_cache_bound(api: Api) -> None:
    token = api.tokens[EBP]
    assert api.get(EBP, "/v1/receipts").status_code == 200  # verified, now cached
    with api.ctx.engine.begin() as conn:  # as ``revoke_token`` in another process would
        conn.execute(
            update(credential).where(credential.c.token_hash == token_hash(token)).values(revoked=True)
        )
    time.sleep(CACHE_SECONDS + 0.2)
    assert api.get(EBP, "/v1/receipts").status_code == 401


def test_cached_tokens_are_verified_again_together_in_one_query(api: Api) -> None:
    """When the cache's time is up, the first request reads every cached token again in one query;
    the other callers' requests then read nothing (before: one query per token and second)."""
    codes = [EBP, EBC, AGENT, LOGISTICS, PAY]
    for code in codes:
        api.token(code)
        assert api.get(code, "/v1/receipts").status_code == 200  # verified, now cached
    reads: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "api_credential" in statement:
            reads.append(statement)

    time.sleep(CACHE_SECONDS + 0.2)
    event.listen(api.ctx.engine, "before_cursor_execute", note)
    try:
        for code in codes:
            assert api.get(code, "/v1/receipts").status_code == 200
    finally:
        event.remove(api.ctx.engine, "before_cursor_execute", note)
    assert len(reads) == 1 and " IN " in reads[0], reads


def test_a_token_changed_by_another_process_takes_effect_within_the_cache_bound(api: Api) -> None:
    """Not only a revocation: a token made an officer's (an operator's SQL) is read again too."""
    token = api.tokens[EBP]
    assert api.get(EBP, "/v1/receipts").status_code == 200  # verified, now cached
    with api.ctx.engine.begin() as conn:
        conn.execute(
            update(credential)
            .where(credential.c.token_hash == token_hash(token))
            .values(kind="officer", subject="wang", role="viewer")
        )
    time.sleep(CACHE_SECONDS + 0.2)
    assert api.get(EBP, "/v1/receipts").status_code == 403  # an officer now, not an enterprise


def test_officers_may_not_use_the_enterprise_api(api: Api) -> None:
    response = api.client.get("/v1/receipts", headers={"Authorization": f"Bearer {api.tokens['officer']}"})
    assert response.status_code == 403


def test_bootstrap_admin_token_only_when_configured(make_api) -> None:  # type: ignore[no-untyped-def]
    api = make_api(admin_token="a-very-long-admin-secret-for-tests")
    ok = api.client.get(
        "/v1/receipts", headers={"Authorization": "Bearer a-very-long-admin-secret-for-tests"}
    )
    assert ok.status_code == 403  # authenticated (an officer), but not an enterprise
    assert issue_officer_token(api.ctx.engine, "wang", "admin").startswith("cbec_")
    with pytest.raises(ValueError, match="role"):
        issue_officer_token(api.ctx.engine, "wang", "boss")


@pytest.mark.parametrize(
    ("caller", "kind", "field"),
    [
        (EBC, "payment", "BaseTransfer/copCode"),
        (LOGISTICS, "order", "BaseTransfer/copCode"),
    ],
)
def test_submitting_as_another_transmitter_is_refused(api: Api, caller: str, kind: str, field: str) -> None:
    p = parcel()
    doc = {"order": p.order, "payment": p.payment}[kind]
    response = api.submit(caller, message(doc))
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "not_declared_party" and body["field"] == field and body["caller"] == caller


@pytest.mark.parametrize(
    ("caller", "kind", "fields"),
    [
        (PAY, "order", "ebpCode or ebcCode"),
        (EBP, "payment", "payCode"),
        (EBP, "waybill", "logisticsCode"),
        (EBP, "inventory", "agentCode or ebcCode"),
        (LOGISTICS, "inventory", "agentCode or ebcCode"),
    ],
)
def test_submitting_a_document_one_is_not_declared_party_of_is_refused(
    api: Api, caller: str, kind: str, fields: str
) -> None:
    p = parcel()
    doc = {"order": p.order, "payment": p.payment, "waybill": p.waybill, "inventory": p.inventory}[kind]
    response = api.submit(caller, message(doc, sender=caller))  # transmitted by the caller itself
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["field"] == fields and body["document"] == 1
    assert caller in body["detail"]
    with api.ctx.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(inbox)).scalar() == 0  # nothing stored


def test_one_foreign_document_refuses_the_whole_message(api: Api) -> None:
    mine, theirs = parcel(), parcel()
    from tests.parcels import with_head

    foreign = with_head(theirs.order, ebp_code="9999999999", ebc_code="9999999998")
    response = api.submit(EBP, message(mine.order, foreign))
    assert response.status_code == 403
    assert response.json()["document"] == 2


def test_the_e_commerce_enterprise_may_submit_orders_and_lists(api: Api) -> None:
    p = parcel()
    assert api.submit(EBC, message(p.order, sender=EBC)).status_code == 202
    assert api.submit(EBC, message(p.inventory, sender=EBC)).status_code == 202


def test_reading_another_enterprise_s_submission_receipts_or_documents_is_refused(api: Api) -> None:
    p = parcel()
    accepted = api.submit(EBP, message(p.order)).json()
    done = api.wait_cleared(EBP, accepted["messageId"])
    receipt_id = done["receipts"][0]["id"]
    assert api.get(PAY, f"/v1/messages/{accepted['messageId']}").status_code == 404
    assert api.get(PAY, f"/v1/receipts/{receipt_id}").status_code == 404
    assert api.get(EBP, f"/v1/receipts/{receipt_id}").status_code == 200
    assert api.get(PAY, "/v1/receipts").json()["receipts"] == []
    assert api.get(LOGISTICS, "/v1/documents", orderNo=p.order.head.order_no).status_code == 404
    assert api.get(EBP, "/v1/documents", orderNo=p.order.head.order_no).status_code == 200
    assert api.get(AGENT, "/v1/documents", orderNo=p.order.head.order_no).status_code == 404
    assert api.get(EBP, "/v1/documents").status_code == 422
    assert api.get(EBP, "/v1/documents", orderNo="a", invtNo="b").status_code == 422


def test_unsupported_content_type_is_refused(api: Api) -> None:
    p = parcel()
    response = api.submit(EBP, message(p.order), "text/plain")
    assert response.status_code == 415
