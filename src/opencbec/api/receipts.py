"""The receipt feed: receipt messages addressed to the caller, in a strict cursor order.

Every receipt message (CEB312 ... CEB816, and the CEB900 of a refused submission) is written to
the outbox inside a clearing transaction, and clearing transactions are serialised (the clearing
lock), so outbox ids grow in commit order: a reader that has seen id N will never later see a new
id below N. ``since`` is the last id the caller has processed; a page holds the next ids in
order, and ``next`` is the cursor to pass on. Nothing is skipped or repeated. With ``wait`` the
request long-polls: an empty page is answered only when a receipt arrives or the wait runs out
(:mod:`opencbec.api.receipt_watch`).
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from opencbec.api.auth import require_enterprise
from opencbec.api.context import ApiContext, context
from opencbec.api.models import ReceiptFeed
from opencbec.api.queries import feed_and_highest, highest_receipt_id, receipt_xml
from opencbec.api.receipt_watch import OutboxWatch

router = APIRouter(tags=["receipts"])
Caller = Annotated[str, Depends(require_enterprise)]
Ctx = Annotated[ApiContext, Depends(context)]


#: The longest ``wait`` of a feed request, in seconds (a waiting request holds its connection).
MAX_WAIT_SECONDS = 30.0


@router.get("/receipts", response_model=ReceiptFeed)
async def receipt_feed(
    caller: Caller,
    ctx: Ctx,
    since: Annotated[int, Query(ge=0, description="Cursor: the last receipt id already processed.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    xml: Annotated[bool, Query(description="Include each receipt message's XML.")] = True,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="Long poll: when there is no receipt after `since`, wait up to this many "
            "seconds for one before answering (0: answer at once).",
        ),
    ] = 0,
) -> ReceiptFeed:
    """Receipt messages addressed to the caller with id > ``since``, oldest first."""
    page, highest = await run_in_threadpool(feed_and_highest, ctx.engine, caller, since, limit, xml)
    if not page and wait > 0:
        watch = receipt_watch(ctx)
        deadline = time.monotonic() + wait
        while not page:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await watch.wait_past(highest, remaining):
                break
            page, highest = await run_in_threadpool(feed_and_highest, ctx.engine, caller, since, limit, xml)
    return ReceiptFeed(receipts=page, next=page[-1].id if page else since)


def receipt_watch(ctx: ApiContext) -> OutboxWatch:
    """This process's :class:`OutboxWatch` (made on first use, in the server's event loop)."""
    if ctx.receipt_watch is None:
        engine = ctx.engine
        interval = ctx.settings.receipt_watch_ms / 1000
        ctx.receipt_watch = OutboxWatch(lambda: highest_receipt_id(engine), interval)
    return ctx.receipt_watch


@router.get(
    "/receipts/{receipt_id}",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, 404: {"description": "unknown"}},
)
def get_receipt(receipt_id: int, caller: Caller, ctx: Ctx) -> Response:
    """One receipt message (XML), if it is addressed to the caller."""
    xml = receipt_xml(ctx.engine, receipt_id, caller)
    if xml is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no receipt {receipt_id} for you")
    return Response(xml, media_type="application/xml")
