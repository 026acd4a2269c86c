"""The receipt feed: receipt messages addressed to the caller, in a strict cursor order.

Every receipt message (CEB312 ... CEB816, and the CEB900 of a refused submission) is written to
the outbox inside a clearing transaction, and clearing transactions are serialised (the clearing
lock), so outbox ids grow in commit order: a reader that has seen id N will never later see a new
id below N. ``since`` is the last id the caller has processed; a page holds the next ids in
order, and ``next`` is the cursor to pass on. Nothing is skipped or repeated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response

from opencbec.api.auth import require_enterprise
from opencbec.api.context import ApiContext, context
from opencbec.api.models import ReceiptFeed
from opencbec.api.queries import feed, receipt_xml

router = APIRouter(tags=["receipts"])
Caller = Annotated[str, Depends(require_enterprise)]
Ctx = Annotated[ApiContext, Depends(context)]


@router.get("/receipts", response_model=ReceiptFeed)
def receipt_feed(
    caller: Caller,
    ctx: Ctx,
    since: Annotated[int, Query(ge=0, description="Cursor: the last receipt id already processed.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    xml: Annotated[bool, Query(description="Include each receipt message's XML.")] = True,
) -> ReceiptFeed:
    """Receipt messages addressed to the caller with id > ``since``, oldest first."""
    page = feed(ctx.engine, caller, since, limit, xml)
    return ReceiptFeed(receipts=page, next=page[-1].id if page else since)


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
