"""Reading certificate files for registration: PEM or DER, nothing else."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from opencbec.signatures import CertificateFileError, load_certificate
from tests.unit.signatures.keys import certificate, rsa_key


def test_pem_and_der_are_read(cert):
    pem = cert.public_bytes(serialization.Encoding.PEM)
    assert load_certificate(pem) == cert
    assert load_certificate(b"subject=... (openssl text)\n" + pem) == cert
    assert load_certificate(cert.public_bytes(serialization.Encoding.DER)) == cert


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"hello, this is not a certificate", "neither PEM"),
        (
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "without a '-----BEGIN CERTIFICATE",
        ),
        (b"-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n", "not a valid X.509"),
    ],
    ids=["empty", "blank", "garbage", "public-key", "corrupt-block"],
)
def test_garbage_is_refused_with_a_reason(data, message):
    with pytest.raises(CertificateFileError, match=message):
        load_certificate(data)


def test_a_private_key_is_refused(key, cert):
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(CertificateFileError, match="PRIVATE KEY"):
        load_certificate(pem + cert.public_bytes(serialization.Encoding.PEM))


def test_a_chain_is_refused(cert):
    other = certificate(rsa_key("ca"), "Some CA")
    pem = cert.public_bytes(serialization.Encoding.PEM) + other.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(CertificateFileError, match="holds 2 certificates"):
        load_certificate(pem)
