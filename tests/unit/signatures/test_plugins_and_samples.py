"""The SM2/SM3 plug-in point, the official sample, and signxml as an independent cross-check."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from opencbec.signatures import (
    OTHER_SECURITY_ERROR,
    algorithms,
    register_digest,
    register_signature_method,
    sign_message,
    verify_message,
    verify_xml,
)
from opencbec.signatures.algorithms import SM2_SM3, SM3
from tests.unit.signatures.keys import NOW, ceb621

NS = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "ceb-samples" / "import" / "CEB621Message.xml"


@pytest.fixture
def restored_tables():
    saved = (dict(algorithms.SIGNATURE_METHODS), dict(algorithms.DIGESTS), dict(algorithms.NOT_YET_SUPPORTED))
    yield
    for table, content in zip(
        (algorithms.SIGNATURE_METHODS, algorithms.DIGESTS, algorithms.NOT_YET_SUPPORTED), saved, strict=True
    ):
        table.clear()
        table.update(content)


def test_an_sm2_verifier_plugs_in_by_signature_method_uri(key, cert, trusted, restored_tables):
    """Stand-ins (RSA-SHA256 for SM2, SHA-256 for SM3) prove the pipeline; gmssl would go here."""
    calls = []

    def fake_sm2(certificate, signature, signed_info):
        calls.append(signed_info)
        public_key = certificate.public_key()
        assert isinstance(public_key, rsa.RSAPublicKey)
        public_key.verify(signature, signed_info, padding.PKCS1v15(), hashes.SHA256())
        return True

    register_signature_method(SM2_SM3, fake_sm2)
    register_digest(SM3, lambda data: hashlib.sha256(data).digest())
    root = etree.fromstring(sign_message(ceb621(), key, cert))
    root.xpath("//ds:SignatureMethod", namespaces=NS)[0].set("Algorithm", SM2_SM3)
    root.xpath("//ds:DigestMethod", namespaces=NS)[0].set("Algorithm", SM3)
    signed_info = etree.tostring(root.find("ds:Signature/ds:SignedInfo", NS), method="c14n")
    value = key.sign(signed_info, padding.PKCS1v15(), hashes.SHA256())
    root.find("ds:Signature/ds:SignatureValue", NS).text = base64.b64encode(value).decode()
    check = verify_message(root, trusted, now=NOW)
    assert check.ok, check.info
    assert check.signature_method == SM2_SM3
    assert calls == [signed_info]


def test_the_official_sample_is_signed_with_sm2_sm3_and_answered_1999():
    check = verify_xml(SAMPLE.read_bytes(), lambda code: [], now=NOW)
    assert (check.ok, check.code, check.cop_code) == (False, OTHER_SECURITY_ERROR, "1101180326")
    assert "sm2-sm3" in check.info


@pytest.mark.parametrize(
    ("algorithm", "method", "digest"),
    [
        ("rsa-sha1", SignatureMethod.RSA_SHA1, DigestAlgorithm.SHA1),
        ("rsa-sha256", SignatureMethod.RSA_SHA256, DigestAlgorithm.SHA256),
    ],
)
def test_signxml_verifies_the_signed_message_with_the_registered_certificate(
    key, cert, algorithm, method, digest
):
    config = SignatureConfiguration(
        location="./",
        signature_methods=frozenset({method}),
        digest_algorithms=frozenset({digest}),
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
        verification_time=NOW,
    )
    data = sign_message(ceb621(), key, cert, algorithm=algorithm)
    result = XMLVerifier().verify(data, x509_cert=cert, expect_config=config)
    assert result.signed_xml is not None
