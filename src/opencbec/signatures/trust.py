"""Whom to trust: the certificates registered for each sending enterprise.

A message is trusted only with a certificate registered for its ``BaseTransfer/copCode``
(``cbec enterprise add``); the certificate a message carries in ``KeyInfo`` is never trusted
by itself. :func:`load_certificate` reads certificate files (PEM or DER) for registration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol, TypeAlias, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import hashes


@runtime_checkable
class CertificateRegistry(Protocol):
    """Anything that returns the certificates registered for an enterprise code."""

    def certificates_for(self, code: str) -> Sequence[x509.Certificate]:
        """The registered certificates of ``code`` (empty if the enterprise is unknown)."""
        ...


class CertificateSnapshot:
    """The registered certificates at one moment, as PEM text: picklable, for worker processes.

    ``cbec clear --workers N`` verifies signatures in its decoding processes against a snapshot
    taken when the run starts (the registry caches its lookups for a minute anyway).
    """

    def __init__(self, pems: dict[str, tuple[str, ...]]) -> None:
        self.pems = pems
        self._loaded: dict[str, tuple[x509.Certificate, ...]] = {}

    def __getstate__(self) -> dict[str, tuple[str, ...]]:
        return self.pems

    def __setstate__(self, state: dict[str, tuple[str, ...]]) -> None:
        self.pems, self._loaded = state, {}

    def certificates_for(self, code: str) -> tuple[x509.Certificate, ...]:
        """The certificates of ``code`` in the snapshot (loaded once)."""
        hit = self._loaded.get(code)
        if hit is None:
            hit = tuple(x509.load_pem_x509_certificate(p.encode("ascii")) for p in self.pems.get(code, ()))
            self._loaded[code] = hit
        return hit


#: What :func:`~opencbec.signatures.verify.verify_message` accepts as its trust source.
TrustSource: TypeAlias = Callable[[str], Sequence[x509.Certificate]] | CertificateRegistry


def lookup(trusted: TrustSource, code: str) -> Sequence[x509.Certificate]:
    """The certificates ``trusted`` holds for ``code``."""
    if isinstance(trusted, CertificateRegistry):
        return trusted.certificates_for(code)
    return trusted(code)


class CertificateFileError(ValueError):
    """A certificate file that cannot be registered; the message says what is wrong with it."""


_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def load_certificate(data: bytes) -> x509.Certificate:
    """Read exactly one X.509 certificate from PEM or DER bytes, or raise CertificateFileError."""
    if not data.strip():
        raise CertificateFileError("the certificate file is empty")
    if b"PRIVATE KEY-----" in data:
        raise CertificateFileError(
            "the file contains a PRIVATE KEY; register only the certificate (never share the key)"
        )
    if b"-----BEGIN" not in data:
        try:
            return x509.load_der_x509_certificate(data)
        except ValueError as exc:
            raise CertificateFileError(
                f"not a certificate: neither PEM (no '-----BEGIN CERTIFICATE-----' line) nor DER ({exc})"
            ) from None
    blocks = _PEM_CERT.findall(data)
    if not blocks:
        raise CertificateFileError("PEM file without a '-----BEGIN CERTIFICATE-----' block")
    if len(blocks) > 1:
        raise CertificateFileError(
            f"the PEM file holds {len(blocks)} certificates; register the signing certificate alone"
        )
    try:
        return x509.load_pem_x509_certificate(blocks[0])
    except ValueError as exc:
        raise CertificateFileError(
            f"the CERTIFICATE block is not a valid X.509 certificate ({exc})"
        ) from None


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint of the DER encoding, lowercase hex."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def subject_text(certificate: x509.Certificate) -> str:
    """The subject as an RFC 4514 string (or a marker when it cannot be rendered)."""
    try:
        return certificate.subject.rfc4514_string()
    except ValueError:
        return "<unreadable subject>"


def serial_text(certificate: x509.Certificate) -> str:
    """The serial number in hex, as certificate tools print it."""
    return format(certificate.serial_number, "X")
