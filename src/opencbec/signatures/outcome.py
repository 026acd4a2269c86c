"""The outcome of a signature check, with the security codes of spec 2022 table 7-1."""

from __future__ import annotations

from dataclasses import dataclass

from opencbec.messages.errors import MessageRejected

#: 数字签名无效: no signature, the placeholder, unknown signer, wrong key, bad signature value.
SIGNATURE_INVALID = "1001"
#: 数字签名过期: the signing certificate is expired or not yet valid.
SIGNATURE_EXPIRED = "1002"
#: 签名与数据不符: the signature is genuine but the data changed after signing (digest mismatch).
SIGNATURE_DATA_MISMATCH = "1004"
#: 其他安全错误: an algorithm or signature form OpenCBEC does not support (e.g. SM2/SM3).
OTHER_SECURITY_ERROR = "1999"

#: Official descriptions (table 7-1) of the security codes.
SECURITY_DESCRIPTIONS: dict[str, str] = {
    SIGNATURE_INVALID: "数字签名无效",
    SIGNATURE_EXPIRED: "数字签名过期",
    SIGNATURE_DATA_MISMATCH: "签名与数据不符",
    OTHER_SECURITY_ERROR: "其他安全错误",
}


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What :func:`~opencbec.signatures.verify.verify_message` found.

    ``ok`` is true only for a genuine signature by a certificate registered for the sender,
    valid at the checking time, over unchanged data; ``code`` is then ``None``. Otherwise
    ``code`` is one of the table 7-1 security codes and ``info`` says why. ``subject`` and
    ``serial`` (hex) name the certificate used, when one was identified.
    """

    ok: bool
    code: str | None
    info: str
    cop_code: str | None = None
    subject: str | None = None
    serial: str | None = None
    signature_method: str | None = None

    @property
    def description(self) -> str:
        """The official description of :attr:`code` (empty when the check passed)."""
        return SECURITY_DESCRIPTIONS.get(self.code or "", "")

    def to_rejection(
        self, message_type: str | None = None, guid: str | None = None, cop_msg_id: str | None = None
    ) -> MessageRejected:
        """A :class:`MessageRejected` for a CEB900 receipt (only for a failed check)."""
        if self.ok or self.code is None:
            raise ValueError("the signature check passed; there is nothing to reject")
        return MessageRejected(self.code, self.info, message_type, guid, cop_msg_id)


def passed(info: str, cop_code: str, subject: str, serial: str, method: str) -> SignatureCheck:
    """A successful check."""
    return SignatureCheck(True, None, info, cop_code, subject, serial, method)


def failed(
    code: str,
    info: str,
    *,
    cop_code: str | None = None,
    subject: str | None = None,
    serial: str | None = None,
    method: str | None = None,
) -> SignatureCheck:
    """A failed check; ``info`` gets the official description appended in brackets."""
    text = f"{info} ({SECURITY_DESCRIPTIONS[code]})"
    return SignatureCheck(False, code, text, cop_code, subject, serial, method)
