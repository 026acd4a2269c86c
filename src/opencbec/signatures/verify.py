"""Verifying the enveloped XML-DSig signature of a CEB business message.

:func:`verify_message` trusts only the certificates registered for the sending enterprise
(``BaseTransfer/copCode``): a certificate embedded in ``KeyInfo/X509Data`` must be one of
them (byte for byte; of several embedded, e.g. a chain, any one); without one, every
registered certificate of the enterprise is tried (``KeyName`` is informational).
The outcomes, with the codes of spec 2022 table 7-1:

* no signature, the OpenCBEC placeholder, a malformed signature, no ``copCode``, an unknown
  enterprise or one without a certificate, an unregistered embedded certificate, a
  SignatureValue that does not verify (wrong key, altered SignedInfo) -> **1001** 数字签名无效;
* the verifying certificate expired or not yet valid at ``now`` -> **1002** 数字签名过期;
* a genuine signature over data changed after signing (digest mismatch) -> **1004** 签名与数据不符;
* an unsupported algorithm or signature form (SM2/SM3 for now) -> **1999** 其他安全错误.

The reference ``URI=""`` is the whole document without comments (XML-DSig §4.3.3.3), with
the ``ds:Signature`` removed (enveloped-signature transform), canonicalized with inclusive
C14N 1.0. ``SignedInfo`` is canonicalized in its context (inheriting the root's namespace
declarations) with the declared C14N 1.0 variant. Bad signatures never raise; errors of the
trust source (e.g. the database) do.
"""

from __future__ import annotations

import copy
import hmac
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from opencbec.messages.dxp import DXP_MSG, unwrap_dxp
from opencbec.messages.safe_xml import XmlLimits, parse_xml
from opencbec.messages.schema import CEB_NS
from opencbec.signatures.algorithms import DIGESTS, SIGNATURE_METHODS
from opencbec.signatures.outcome import (
    SIGNATURE_DATA_MISMATCH,
    SIGNATURE_EXPIRED,
    SIGNATURE_INVALID,
    SignatureCheck,
    failed,
    passed,
)
from opencbec.signatures.parse import Refusal, SignatureParts, read_signature
from opencbec.signatures.trust import TrustSource, lookup, serial_text, subject_text

_COP_CODE = f"{{{CEB_NS}}}BaseTransfer/{{{CEB_NS}}}copCode"


def verify_message(root: etree._Element, trusted: TrustSource, *, now: datetime) -> SignatureCheck:
    """Verify the enveloped signature of the business message ``root`` (see the module doc).

    ``trusted`` maps an enterprise code to its registered certificates (a function or a
    :class:`~opencbec.signatures.trust.CertificateRegistry`); ``now`` (timezone-aware) is
    the time at which the certificate must be valid.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (certificate validity is in UTC)")
    cop_code = (root.findtext(_COP_CODE) or "").strip()
    try:
        parts = read_signature(root)
    except Refusal as refusal:
        return failed(refusal.code, refusal.info, cop_code=cop_code or None, method=refusal.method)
    if not cop_code:
        return failed(
            SIGNATURE_INVALID,
            "no ceb:BaseTransfer/ceb:copCode names the signing enterprise",
            method=parts.method,
        )
    return _verify(root, parts, cop_code, list(lookup(trusted, cop_code)), now)


def verify_xml(
    data: bytes, trusted: TrustSource, *, now: datetime, limits: XmlLimits | None = None
) -> SignatureCheck:
    """:func:`verify_message` on bytes: a bare business message or one inside a ``dxp:DxpMsg``.

    The bytes are parsed with the hardened parser; hostile or malformed input raises
    :class:`~opencbec.messages.errors.MessageRejected` (0001/0002) as in decoding.
    """
    root = parse_xml(data, limits)
    if root.tag == DXP_MSG:
        root = parse_xml(unwrap_dxp(root).inner, limits)
    return verify_message(root, trusted, now=now)


def _candidates(parts: SignatureParts, registered: list[x509.Certificate]) -> list[x509.Certificate] | str:
    """The registered certificates to try, or why none may be tried."""
    if not parts.certificates:
        return registered
    matching = [c for c in registered if c.public_bytes(Encoding.DER) in parts.certificates]
    if matching:
        return matching
    try:
        described = _describe(x509.load_der_x509_certificate(parts.certificates[0]))
    except ValueError:
        described = "(not a readable X.509 certificate)"
    return f"the certificate in ds:KeyInfo {described} is not registered for"


def _verify(
    root: etree._Element,
    parts: SignatureParts,
    cop_code: str,
    registered: list[x509.Certificate],
    now: datetime,
) -> SignatureCheck:
    method = parts.method
    if not registered:
        return failed(
            SIGNATURE_INVALID,
            f"enterprise {cop_code} (copCode) has no registered signing certificate; "
            f"register it with `cbec enterprise add {cop_code} --name ... --cert FILE`",
            cop_code=cop_code,
            method=method,
        )
    candidates = _candidates(parts, registered)
    if isinstance(candidates, str):
        return failed(
            SIGNATURE_INVALID, f"{candidates} enterprise {cop_code}", cop_code=cop_code, method=method
        )
    signed_info = etree.tostring(parts.signed_info, method="c14n", with_comments=parts.with_comments)
    verifier = SIGNATURE_METHODS[method]
    signer = next((c for c in candidates if verifier(c, parts.signature_value, signed_info)), None)
    if signer is None:
        tried = ", ".join(_describe(c) for c in candidates)
        return failed(
            SIGNATURE_INVALID,
            f"ds:SignatureValue does not verify with the certificate(s) registered for {cop_code}: {tried} "
            "(signed with another key, or SignedInfo altered)",
            cop_code=cop_code,
            method=method,
        )
    subject, serial = subject_text(signer), serial_text(signer)
    if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
        return failed(
            SIGNATURE_EXPIRED,
            f"certificate {_describe(signer)} of {cop_code} is valid from "
            f"{_utc(signer.not_valid_before_utc)} to {_utc(signer.not_valid_after_utc)}, not at {_utc(now)}",
            cop_code=cop_code,
            subject=subject,
            serial=serial,
            method=method,
        )
    digest = DIGESTS[parts.digest_method](canonical_without_signature(root, parts.element))
    if not hmac.compare_digest(digest, parts.digest_value):
        return failed(
            SIGNATURE_DATA_MISMATCH,
            "ds:DigestValue does not match the message: the data changed after it was signed",
            cop_code=cop_code,
            subject=subject,
            serial=serial,
            method=method,
        )
    return passed(f"signed by {cop_code} with {_describe(signer)}", cop_code, subject, serial, method)


def canonical_without_signature(root: etree._Element, signature: etree._Element) -> bytes:
    """C14N 1.0 (no comments) of the document of ``root`` without ``signature``; ``root`` is untouched."""
    index = list(root).index(signature)
    if root.getparent() is None:  # the document element: URI="" covers the whole document
        tree = copy.deepcopy(root.getroottree())
        copied = tree.getroot()
        _remove_keeping_tail(copied[index])
        return etree.tostring(tree, method="c14n", exclusive=False, with_comments=False)
    copied = copy.deepcopy(root)
    _remove_keeping_tail(copied[index])
    return etree.tostring(copied, method="c14n", exclusive=False, with_comments=False)


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _describe(certificate: x509.Certificate) -> str:
    return f"(subject {subject_text(certificate)}, serial {serial_text(certificate)})"
