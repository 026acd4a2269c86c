"""verify_message on real RSA signatures of a CEB621 built by the codec, signed by signxml."""

from __future__ import annotations

import base64
import copy
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from opencbec.messages import decode_message, encode_dxp
from opencbec.messages.encode import check_output
from opencbec.signatures import (
    OTHER_SECURITY_ERROR,
    SIGNATURE_DATA_MISMATCH,
    SIGNATURE_EXPIRED,
    SIGNATURE_INVALID,
    sign_message,
    verify_message,
    verify_xml,
)
from opencbec.signatures.algorithms import RSA_SHA1, RSA_SHA256, SM2_SM3, SM3
from tests.unit.messages.ceb_factories import EBP
from tests.unit.signatures.keys import NOW, ceb621, certificate, rsa_key

DS = "http://www.w3.org/2000/09/xmldsig#"
CEB = "http://www.chinaport.gov.cn/ceb"
NS = {"ds": DS, "ceb": CEB}


def _root(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _signed(key, cert, algorithm="rsa-sha256") -> etree._Element:
    return _root(sign_message(ceb621(), key, cert, algorithm=algorithm))


def _set(root: etree._Element, xpath: str, value: str) -> None:
    element = root.xpath(xpath, namespaces=NS)[0]
    element.text = value


@pytest.mark.parametrize(("algorithm", "uri"), [("rsa-sha256", RSA_SHA256), ("rsa-sha1", RSA_SHA1)])
def test_a_signed_ceb621_verifies(key, cert, trusted, algorithm, uri):
    check = verify_message(_signed(key, cert, algorithm), trusted, now=NOW)
    assert check.ok, check.info
    assert check.code is None
    assert check.cop_code == EBP
    assert check.signature_method == uri
    assert check.serial == format(cert.serial_number, "X")
    assert f"CN={EBP}" in (check.subject or "")


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "rsa-sha1"])
def test_the_signed_message_is_valid_against_the_import_xsd_and_decodes_as_signed(key, cert, algorithm):
    data = sign_message(ceb621(documents=3), key, cert, algorithm=algorithm)
    check_output(data, require_signature=True)
    root = _root(data)
    assert etree.QName(root[-1]).localname == "Signature"  # after BaseTransfer, last child
    assert len(root.findall("ds:Signature", NS)) == 1  # the placeholder was replaced
    assert root.findtext("ds:Signature/ds:KeyInfo/ds:KeyName", namespaces=NS) != "UNSIGNED"
    assert root.find("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS) is not None
    transforms = root.findall("ds:Signature/ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform", NS)
    assert [t.get("Algorithm") for t in transforms] == [DS + "enveloped-signature"]
    assert decode_message(data, require_signature=True).envelope.signed is True


def test_element_text_changed_after_signing_is_1004(key, cert, trusted):
    root = _signed(key, cert)
    _set(root, "//ceb:InventoryHead/ceb:orderNo", "ORD-SWAPPED-0001")
    check = verify_message(root, trusted, now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_DATA_MISMATCH)
    assert "签名与数据不符" in check.info
    assert check.serial == format(cert.serial_number, "X")  # the signature itself was genuine


def test_a_changed_base_transfer_is_1004_too(key, cert, trusted):
    root = _signed(key, cert)
    _set(root, "ceb:BaseTransfer/ceb:copName", "Someone Else")
    assert verify_message(root, trusted, now=NOW).code == SIGNATURE_DATA_MISMATCH


def test_a_changed_signed_info_is_1001(key, cert, trusted):
    root = _signed(key, cert)
    digest = root.xpath("//ds:DigestValue", namespaces=NS)[0]
    digest.text = base64.b64encode(bytes(32)).decode()
    check = verify_message(root, trusted, now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_INVALID)
    assert "does not verify" in check.info


def test_a_signature_by_another_key_with_its_own_certificate_is_1001(trusted):
    other = rsa_key("intruder")
    check = verify_message(_signed(other, certificate(other)), trusted, now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_INVALID)
    assert "is not registered for enterprise 3301960000" in check.info


def test_a_signature_by_another_key_carrying_the_registered_certificate_is_1001(cert, trusted):
    check = verify_message(_signed(rsa_key("intruder"), cert), trusted, now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_INVALID)
    assert "does not verify with the certificate(s) registered for 3301960000" in check.info


def test_an_unknown_enterprise_is_1001_naming_the_cop_code(key, cert):
    check = verify_message(_signed(key, cert), lambda code: [], now=NOW)
    assert (check.ok, check.code, check.cop_code) == (False, SIGNATURE_INVALID, EBP)
    assert "enterprise 3301960000 (copCode) has no registered signing certificate" in check.info


def test_a_message_without_cop_code_is_1001(key, cert, trusted):
    root = _signed(key, cert)
    _set(root, "ceb:BaseTransfer/ceb:copCode", " ")
    check = verify_message(root, trusted, now=NOW)
    assert check.code == SIGNATURE_INVALID
    assert "copCode" in check.info


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (NOW - timedelta(days=800), NOW - timedelta(days=1)),
        (NOW + timedelta(days=1), NOW + timedelta(days=400)),
    ],
    ids=["expired", "not-yet-valid"],
)
def test_a_certificate_not_valid_at_now_is_1002(key, valid_from, valid_to):
    cert = certificate(key, valid_from=valid_from, valid_to=valid_to)
    check = verify_message(_signed(key, cert), lambda code: [cert], now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_EXPIRED)
    assert "数字签名过期" in check.info
    assert "2025-06-11 09:30:00 UTC" in check.info


def test_the_unsigned_placeholder_is_1001(trusted):
    check = verify_message(_root(ceb621()), trusted, now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_INVALID)
    assert "placeholder" in check.info


def test_a_missing_signature_is_1001(trusted):
    root = _root(ceb621())
    root.remove(root.find("ds:Signature", NS))
    check = verify_message(root, trusted, now=NOW)
    assert (check.ok, check.code) == (False, SIGNATURE_INVALID)
    assert check.info.startswith("missing signature")


def test_two_signatures_are_1001(key, cert, trusted):
    root = _signed(key, cert)
    root.append(copy.deepcopy(root[-1]))
    assert verify_message(root, trusted, now=NOW).code == SIGNATURE_INVALID


@pytest.mark.parametrize(
    ("xpath", "uri", "words"),
    [
        ("//ds:SignatureMethod", SM2_SM3, "sm2-sm3 (国密SM2/SM3) is not supported yet"),
        ("//ds:DigestMethod", SM3, "sm3 (国密SM3) is not supported yet"),
        ("//ds:CanonicalizationMethod", "http://www.w3.org/2001/10/xml-exc-c14n#", "is not supported"),
        ("//ds:SignatureMethod", "http://www.w3.org/2000/09/xmldsig#dsa-sha1", "is not supported"),
    ],
    ids=["sm2", "sm3", "exclusive-c14n", "dsa"],
)
def test_unsupported_algorithms_are_1999(key, cert, trusted, xpath, uri, words):
    root = _signed(key, cert)
    root.xpath(xpath, namespaces=NS)[0].set("Algorithm", uri)
    check = verify_message(root, trusted, now=NOW)
    assert (check.ok, check.code) == (False, OTHER_SECURITY_ERROR)
    assert words in check.info
    assert "其他安全错误" in check.info


def test_the_sm2_text_says_how_it_would_plug_in(key, cert, trusted):
    root = _signed(key, cert)
    root.xpath("//ds:SignatureMethod", namespaces=NS)[0].set("Algorithm", SM2_SM3)
    info = verify_message(root, trusted, now=NOW).info
    assert "register_signature_method" in info and "gmssl" in info


def test_a_reference_to_part_of_the_message_is_1999(key, cert, trusted):
    root = _signed(key, cert)
    root.xpath("//ds:Reference", namespaces=NS)[0].set("URI", "#Inventory1")
    assert verify_message(root, trusted, now=NOW).code == OTHER_SECURITY_ERROR


def test_garbled_base64_is_1001(key, cert, trusted):
    root = _signed(key, cert)
    _set(root, "//ds:SignatureValue", "not*base64")
    check = verify_message(root, trusted, now=NOW)
    assert check.code == SIGNATURE_INVALID
    assert "ds:SignatureValue is not valid Base64" in check.info


def test_without_an_embedded_certificate_every_registered_one_is_tried(key, cert):
    root = _signed(key, cert)
    x509_data = root.find("ds:Signature/ds:KeyInfo/ds:X509Data", NS)
    x509_data.getparent().remove(x509_data)
    old = certificate(rsa_key("old"), valid_to=NOW - timedelta(days=10), valid_from=NOW - timedelta(days=400))
    check = verify_message(root, lambda code: [old, cert], now=NOW)  # renewal: the old one first
    assert check.ok, check.info
    assert check.serial == format(cert.serial_number, "X")


def test_comments_are_not_signed_but_whitespace_in_values_is(key, cert, trusted):
    root = _signed(key, cert)
    root.find("ceb:BaseTransfer", NS).append(etree.Comment(" added after signing "))
    assert verify_message(root, trusted, now=NOW).ok
    order_no = root.xpath("//ceb:InventoryHead/ceb:orderNo", namespaces=NS)[0]
    order_no.text += " "
    assert verify_message(root, trusted, now=NOW).code == SIGNATURE_DATA_MISMATCH


def test_a_registry_object_is_accepted(key, cert, registry):
    class Registry:
        def certificates_for(self, code):
            return registry.get(code, [])

    assert verify_message(_signed(key, cert), Registry(), now=NOW).ok


def test_verify_xml_reads_a_bare_message_and_one_in_a_dxp_envelope(key, cert, trusted):
    data = sign_message(ceb621(), key, cert)
    assert verify_xml(data, trusted, now=NOW).ok
    wrapped = encode_dxp(data, "CEB621Message", "DXPENT0000000001", "DXPEDCCEB0000002", "COP-1")
    assert verify_xml(wrapped, trusted, now=NOW).ok


def test_now_must_be_timezone_aware(key, cert, trusted):
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_message(_signed(key, cert), trusted, now=NOW.replace(tzinfo=None))


def test_the_root_is_left_untouched(key, cert, trusted):
    root = _signed(key, cert)
    before = etree.tostring(root)
    verify_message(root, trusted, now=NOW)
    assert etree.tostring(root) == before


def test_a_failed_check_becomes_a_rejection_for_the_ceb900_receipt(key, cert, trusted):
    root = _signed(key, cert)
    _set(root, "//ceb:InventoryHead/ceb:orderNo", "ORD-SWAPPED-0001")
    check = verify_message(root, trusted, now=NOW)
    rejection = check.to_rejection("CEB621Message", root.get("guid"), "COP-1")
    assert (rejection.code, rejection.message_type, rejection.cop_msg_id) == (
        "1004",
        "CEB621Message",
        "COP-1",
    )
    assert check.description == "签名与数据不符"
    with pytest.raises(ValueError, match="nothing to reject"):
        verify_message(_signed(key, cert), trusted, now=NOW).to_rejection()


def test_signed_info_is_canonicalized_in_context_as_a_c14n_1_0_verifier_must(key, cert):
    """Cross-check by hand: RSA over the in-context C14N 1.0 SignedInfo (inheriting xmlns:ceb)."""
    root = _signed(key, cert)
    signed_info = root.find("ds:Signature/ds:SignedInfo", NS)
    octets = etree.tostring(signed_info, method="c14n")
    assert b'xmlns:ceb="http://www.chinaport.gov.cn/ceb"' in octets
    value = base64.b64decode(root.findtext("ds:Signature/ds:SignatureValue", namespaces=NS))
    cert.public_key().verify(value, octets, padding.PKCS1v15(), hashes.SHA256())


def test_a_certificate_snapshot_survives_pickling_and_answers_like_the_registry() -> None:
    """What ``cbec clear --workers N`` hands to its decoding processes."""
    import pickle

    from cryptography.hazmat.primitives.serialization import Encoding

    from opencbec.signatures.trust import CertificateSnapshot

    key = rsa_key("snap")
    cert = certificate(key, valid_to=NOW + timedelta(days=3))
    pem = cert.public_bytes(Encoding.PEM).decode("ascii")
    snapshot = pickle.loads(pickle.dumps(CertificateSnapshot({"330766K00Q": (pem,)})))
    assert snapshot.certificates_for("330766K00Q") == (cert,)
    assert snapshot.certificates_for("UNKNOWN") == ()
