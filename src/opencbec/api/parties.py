"""Access control by declared party: who may submit a document, and who may read it.

An enterprise may submit a message only when it is the transmitting enterprise
(``BaseTransfer/copCode``, to which the receipts are addressed) and, in every document of the
message, one of the declared parties of :data:`SUBMITTERS` (imports) or
:data:`EXPORT_SUBMITTERS` (exports, decided from the fields of ``ceb-export.xsd``). It may read a
document when it is named in any of the party fields of :data:`READERS` or transmitted a version
of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from opencbec.domain.documents import DecodedMessage, Document, DocumentKind
from opencbec.export.documents import ExportDecoded, ExportDocument

#: Message type -> the head fields (CEB names) one of which must be the submitting enterprise.
SUBMITTERS: dict[str, tuple[str, ...]] = {
    "CEB311Message": ("ebpCode", "ebcCode"),
    "CEB411Message": ("payCode",),
    "CEB511Message": ("logisticsCode",),
    "CEB621Message": ("agentCode", "ebcCode"),
    "CEB623Message": ("agentCode", "ebcCode"),
    "CEB625Message": ("agentCode", "ebcCode"),
}

#: Export message type -> the head fields (``ceb-export.xsd`` names) one of which must be the
#: submitting enterprise: the firm that declares the document (the e-commerce enterprise or the
#: platform for orders and collections, the carrier for waybills and departures, the site operator
#: for arrivals and tallies, the declaring agent or the consignor for lists, cancels, summaries and
#: returns, the agent or the carrier for the master-bill binding).
EXPORT_SUBMITTERS: dict[str, tuple[str, ...]] = {
    "CEB303Message": ("ebpCode", "ebcCode"),
    "CEB403Message": ("ebcCode",),
    "CEB505Message": ("logisticsCode",),
    "CEB507Message": ("operatorCode",),
    "CEB509Message": ("logisticsCode",),
    "CEB603Message": ("agentCode", "ebcCode"),
    "CEB605Message": ("agentCode", "ebcCode"),
    "CEB607Message": ("agentCode", "logisticsCode"),
    "CEB701Message": ("agentCode", "ebcCode"),
    "CEB213Message": ("agentCode", "ebcCode"),
    "CEB215Message": ("operatorCode",),
}

#: Document kind -> the head fields naming the enterprises that may read it.
READERS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.ORDER: ("ebpCode", "ebcCode", "payCode"),
    DocumentKind.PAYMENT: ("payCode", "ebpCode"),
    DocumentKind.WAYBILL: ("logisticsCode",),
    DocumentKind.INVENTORY: ("agentCode", "ebcCode", "ebpCode", "logisticsCode"),
    DocumentKind.CANCEL: ("agentCode", "ebcCode", "ebpCode", "logisticsCode"),
    DocumentKind.REFUND: ("agentCode", "ebcCode", "ebpCode", "logisticsCode"),
}

_ATTR = {
    "ebpCode": "ebp_code",
    "ebcCode": "ebc_code",
    "payCode": "pay_code",
    "logisticsCode": "logistics_code",
    "agentCode": "agent_code",
}


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a submission is refused: the field(s), the values found and the caller."""

    field: str
    found: str
    document: int | None
    detail: str


def _attr(name: str) -> str:
    """The record attribute of a CEB field name (``operatorCode`` -> ``operator_code``)."""
    return _ATTR.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def field_values(document: Document | ExportDocument, fields: tuple[str, ...]) -> dict[str, str]:
    """The values of CEB head ``fields`` of ``document`` (missing ones left out)."""
    values: dict[str, str] = {}
    for name in fields:
        value = getattr(document.head, _attr(name), None)
        if isinstance(value, str) and value:
            values[name] = value
    return values


def check_submitter(decoded: DecodedMessage, caller: str) -> Refused | None:
    """None when ``caller`` may submit ``decoded``, else why not."""
    env = decoded.envelope
    if env.sender != caller:
        return Refused(
            "BaseTransfer/copCode",
            env.sender,
            None,
            f"BaseTransfer/copCode is {env.sender or '(missing)'!r} but you are {caller!r}: "
            "submit only messages you transmit",
        )
    documents: Sequence[Document | ExportDocument] = decoded.documents
    if isinstance(decoded, ExportDecoded):
        fields = EXPORT_SUBMITTERS.get(env.message_type)
        documents = decoded.export_documents
    else:
        fields = SUBMITTERS.get(env.message_type)
    if fields is None:  # decode_message accepts only the request types
        return Refused("messageType", env.message_type, None, f"{env.message_type} cannot be submitted")
    for n, document in enumerate(documents, start=1):
        values = field_values(document, fields)
        if caller not in values.values():
            found = ", ".join(f"{k}={v}" for k, v in values.items()) or "none"
            return Refused(
                " or ".join(fields),
                found,
                n,
                f"document {n} ({document.kind.value} {document.key}): you ({caller}) are not its "
                f"{' or '.join(fields)} ({found})",
            )
    return None


def may_read(document: Document, sender: str, caller: str) -> bool:
    """True when ``caller`` is a declared party of ``document`` or transmitted it."""
    return caller == sender or caller in field_values(document, READERS[document.kind]).values()
