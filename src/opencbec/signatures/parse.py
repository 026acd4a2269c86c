"""Reading the enveloped ``ds:Signature`` of a CEB business message (no cryptography here).

The accepted form is the one of spec 2022 §6: one ``ds:Signature``, a direct child of the
business root, whose ``SignedInfo`` has a C14N 1.0 ``CanonicalizationMethod``, a
``SignatureMethod`` and exactly one ``Reference URI=""`` (the whole message) with the
``enveloped-signature`` transform (optionally followed by a C14N 1.0 transform), a
``DigestMethod`` and a ``DigestValue``; then ``SignatureValue`` and ``KeyInfo`` with
``KeyName`` and/or ``X509Data/X509Certificate``. Anything else is refused with a
:class:`Refusal` carrying the table 7-1 code: 1001 for a missing or malformed signature,
1999 for a form or algorithm OpenCBEC does not support.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Container
from dataclasses import dataclass

from lxml import etree

from opencbec.messages.signature import is_placeholder
from opencbec.signatures.algorithms import (
    C14N_10,
    CANONICALIZATIONS,
    DIGESTS,
    DS,
    ENVELOPED_SIGNATURE,
    NOT_YET_SUPPORTED,
    SIGNATURE_METHODS,
)
from opencbec.signatures.outcome import OTHER_SECURITY_ERROR, SIGNATURE_INVALID

_SIGNATURE = f"{{{DS}}}Signature"


def ds(path: str) -> str:
    """``"SignedInfo/Reference"`` -> the Clark-notation path in the ds namespace."""
    return "/".join(f"{{{DS}}}{step}" for step in path.split("/"))


class Refusal(Exception):  # noqa: N818 - an outcome, not a failure of the code
    """The signature cannot be accepted; ``code`` is the table 7-1 code."""

    def __init__(self, code: str, info: str, method: str | None = None) -> None:
        super().__init__(code, info)
        self.code = code
        self.info = info
        self.method = method


@dataclass(frozen=True, slots=True)
class SignatureParts:
    """The pieces of a well-formed enveloped signature."""

    element: etree._Element
    signed_info: etree._Element
    with_comments: bool
    method: str
    digest_method: str
    digest_value: bytes
    signature_value: bytes
    certificates: tuple[bytes, ...]  # DER, from KeyInfo/X509Data/X509Certificate
    key_name: str | None


def _b64(text: str | None, what: str) -> bytes:
    try:
        value = base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(SIGNATURE_INVALID, f"{what} is not valid Base64") from None
    if not value:
        raise Refusal(SIGNATURE_INVALID, f"{what} is empty")
    return value


def _algorithm(parent: etree._Element, path: str, known: Container[str], method: str | None) -> str:
    element = parent.find(ds(path))
    uri = element.get("Algorithm") if element is not None else None
    if uri is None:
        raise Refusal(SIGNATURE_INVALID, f"ds:{path} with an Algorithm is missing", method)
    if uri in NOT_YET_SUPPORTED:
        raise Refusal(OTHER_SECURITY_ERROR, NOT_YET_SUPPORTED[uri], method)
    if uri not in known:
        raise Refusal(OTHER_SECURITY_ERROR, f"ds:{path} {uri} is not supported", method)
    return uri


def find_signature(root: etree._Element) -> etree._Element:
    """The one ``ds:Signature`` child of ``root``, or a 1001 refusal."""
    signatures = root.findall(_SIGNATURE)
    if not signatures:
        nested = next(root.iter(_SIGNATURE), None)
        where = " (a nested ds:Signature does not count: it must be a child of the root)" if nested else ""
        raise Refusal(SIGNATURE_INVALID, f"missing signature: the message has no ds:Signature{where}")
    if len(signatures) > 1:
        raise Refusal(SIGNATURE_INVALID, f"{len(signatures)} ds:Signature elements, expected exactly one")
    if is_placeholder(signatures[0]):
        raise Refusal(
            SIGNATURE_INVALID,
            "ds:Signature is the OpenCBEC unsigned placeholder (KeyName UNSIGNED), not a signature",
        )
    return signatures[0]


def _check_reference(signed_info: etree._Element, method: str) -> etree._Element:
    references = signed_info.findall(ds("Reference"))
    if len(references) != 1:
        raise Refusal(SIGNATURE_INVALID, f"{len(references)} ds:Reference elements, expected one", method)
    reference = references[0]
    if reference.get("URI") != "":
        raise Refusal(
            OTHER_SECURITY_ERROR,
            f"ds:Reference URI={reference.get('URI')!r} is not supported; "
            'CEB signs the whole message (URI="")',
            method,
        )
    transforms = [t.get("Algorithm") for t in reference.iterfind(ds("Transforms/Transform"))]
    if transforms not in ([ENVELOPED_SIGNATURE], *([ENVELOPED_SIGNATURE, c] for c in CANONICALIZATIONS)):
        raise Refusal(
            OTHER_SECURITY_ERROR,
            f"ds:Transforms {transforms} are not supported; expected the enveloped-signature transform "
            f"(optionally followed by {C14N_10})",
            method,
        )
    return reference


def read_signature(root: etree._Element) -> SignatureParts:
    """Read and check the form of the enveloped signature of ``root``; raise :class:`Refusal`."""
    signature = find_signature(root)
    signed_info = signature.find(ds("SignedInfo"))
    if signed_info is None:
        raise Refusal(SIGNATURE_INVALID, "ds:SignedInfo is missing")
    c14n = _algorithm(signed_info, "CanonicalizationMethod", CANONICALIZATIONS, None)
    method = _algorithm(signed_info, "SignatureMethod", SIGNATURE_METHODS, None)
    reference = _check_reference(signed_info, method)
    digest_method = _algorithm(reference, "DigestMethod", DIGESTS, method)
    digest_value = _b64(reference.findtext(ds("DigestValue")), "ds:DigestValue")
    signature_value = _b64(signature.findtext(ds("SignatureValue")), "ds:SignatureValue")
    certificates = tuple(
        _b64(c.text, "ds:X509Certificate") for c in signature.iterfind(ds("KeyInfo/X509Data/X509Certificate"))
    )
    key_name = signature.findtext(ds("KeyInfo/KeyName"))
    return SignatureParts(
        element=signature,
        signed_info=signed_info,
        with_comments=CANONICALIZATIONS[c14n],
        method=method,
        digest_method=digest_method,
        digest_value=digest_value,
        signature_value=signature_value,
        certificates=certificates,
        key_name=key_name.strip() if key_name else None,
    )
