"""Signing CEB business messages, for tests and tools (the production signer is the firm's E-Port key).

:func:`sign_message` puts an enveloped XML-DSig signature in the form of spec 2022 §6 —
inclusive C14N 1.0, ``rsa-sha256`` or ``rsa-sha1``, one ``Reference URI=""`` with only the
enveloped-signature transform, ``KeyInfo`` with ``KeyName`` and ``X509Data/X509Certificate``
— where ``ceb-import.xsd`` wants it: in place of an existing ``ds:Signature`` (such as the
OpenCBEC unsigned placeholder), else as the last child of the root. It uses the ``signxml``
library, an implementation independent of :mod:`opencbec.signatures.verify`.
"""

from __future__ import annotations

from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from opencbec.messages.safe_xml import parse_xml
from opencbec.messages.text import XML_DECLARATION
from opencbec.signatures.algorithms import DS
from opencbec.signatures.trust import serial_text

Algorithm = Literal["rsa-sha256", "rsa-sha1"]

_METHODS: dict[str, tuple[SignatureMethod, DigestAlgorithm]] = {
    "rsa-sha256": (SignatureMethod.RSA_SHA256, DigestAlgorithm.SHA256),
    "rsa-sha1": (SignatureMethod.RSA_SHA1, DigestAlgorithm.SHA1),
}


class _CebSigner(XMLSigner):
    """signxml's signer, allowed to use SHA-1: the CEB spec's 通用算法 is ``rsa-sha1``."""

    def check_deprecated_methods(self) -> None:
        """Accept SHA-1 (signxml refuses it by default)."""


def sign_message(
    xml: bytes,
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    *,
    algorithm: Algorithm = "rsa-sha256",
    key_name: str | None = None,
) -> bytes:
    """Return ``xml`` (a CEB business message) with an enveloped signature by ``key``.

    ``cert`` goes into ``KeyInfo/X509Data``; ``key_name`` (default: the certificate serial
    in hex) into ``KeyInfo/KeyName``. Hostile or malformed input raises
    :class:`~opencbec.messages.errors.MessageRejected` (code 0001).
    """
    if algorithm not in _METHODS:
        raise ValueError(f"unsupported algorithm {algorithm!r}; use one of {', '.join(_METHODS)}")
    root = parse_xml(xml)
    existing = root.findall(f"{{{DS}}}Signature")
    index = root.index(existing[0]) if existing else len(root)
    for old in existing:
        root.remove(old)
    root.insert(index, etree.Element(f"{{{DS}}}Signature", {"Id": "placeholder"}, nsmap={"ds": DS}))
    signature_method, digest = _METHODS[algorithm]
    signer = _CebSigner(
        signature_algorithm=signature_method,
        digest_algorithm=digest,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    signed = signer.sign(
        root,
        key=key,
        cert=[cert],
        key_name=key_name if key_name is not None else serial_text(cert),
        exclude_c14n_transform_element=True,
    )
    return XML_DECLARATION.encode("utf-8") + etree.tostring(signed, encoding="utf-8")
