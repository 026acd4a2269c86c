"""Enterprises and their certificates in a real SQLite file, and verification through the registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import create_engine

from opencbec.signatures import CertificateFileError, CertificateRegistry, sign_message, verify_xml
from opencbec.store.enterprise_repo import (
    EnterpriseRegistry,
    add_enterprise,
    certificates_for,
    get_enterprise,
    list_enterprises,
)
from tests.unit.messages.ceb_factories import EBP
from tests.unit.signatures.keys import NOW, ceb621, certificate, rsa_key

KEY = rsa_key("enterprise")
CERT = certificate(KEY)
PEM = CERT.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'cbec.db'}")
    yield engine
    engine.dispose()


def test_add_and_list_enterprises(engine):
    record = add_enterprise(engine, EBP, "杭州示例跨境平台", PEM, now=NOW)
    assert (record.code, record.name, record.added_at) == (EBP, "杭州示例跨境平台", NOW)
    (stored,) = record.certificates
    assert stored.serial == format(CERT.serial_number, "X")
    assert stored.not_after == CERT.not_valid_after_utc
    assert stored.subject == CERT.subject.rfc4514_string()
    add_enterprise(
        engine,
        "3301980002",
        "示例物流",
        certificate(rsa_key("carrier")).public_bytes(serialization.Encoding.PEM),
    )
    assert [e.code for e in list_enterprises(engine)] == ["3301960000", "3301980002"]
    assert certificates_for(engine, EBP) == [CERT]
    assert certificates_for(engine, "9999999999") == []


def test_several_certificates_per_enterprise_and_idempotent_adds(engine):
    add_enterprise(engine, EBP, "旧名", PEM)
    renewed = certificate(rsa_key("renewed"), valid_from=NOW, valid_to=NOW + timedelta(days=730))
    add_enterprise(engine, EBP, "杭州示例跨境平台", renewed.public_bytes(serialization.Encoding.DER))
    record = add_enterprise(engine, EBP, "杭州示例跨境平台", PEM)  # again: nothing new
    assert record.name == "杭州示例跨境平台"
    assert len(record.certificates) == 2
    assert certificates_for(engine, EBP) == [CERT, renewed]


def test_the_registry_survives_a_new_engine_on_the_same_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'cbec.db'}"
    first = create_engine(url)
    add_enterprise(first, EBP, "杭州示例跨境平台", PEM)
    first.dispose()
    second = create_engine(url)
    assert get_enterprise(second, EBP) is not None
    assert certificates_for(second, EBP) == [CERT]
    second.dispose()


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("", "x", "enterprise code"),
        ("1234567890123456789", "x", "enterprise code"),
        ("A B", "x", "code"),
        (EBP, " ", "enterprise name"),
    ],
)
def test_bad_codes_and_names_are_refused(engine, code, name, message):
    with pytest.raises(ValueError, match=message):
        add_enterprise(engine, code, name, PEM)


def test_a_bad_pem_is_refused_and_nothing_is_stored(engine):
    with pytest.raises(CertificateFileError, match=r"not a valid X\.509"):
        add_enterprise(
            engine, EBP, "杭州示例跨境平台", b"-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----\n"
        )
    assert list_enterprises(engine) == []


def test_verification_through_the_cached_registry(engine):
    registry = EnterpriseRegistry(engine, ttl_seconds=3600)
    assert isinstance(registry, CertificateRegistry)
    signed = sign_message(ceb621(), KEY, CERT)
    check = verify_xml(signed, registry, now=NOW)
    assert (check.ok, check.code) == (False, "1001")  # not registered yet
    add_enterprise(engine, EBP, "杭州示例跨境平台", PEM)
    assert verify_xml(signed, registry, now=NOW).code == "1001"  # the miss is cached
    registry.invalidate()
    assert verify_xml(signed, registry, now=NOW).ok
