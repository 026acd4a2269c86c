"""Algorithm URIs and the pluggable tables that verify them.

OpenCBEC verifies what the CEB 2022 spec (§6) allows, except the national (国密) algorithms:

* canonicalization: inclusive C14N 1.0 (``REC-xml-c14n-20010315``, with or without comments);
* SignatureMethod: ``rsa-sha1`` (the spec's 通用算法) and ``rsa-sha256``;
* DigestMethod: ``sha1`` and ``sha256``.

The SM2/SM3 URIs are known but not verified yet: a message using them is answered 1999.
SM2 plugs in through :func:`register_signature_method` and :func:`register_digest` (see
``docs/signatures.md``): a :class:`SignatureVerifier` for ``…#sm2-sm3`` (e.g. backed by the
``gmssl`` library) and an SM3 digest function for ``…#sm3``. Nothing else changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

DS = "http://www.w3.org/2000/09/xmldsig#"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_10_WITH_COMMENTS = C14N_10 + "#WithComments"
ENVELOPED_SIGNATURE = DS + "enveloped-signature"

RSA_SHA1 = DS + "rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA1 = DS + "sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

#: The China E-Port national algorithms (spec 2022 §6.2.1.2, §6.2.1.3.2), preferred by customs.
SM2_SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"

#: Why a known URI is not verified yet (answered with 1999).
NOT_YET_SUPPORTED: dict[str, str] = {
    SM2_SM3: (
        "SignatureMethod sm2-sm3 (国密SM2/SM3) is not supported yet; OpenCBEC verifies rsa-sha1 and "
        "rsa-sha256. SM2 plugs in as a SignatureVerifier registered for this URI "
        "(opencbec.signatures.algorithms.register_signature_method, e.g. backed by gmssl)"
    ),
    SM3: (
        "DigestMethod sm3 (国密SM3) is not supported yet; OpenCBEC verifies sha1 and sha256. "
        "SM3 plugs in as a digest function registered for this URI "
        "(opencbec.signatures.algorithms.register_digest, e.g. gmssl.sm3)"
    ),
}

#: A digest function: canonical octets in, digest out.
Digest = Callable[[bytes], bytes]


class SignatureVerifier(Protocol):
    """Checks a SignatureValue over the canonical SignedInfo with a certificate's public key."""

    def __call__(self, certificate: x509.Certificate, signature: bytes, signed_info: bytes) -> bool:
        """True if ``signature`` is ``signed_info`` signed by ``certificate``'s key."""
        ...


@dataclass(frozen=True, slots=True)
class RsaPkcs1Verifier:
    """RSASSA-PKCS1-v1_5 with the given hash (XML-DSig ``rsa-sha1`` / ``rsa-sha256``)."""

    hash_name: str

    def __call__(self, certificate: x509.Certificate, signature: bytes, signed_info: bytes) -> bool:
        try:
            key = certificate.public_key()
        except (ValueError, UnsupportedAlgorithm):  # e.g. an SM2 curve cryptography cannot load
            return False
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        algorithm = hashes.SHA1() if self.hash_name == "sha1" else hashes.SHA256()
        try:
            key.verify(signature, signed_info, padding.PKCS1v15(), algorithm)
        except InvalidSignature:
            return False
        return True


def _sha1(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()  # the spec's 通用算法


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


SIGNATURE_METHODS: dict[str, SignatureVerifier] = {
    RSA_SHA1: RsaPkcs1Verifier("sha1"),
    RSA_SHA256: RsaPkcs1Verifier("sha256"),
}
DIGESTS: dict[str, Digest] = {SHA1: _sha1, SHA256: _sha256}
CANONICALIZATIONS: dict[str, bool] = {C14N_10: False, C14N_10_WITH_COMMENTS: True}  # URI -> comments


def register_signature_method(uri: str, verifier: SignatureVerifier) -> None:
    """Verify SignatureMethod ``uri`` with ``verifier`` from now on (the SM2 plug-in point)."""
    SIGNATURE_METHODS[uri] = verifier
    NOT_YET_SUPPORTED.pop(uri, None)


def register_digest(uri: str, digest: Digest) -> None:
    """Compute DigestMethod ``uri`` with ``digest`` from now on (the SM3 plug-in point)."""
    DIGESTS[uri] = digest
    NOT_YET_SUPPORTED.pop(uri, None)
