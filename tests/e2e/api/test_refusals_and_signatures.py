"""CEB900 at once for broken, hostile or badly signed messages; signed messages accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from opencbec.signatures import sign_message
from opencbec.store.enterprise_repo import add_enterprise
from tests.e2e.api.conftest import NS, Api
from tests.e2e.api.messages import AGENT, EBP, message, parcel
from tests.unit.signatures.keys import certificate, rsa_key

NOW = datetime.now(UTC)
KEY = rsa_key("api-agent")
CERT = certificate(KEY, valid_from=NOW - timedelta(days=30), valid_to=NOW + timedelta(days=365))


def _ceb900(response_content: bytes) -> tuple[str, str]:
    root = etree.fromstring(response_content)
    status = root.findtext(".//ceb:returnStatus", namespaces=NS) or ""
    info = root.findtext(".//ceb:returnInfo", namespaces=NS) or ""
    return status, info


def _check_refused(api: Api, caller: str, response_status: int, response, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == response_status, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.headers["x-cbec-return-status"] == code
    status, info = _ceb900(response.content)
    assert status == code and info.startswith(f"[Code:{code}")
    # recorded: the submission is rejected and its CEB900 is in the caller's feed
    message_id = int(response.headers["x-cbec-message-id"])
    receipt_id = int(response.headers["x-cbec-receipt-id"])
    sub = api.get(caller, f"/v1/messages/{message_id}").json()
    assert sub["status"] == "rejected" and [r["id"] for r in sub["receipts"]] == [receipt_id]
    assert receipt_id in [r["id"] for r in api.feed(caller) if r["messageType"] == "CEB900Message"]
    assert api.get(caller, f"/v1/receipts/{receipt_id}").content == response.content


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"<not-closed", 400, "0001"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
            400,
            "0001",
        ),
        (b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', 400, "0001"),
        (b"{not json", 400, "0001"),
    ],
    ids=["not-well-formed", "billion-laughs", "external-dtd", "bad-json"],
)
def test_broken_and_hostile_messages_get_ceb900_at_once(
    api: Api, body: bytes, status: int, code: str
) -> None:
    _check_refused(api, EBP, status, api.submit(EBP, body), code)


def test_a_schema_violation_gets_ceb900_0002(api: Api) -> None:
    xml = message(parcel().order).replace(b"<ceb:orderType>I</ceb:orderType>", b"")
    _check_refused(api, EBP, 422, api.submit(EBP, xml), "0002")


def test_an_oversized_body_is_refused_without_reading_it_all(api: Api) -> None:
    limit = api.ctx.clearer.limits.max_bytes
    body = b"<x>" + b"a" * (limit + 10) + b"</x>"
    _check_refused(api, EBP, 400, api.submit(EBP, body), "0001")


@pytest.fixture
def verifying(make_api) -> Api:  # type: ignore[no-untyped-def]
    api: Api = make_api(signatures="verify")
    add_enterprise(api.ctx.engine, AGENT, "某报关行", CERT.public_bytes(serialization.Encoding.PEM))
    return api


def _signed_list(key=KEY, cert=CERT) -> bytes:  # type: ignore[no-untyped-def]
    return sign_message(message(parcel().inventory), key, cert)


def test_a_validly_signed_list_is_accepted(verifying: Api) -> None:
    response = verifying.submit(AGENT, _signed_list())
    assert response.status_code == 202, response.text
    assert verifying.wait_cleared(AGENT, response.json()["messageId"])["status"] == "cleared"


def test_an_unsigned_placeholder_gets_1001(verifying: Api) -> None:
    _check_refused(verifying, AGENT, 422, verifying.submit(AGENT, message(parcel().inventory)), "1001")


def test_a_tampered_message_gets_1004(verifying: Api) -> None:
    signed = _signed_list()
    tampered = signed.replace(b"<ceb:buyerTelephone>13800000000<", b"<ceb:buyerTelephone>13900000000<", 1)
    assert tampered != signed
    _check_refused(verifying, AGENT, 422, verifying.submit(AGENT, tampered), "1004")


def test_an_expired_certificate_gets_1002(verifying: Api) -> None:
    key = rsa_key("api-expired")
    old = certificate(key, valid_from=NOW - timedelta(days=400), valid_to=NOW - timedelta(days=1))
    add_enterprise(verifying.ctx.engine, AGENT, "某报关行", old.public_bytes(serialization.Encoding.PEM))
    _check_refused(verifying, AGENT, 422, verifying.submit(AGENT, _signed_list(key, old)), "1002")


def test_a_certificate_not_registered_for_the_sender_is_refused(verifying: Api) -> None:
    stranger = rsa_key("api-stranger")
    cert = certificate(stranger, valid_from=NOW - timedelta(days=1), valid_to=NOW + timedelta(days=30))
    response = verifying.submit(AGENT, _signed_list(stranger, cert))
    assert response.status_code == 422
    code = response.headers["x-cbec-return-status"]
    assert code in {"1001", "1999"}
    _check_refused(verifying, AGENT, 422, response, code)


def test_an_unknown_enterprise_gets_a_security_ceb900(verifying: Api) -> None:
    """An enterprise with a token but no registered certificate cannot send signed messages."""
    from tests.e2e.api.messages import EBC

    signed = sign_message(message(parcel().inventory, sender=EBC), KEY, CERT)
    response = verifying.submit(EBC, signed)
    assert response.status_code == 422
    _check_refused(verifying, EBC, 422, response, response.headers["x-cbec-return-status"])
    assert response.headers["x-cbec-return-status"] in {"1001", "1999"}
