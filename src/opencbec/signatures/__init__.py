"""XML digital signatures of CEB business messages (spec 2022 §6, table 7-1 codes 1001-1999).

Public API:

* :func:`verify_message` — verify the enveloped ``ds:Signature`` of a parsed business
  message against the certificates registered for its sender -> :class:`SignatureCheck`;
* :func:`verify_xml` — the same from bytes (bare message or ``dxp:DxpMsg``), parsed safely;
* :func:`sign_message` — sign a message (tests and tools; rsa-sha256 / rsa-sha1);
* :class:`CertificateRegistry`, :func:`load_certificate`, :class:`CertificateFileError` —
  trust, and reading certificate files for registration;
* :func:`register_signature_method`, :func:`register_digest` — where SM2/SM3 plug in.
"""

from opencbec.signatures.algorithms import register_digest, register_signature_method
from opencbec.signatures.outcome import (
    OTHER_SECURITY_ERROR,
    SECURITY_DESCRIPTIONS,
    SIGNATURE_DATA_MISMATCH,
    SIGNATURE_EXPIRED,
    SIGNATURE_INVALID,
    SignatureCheck,
)
from opencbec.signatures.sign import sign_message
from opencbec.signatures.trust import (
    CertificateFileError,
    CertificateRegistry,
    TrustSource,
    load_certificate,
)
from opencbec.signatures.verify import verify_message, verify_xml

__all__ = [
    "OTHER_SECURITY_ERROR",
    "SECURITY_DESCRIPTIONS",
    "SIGNATURE_DATA_MISMATCH",
    "SIGNATURE_EXPIRED",
    "SIGNATURE_INVALID",
    "CertificateFileError",
    "CertificateRegistry",
    "SignatureCheck",
    "TrustSource",
    "load_certificate",
    "register_digest",
    "register_signature_method",
    "sign_message",
    "verify_message",
    "verify_xml",
]
