"""Registered enterprises and their signing certificates (SQLAlchemy 2 Core; SQLite/PostgreSQL).

An enterprise (its CEB code, e.g. ``BaseTransfer/copCode``, and name) may have several
certificates (renewal: the old and the new one overlap). Signature verification trusts only
these (:mod:`opencbec.signatures.verify`). The tables are created on first use.

The CLI calls :func:`add_enterprise` (``cbec enterprise add CODE --name ... --cert FILE``)
and :func:`list_enterprises`; ``cbec clear --signatures verify`` passes a
:class:`EnterpriseRegistry` to :func:`~opencbec.signatures.verify.verify_message`.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)

from opencbec.signatures.trust import (
    CertificateSnapshot,
    fingerprint,
    load_certificate,
    serial_text,
    subject_text,
)

metadata = MetaData()

enterprise_table = Table(
    "enterprise",
    metadata,
    Column("code", String(18), primary_key=True),  # CEB copCode C..18
    Column("name", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

certificate_table = Table(
    "enterprise_certificate",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_code", String(18), ForeignKey("enterprise.code"), nullable=False, index=True),
    Column("fingerprint_sha256", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("serial", String(64), nullable=False),  # hex
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("not_after", DateTime(timezone=True), nullable=False),
    Column("cert_pem", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("enterprise_code", "fingerprint_sha256", name="uq_enterprise_certificate"),
)


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """One registered certificate (validity in UTC, serial in hex)."""

    subject: str
    serial: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime
    added_at: datetime


@dataclass(frozen=True, slots=True)
class EnterpriseRecord:
    """A registered enterprise with its certificates, oldest first."""

    code: str
    name: str
    added_at: datetime
    certificates: tuple[CertificateRecord, ...]


_READY: weakref.WeakSet[Engine] = weakref.WeakSet()
_READY_LOCK = threading.Lock()


def _ensure_tables(engine: Engine) -> None:
    """Create the tables once per engine (``create_all`` skips existing tables)."""
    with _READY_LOCK:
        if engine in _READY:
            return
    metadata.create_all(engine)
    with _READY_LOCK:
        _READY.add(engine)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _check_code(code: str, name: str) -> None:
    if not code or len(code) > 18 or any(ch.isspace() for ch in code):
        raise ValueError(
            f"enterprise code {code!r} must be 1-18 characters without spaces (CEB copCode C..18)"
        )
    if not name.strip() or len(name) > 100:
        raise ValueError(f"enterprise name {name!r} must be 1-100 characters (CEB copName C..100)")


def add_enterprise(
    engine: Engine, code: str, name: str, cert_pem: bytes, *, now: datetime | None = None
) -> EnterpriseRecord:
    """Register ``code`` (or update its name) and add the certificate in ``cert_pem``.

    ``cert_pem`` is the content of a certificate file, PEM or DER; garbage, a private key
    or several certificates raise :class:`~opencbec.signatures.trust.CertificateFileError`
    (a ``ValueError``) saying what is wrong with the file. Adding a certificate that is
    already registered for the enterprise changes nothing.
    """
    _check_code(code, name)
    certificate = load_certificate(cert_pem)
    added_at = _utc(now) if now is not None else datetime.now(UTC)
    digest = fingerprint(certificate)
    _ensure_tables(engine)
    with engine.begin() as conn:
        known = conn.execute(select(enterprise_table.c.name).where(enterprise_table.c.code == code)).first()
        if known is None:
            conn.execute(insert(enterprise_table).values(code=code, name=name, added_at=added_at))
        elif known.name != name:
            conn.execute(update(enterprise_table).where(enterprise_table.c.code == code).values(name=name))
        duplicate = conn.execute(
            select(certificate_table.c.id).where(
                certificate_table.c.enterprise_code == code,
                certificate_table.c.fingerprint_sha256 == digest,
            )
        ).first()
        if duplicate is None:
            conn.execute(
                insert(certificate_table).values(
                    enterprise_code=code,
                    fingerprint_sha256=digest,
                    subject=subject_text(certificate),
                    serial=serial_text(certificate),
                    not_before=certificate.not_valid_before_utc,
                    not_after=certificate.not_valid_after_utc,
                    cert_pem=certificate.public_bytes(Encoding.PEM).decode("ascii"),
                    added_at=added_at,
                )
            )
    record = get_enterprise(engine, code)
    assert record is not None
    return record


def list_enterprises(engine: Engine) -> list[EnterpriseRecord]:
    """Every registered enterprise, by code."""
    _ensure_tables(engine)
    with engine.connect() as conn:
        enterprises = conn.execute(select(enterprise_table).order_by(enterprise_table.c.code)).all()
        certificates = conn.execute(select(certificate_table).order_by(certificate_table.c.id)).all()
    by_code: dict[str, list[CertificateRecord]] = {}
    for row in certificates:
        by_code.setdefault(row.enterprise_code, []).append(
            CertificateRecord(
                subject=row.subject,
                serial=row.serial,
                fingerprint_sha256=row.fingerprint_sha256,
                not_before=_utc(row.not_before),
                not_after=_utc(row.not_after),
                added_at=_utc(row.added_at),
            )
        )
    return [
        EnterpriseRecord(e.code, e.name, _utc(e.added_at), tuple(by_code.get(e.code, ())))
        for e in enterprises
    ]


def get_enterprise(engine: Engine, code: str) -> EnterpriseRecord | None:
    """One enterprise, or None if it is not registered."""
    return next((e for e in list_enterprises(engine) if e.code == code), None)


def certificates_for(engine: Engine, code: str) -> list[x509.Certificate]:
    """The certificates registered for ``code`` (empty if the enterprise is unknown)."""
    _ensure_tables(engine)
    with engine.connect() as conn:
        pems = conn.execute(
            select(certificate_table.c.cert_pem)
            .where(certificate_table.c.enterprise_code == code)
            .order_by(certificate_table.c.id)
        ).scalars()
        return [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in pems]


def registered_certificates(engine: Engine) -> CertificateSnapshot:
    """Every registered certificate, by enterprise code (PEM text, in registration order)."""
    _ensure_tables(engine)
    pems: dict[str, list[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(certificate_table.c.enterprise_code, certificate_table.c.cert_pem).order_by(
                certificate_table.c.id
            )
        )
        for code, pem in rows:
            pems.setdefault(code, []).append(pem)
    return CertificateSnapshot({code: tuple(v) for code, v in pems.items()})


class EnterpriseRegistry:
    """A cached :class:`~opencbec.signatures.trust.CertificateRegistry` over the database.

    Certificates of each code are kept for ``ttl_seconds`` (also the misses, so a flood of
    messages from an unknown sender costs one query per period); :meth:`invalidate` drops
    the cache at once. Safe to share between threads.
    """

    def __init__(self, engine: Engine, *, ttl_seconds: float = 60.0) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, tuple[x509.Certificate, ...]]] = {}
        self._lock = threading.Lock()
        _ensure_tables(engine)

    def certificates_for(self, code: str) -> tuple[x509.Certificate, ...]:
        """The registered certificates of ``code``, from the cache when fresh."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(code)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        certificates = tuple(certificates_for(self._engine, code))
        with self._lock:
            self._cache[code] = (now, certificates)
        return certificates

    def snapshot(self) -> CertificateSnapshot:
        """Every registered certificate now, picklable (for decoding worker processes)."""
        return registered_certificates(self._engine)

    def invalidate(self) -> None:
        """Forget every cached lookup (call after registering a certificate in-process)."""
        with self._lock:
            self._cache.clear()
