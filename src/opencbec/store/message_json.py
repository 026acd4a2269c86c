"""An import message as decoded (envelope and documents) as JSON: the form the online path keeps
with a queued submission (``api_inbox.decoded`` and the intake journal), so that the clearing worker
rebuilds the message instead of parsing its XML again.

Each document travels as the text it is stored as, its array form (``store.record_arrays``). Rows
queued before 2026-12-01 carry the named form; :func:`message_from_json` reads both.
"""

from __future__ import annotations

from opencbec.domain import ceb_records as rec
from opencbec.domain.documents import DecodedMessage, Document, DocumentKind, Envelope
from opencbec.store.record_arrays import document_from_data, exact_array
from opencbec.store.serialize import (
    dumps,
    exact_record,
    loads,
    record_dict,
    record_from_dict,
    remember_json,
)


def message_to_json(decoded: DecodedMessage) -> str | None:
    """``decoded`` as JSON, when it reads back equal; None when it would not (an export message, or
    any value of an unexpected type): the worker then decodes the XML, as before."""
    env = decoded.envelope
    if type(decoded) is not DecodedMessage or type(env) is not Envelope:
        return None
    if not (type(env.message_type) is str and type(env.guid) is str and type(env.signed) is bool):
        return None
    if env.cop_msg_id is not None and type(env.cop_msg_id) is not str:
        return None
    if type(decoded.documents) is not list:
        return None
    transfer = None
    if env.base_transfer is not None:
        if type(env.base_transfer) is not rec.BaseTransfer or not exact_record(env.base_transfer):
            return None
        transfer = record_dict(env.base_transfer)
    documents = []
    for doc in decoded.documents:
        text = exact_array(doc)
        if text is None:
            return None
        documents.append((doc.kind.value, text))
    envelope = [env.message_type, env.guid, transfer, env.cop_msg_id, env.signed]
    return dumps({"envelope": envelope, "documents": documents})


def message_from_json(text: str, *, for_storage: bool = False) -> DecodedMessage:
    """The message of :func:`message_to_json`; with ``for_storage`` each document's text is
    remembered (``serialize.remember_json``) so that storing it does not serialise it again."""
    payload = loads(text)
    message_type, guid, transfer, cop_msg_id, signed = payload["envelope"]
    base = record_from_dict(rec.BaseTransfer, transfer) if transfer is not None else None
    documents: list[Document] = []
    for kind, doc_text in payload["documents"]:
        doc = document_from_data(DocumentKind(kind), doc_text)
        if for_storage:
            remember_json(doc, doc_text)
        documents.append(doc)
    return DecodedMessage(Envelope(message_type, guid, base, cop_msg_id, signed), documents)
