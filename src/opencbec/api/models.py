"""JSON bodies of the enterprise API (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """camelCase on the wire, like the CEB field names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class Accepted(ApiModel):
    """202: the message passed format, schema, signature and access checks and is queued."""

    message_id: int = Field(description="Id of the submission (GET /v1/messages/{messageId}).")
    guid: str
    message_type: str
    documents: int
    status: Literal["accepted"] = "accepted"
    cop_msg_id: str | None = None


class AccessDenied(ApiModel):
    """403: the caller is not the declared party of a document (or not the transmitter)."""

    error: Literal["not_declared_party"] = "not_declared_party"
    field: str = Field(description="The CEB field(s) that must name the caller.")
    found: str = Field(description="What the message has in that field.")
    document: int | None = Field(description="1-based position of the document in the message.")
    caller: str
    detail: str


class ReceiptRef(ApiModel):
    """A receipt message in the outbox; ``id`` is its position in the receipt feed."""

    id: int
    message_type: str
    guid: str
    xml: str | None = None


class DocumentState(ApiModel):
    """A document version: its current clearing status."""

    kind: str
    key: str
    guid: str
    status: str
    info: str
    current: bool
    pre_no: str | None = None
    invt_no: str | None = None


class Submission(ApiModel):
    """A submission's state and the receipts produced for it so far."""

    message_id: int
    status: Literal["queued", "cleared", "rejected"]
    message_type: str | None
    guid: str | None
    cop_msg_id: str | None
    documents: int
    received_at: datetime
    cleared_at: datetime | None
    info: str
    document_states: list[DocumentState]
    receipts: list[ReceiptRef]


class ReceiptFeed(ApiModel):
    """A page of the receipt feed: pass ``next`` as ``since`` to get the following page."""

    receipts: list[ReceiptRef]
    next: int = Field(description="Cursor after this page (equal to since when the page is empty).")


class HistoryLine(ApiModel):
    """One status change."""

    status: str
    info: str
    at: datetime


class DocumentView(ApiModel):
    """A document (all versions of one key) with its current status and history."""

    kind: str
    key: str
    status: str
    info: str
    pre_no: str | None
    invt_no: str | None
    versions: list[DocumentState]
    history: list[HistoryLine]


class WebhookIn(ApiModel):
    """Where to POST new receipt messages, and the HMAC secret to sign them with."""

    url: str = Field(pattern=r"^https?://", max_length=2000)
    secret: str = Field(min_length=16, max_length=200)
    since: int | None = Field(
        default=None, description="Deliver receipts after this feed cursor (default: only new ones)."
    )


class WebhookAttempt(ApiModel):
    """One delivery attempt."""

    receipt_id: int
    attempt: int
    at: datetime
    ok: bool
    status_code: int | None
    error: str


class WebhookOut(ApiModel):
    """The caller's webhook (without the secret) and its delivery state."""

    url: str
    cursor: int
    failures: int
    next_attempt_at: datetime | None
    attempts: list[WebhookAttempt]
