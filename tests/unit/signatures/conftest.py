from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.unit.messages.ceb_factories import EBP
from tests.unit.signatures.keys import certificate, rsa_key


@pytest.fixture(scope="session")
def key() -> rsa.RSAPrivateKey:
    return rsa_key("enterprise")


@pytest.fixture(scope="session")
def cert(key: rsa.RSAPrivateKey) -> x509.Certificate:
    return certificate(key)


@pytest.fixture(scope="session")
def registry(cert: x509.Certificate) -> dict[str, list[x509.Certificate]]:
    """The enterprise of the factories' BaseTransfer/copCode, with its certificate."""
    return {EBP: [cert]}


@pytest.fixture(scope="session")
def trusted(registry: dict[str, list[x509.Certificate]]):
    return lambda code: registry.get(code, [])
