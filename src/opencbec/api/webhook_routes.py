"""The caller's webhook: register, inspect, remove (``/v1/webhook``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from opencbec.api.auth import require_enterprise
from opencbec.api.context import ApiContext, context
from opencbec.api.models import WebhookAttempt, WebhookIn, WebhookOut
from opencbec.service.webhooks import delete_webhook, get_webhook, set_webhook

router = APIRouter(tags=["webhooks"])
Caller = Annotated[str, Depends(require_enterprise)]
Ctx = Annotated[ApiContext, Depends(context)]


def _view(ctx: ApiContext, caller: str) -> WebhookOut:
    state = get_webhook(ctx.engine, caller)
    if state is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no webhook registered")
    return WebhookOut(
        url=state.url,
        cursor=state.cursor,
        failures=state.failures,
        next_attempt_at=state.next_attempt_at,
        attempts=[
            WebhookAttempt(
                receipt_id=a.outbox_id,
                attempt=a.attempt,
                at=a.at,
                ok=a.ok,
                status_code=a.status_code,
                error=a.error,
            )
            for a in state.attempts
        ],
    )


@router.put("/webhook", response_model=WebhookOut)
async def put_webhook(body: WebhookIn, caller: Caller, ctx: Ctx) -> WebhookOut:
    """Register (or replace) the caller's webhook: each new receipt message is POSTed to ``url``.

    Deliveries are signed with HMAC-SHA256 over ``timestamp + "." + body`` using ``secret``
    (header ``X-CBEC-Signature: sha256=<hex>``, timestamp in ``X-CBEC-Timestamp``).
    """
    await run_in_threadpool(set_webhook, ctx.engine, caller, body.url, body.secret, body.since)
    ctx.wake_webhooks()
    return await run_in_threadpool(_view, ctx, caller)


@router.get("/webhook", response_model=WebhookOut)
def read_webhook(caller: Caller, ctx: Ctx) -> WebhookOut:
    """The caller's webhook (without its secret) and the latest delivery attempts."""
    return _view(ctx, caller)


@router.delete("/webhook", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def remove_webhook(caller: Caller, ctx: Ctx) -> Response:
    """Stop webhook deliveries (the receipt feed is unaffected)."""
    if not delete_webhook(ctx.engine, caller):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no webhook registered")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
