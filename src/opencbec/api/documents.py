"""Documents by business number: current status and history, for the parties to them only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from opencbec.api.auth import require_enterprise
from opencbec.api.context import ApiContext, context
from opencbec.api.models import DocumentView
from opencbec.api.queries import documents

router = APIRouter(tags=["documents"])
Caller = Annotated[str, Depends(require_enterprise)]
Ctx = Annotated[ApiContext, Depends(context)]


@router.get("/documents", response_model=list[DocumentView], responses={404: {"description": "none"}})
def find_documents(
    caller: Caller,
    ctx: Ctx,
    order_no: Annotated[str | None, Query(alias="orderNo", min_length=1, max_length=64)] = None,
    invt_no: Annotated[str | None, Query(alias="invtNo", min_length=1, max_length=64)] = None,
    logistics_no: Annotated[str | None, Query(alias="logisticsNo", min_length=1, max_length=64)] = None,
) -> list[DocumentView]:
    """The documents known by exactly one of orderNo, invtNo, logisticsNo that the caller is party to.

    Documents of other parties are not shown (404 when nothing visible is found).
    """
    given = [
        (f, v) for f, v in (("orderNo", order_no), ("invtNo", invt_no), ("logisticsNo", logistics_no)) if v
    ]
    if len(given) != 1:
        raise HTTPException(422, detail="give exactly one of orderNo, invtNo, logisticsNo")
    field, value = given[0]
    found = documents(ctx.engine, field, value, caller)
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no document of yours with {field} {value}")
    return found
