"""Which messages must be signed, and checking them against the registered certificates.

With ``--signatures verify`` (the default), CEB621, CEB623 and CEB625 must carry a valid
XML-DSig signature by a certificate registered for the transmitting enterprise
(``BaseTransfer/copCode``); other messages are checked when they carry a signature. The JSON form
cannot carry a verifiable signature, so a JSON message that must be signed is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from opencbec.domain.documents import DecodedMessage
from opencbec.messages.errors import MessageRejected
from opencbec.signatures import CertificateRegistry, verify_xml

MUST_BE_SIGNED = frozenset({"CEB621Message", "CEB623Message", "CEB625Message", "CEB711Message"})


class SignaturePolicy:
    """A ``Verifier`` for the batch and online drivers."""

    def __init__(self, registry: CertificateRegistry) -> None:
        self.registry = registry

    def portable(self) -> SignaturePolicy:
        """This policy over a picklable snapshot of the registry (for worker processes)."""
        snapshot = getattr(self.registry, "snapshot", None)
        return SignaturePolicy(snapshot()) if snapshot is not None else self

    def __call__(self, data: bytes, decoded: DecodedMessage) -> None:
        """Raise ``MessageRejected`` when the message's signature is missing or bad."""
        env = decoded.envelope
        must = env.message_type in MUST_BE_SIGNED
        if not must and not env.signed:
            return
        if data.lstrip()[:1] == b"{":
            raise MessageRejected(
                "1001",
                f"{env.message_type} in the JSON form cannot carry a verifiable XML signature; "
                "send it as XML (signed)",
                env.message_type,
                env.guid,
                env.cop_msg_id,
            )
        check = verify_xml(data, self.registry, now=datetime.now(UTC))
        if not check.ok:
            raise check.to_rejection(env.message_type, env.guid, env.cop_msg_id)
