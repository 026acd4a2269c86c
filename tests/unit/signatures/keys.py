"""Real RSA keys and self-signed certificates for the signature tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from opencbec.messages import encode_message
from tests.unit.messages.ceb_factories import EBP, base_transfer, inventory

NOW = datetime(2025, 6, 11, 9, 30, tzinfo=UTC)


@cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per name, generated once per test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(
    key: rsa.RSAPrivateKey,
    common_name: str = "杭州示例跨境平台",
    *,
    valid_from: datetime = NOW - timedelta(days=30),
    valid_to: datetime = NOW + timedelta(days=365),
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.COMMON_NAME, EBP),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .sign(key, hashes.SHA256())
    )


def ceb621(documents: int = 1) -> bytes:
    """A CEB621 import list from the codec, carrying the unsigned placeholder."""
    return encode_message(
        "CEB621Message",
        [inventory(n) for n in range(1, documents + 1)],
        base_transfer(),
        placeholder_signature=True,
    )
