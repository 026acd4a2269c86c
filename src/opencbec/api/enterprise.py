"""Enterprise endpoints: submit a CEB message, follow a submission (``/v1/messages``).

Import requests (CEB311/411/511/621/623/625) and export requests (CEB303/403/505/507/509/603/
605/607/701/213/215) are accepted alike and cleared by the online worker through the same
clearing step as ``cbec clear``; the submitter must be a declared party of every document
(:mod:`opencbec.api.parties`).

The router of this module also includes the receipt, document and webhook routers, so
``app.include_router(enterprise.router)`` mounts the whole enterprise API.
"""

from __future__ import annotations

import logging
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from opencbec.api import documents, receipts, webhook_routes
from opencbec.api.auth import require_enterprise
from opencbec.api.context import ApiContext, context
from opencbec.api.models import Accepted, AccessDenied, Submission
from opencbec.api.parties import check_submitter
from opencbec.api.queries import submission
from opencbec.domain.documents import DecodedMessage
from opencbec.messages.decode import decode_message
from opencbec.messages.errors import FORMAT_ERROR, MessageRejected
from opencbec.service.online import Queued
from opencbec.service.online_export import all_documents

log = logging.getLogger("opencbec.api")
router = APIRouter(prefix="/v1", tags=["enterprise"])
Caller = Annotated[str, Depends(require_enterprise)]
Ctx = Annotated[ApiContext, Depends(context)]

#: A submission that may be queued, the refusal to answer with a CEB900, or another answer (403).
Checked = DecodedMessage | MessageRejected | Response
#: Submissions up to this size (and with no signature to verify) are decoded on the event loop.
INLINE_BYTES = 32 * 1024
CONTENT_TYPES = frozenset({"application/xml", "text/xml", "application/json"})
_CEB900 = {"content": {"application/xml": {}}, "description": "CEB900 receipt (also in the receipt feed)"}
_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "An import request (CEB311/411/511/621/623/625: bare XML, DxpMsg envelope or the JSON form) "
            "or an export request (CEB303/403/505/507/509/603/605/607/701/213/215: bare XML or DxpMsg)."
        ),
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "text/xml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


async def _read_body(request: Request, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of the body (never all of a huge body) and the bytes seen."""
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        if seen <= limit:
            chunks.append(chunk)
        seen += len(chunk)
        if seen > limit:
            break
    return b"".join(chunks)[: limit + 1], seen


@router.post(
    "/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    openapi_extra=_BODY,
    responses={
        400: _CEB900,
        403: {"model": AccessDenied, "description": "not a declared party"},
        415: {"description": "unsupported content type"},
        422: _CEB900,
        503: {"description": "the clearing is too far behind: send again after `Retry-After` seconds"},
    },
)
async def submit_message(request: Request, caller: Caller, ctx: Ctx) -> Response:
    """Submit one message; get the synchronous acceptance (202) or its CEB900 (400/422) at once.

    Business receipts (CEB312 ... CEB816; for exports CEB304 ... CEB702, CEB792, CEB214/216)
    follow asynchronously: poll ``GET /v1/messages/{id}``,
    read the feed ``GET /v1/receipts?since=...`` or register a webhook.
    """
    return await accept(request, caller, ctx)


async def accept(request: Request, caller: str, ctx: ApiContext) -> Response:
    """The answer to ``caller``'s submission ``request`` (the route's work, also run by
    :mod:`opencbec.api.fast_submit`); 415 (``HTTPException``) for another content type.

    A small body with no signature to verify is decoded on the event loop (a one-document message
    takes less time to decode than to hand to a thread and back) and waits for the intake journal's
    group commit without holding a thread; anything else is decoded in the thread pool.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"content type must be one of {', '.join(sorted(CONTENT_TYPES))}",
        )
    if ctx.admission is not None:
        await ctx.admission.admit()
    limit = ctx.clearer.limits.max_bytes
    raw, seen = await _read_body(request, limit)
    raw = raw[:limit]
    if seen > INLINE_BYTES or ctx.verifier is not None or ctx.clearer.journal is None:
        return await run_in_threadpool(_submit, ctx, caller, raw, seen)
    checked = _checked(ctx, caller, raw, seen)
    if isinstance(checked, MessageRejected):
        return await run_in_threadpool(_refused, ctx, caller, raw, checked)
    if isinstance(checked, Response):
        return checked
    return _accepted(ctx, caller, checked, await ctx.clearer.enqueue_soon(caller, checked, raw))


def _submit(ctx: ApiContext, caller: str, raw: bytes, seen: int) -> Response:
    checked = _checked(ctx, caller, raw, seen)
    if isinstance(checked, MessageRejected):
        return _refused(ctx, caller, raw, checked)
    if isinstance(checked, Response):
        return checked
    return _accepted(ctx, caller, checked, ctx.clearer.enqueue(caller, checked, raw))


def _checked(ctx: ApiContext, caller: str, raw: bytes, seen: int) -> Checked:
    """The decoded submission if it may be queued; else why not: the refusal to answer with a CEB900
    (``MessageRejected``, recorded by :func:`_refused`) or the 403 of a caller who is not a party."""
    limit = ctx.clearer.limits.max_bytes
    try:
        if seen > limit:
            raise MessageRejected(
                FORMAT_ERROR, f"the body exceeds the limit of {limit} bytes per message (first bytes kept)"
            )
        decoded = decode_message(raw, limits=ctx.clearer.limits, accept_export=True)
    except MessageRejected as exc:
        return exc
    refused = check_submitter(decoded, caller)
    if refused is not None:
        log.warning(
            "submission refused: not a declared party",
            extra={
                "event": "access_denied",
                "caller": caller,
                "field": refused.field,
                "found": refused.found,
            },
        )
        denied = AccessDenied(
            field=refused.field,
            found=refused.found,
            document=refused.document,
            caller=caller,
            detail=refused.detail,
        )
        return JSONResponse(denied.model_dump(mode="json"), status_code=status.HTTP_403_FORBIDDEN)
    if ctx.verifier is not None:
        try:
            ctx.verifier(raw, decoded)
        except MessageRejected as exc:
            return exc
    return decoded


def _accepted(ctx: ApiContext, caller: str, decoded: DecodedMessage, queued: Queued) -> Response:
    """The 202 of a submission stored as queued (and the worker woken)."""
    ctx.wake_worker()
    env = decoded.envelope
    count = len(all_documents(decoded))
    body = Accepted(
        message_id=queued.message_id,
        guid=env.guid,
        message_type=env.message_type,
        documents=count,
        cop_msg_id=env.cop_msg_id,
    )
    log.info(
        "submission accepted",
        extra={
            "event": "accepted",
            "caller": caller,
            "message_id": queued.message_id,
            "message_type": env.message_type,
            "documents": count,
        },
    )
    return Response(  # the bytes JSONResponse would render (compact, UTF-8), rendered by orjson
        orjson.dumps(body.model_dump(mode="json")),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": f"/v1/messages/{queued.message_id}"},
        media_type="application/json",
    )


def _refused(ctx: ApiContext, caller: str, raw: bytes, exc: MessageRejected) -> Response:
    refusal = ctx.clearer.refuse(caller, raw, exc)
    ctx.wake_webhooks()
    log.info(
        "submission refused with CEB900",
        extra={"event": "ceb900", "caller": caller, "code": exc.code, "message_id": refusal.message_id},
    )
    code = status.HTTP_400_BAD_REQUEST if exc.code == FORMAT_ERROR else 422
    return Response(
        refusal.xml,
        status_code=code,
        media_type="application/xml",
        headers={
            "X-CBEC-Message-Id": str(refusal.message_id),
            "X-CBEC-Receipt-Id": str(refusal.receipt_id),
            "X-CBEC-Return-Status": exc.code,
            "Location": f"/v1/messages/{refusal.message_id}",
        },
    )


@router.get("/messages/{message_id}", response_model=Submission, responses={404: {"description": "unknown"}})
def get_message(message_id: int, caller: Caller, ctx: Ctx) -> Submission:
    """A submission's status, its documents' current status and the receipts produced for it."""
    found = submission(ctx.engine, message_id, caller, ctx.clearer.journal)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no submission {message_id} of yours")
    return found


router.include_router(receipts.router)
router.include_router(documents.router)
router.include_router(webhook_routes.router)
