"""Export endpoints for officers: the monthly summary, overdue lists, an export list's state.

Include with ``app.include_router(export_routes.router)`` (or list the module in
``OPTIONAL_ROUTERS``). Export messages themselves are cleared by ``cbec clear`` (see docs/export.md).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from opencbec.api.auth import Officer, require_officer
from opencbec.export.cli import _declarations
from opencbec.service.export_clear import export_list_view, overdue_lists, summarize_month

router = APIRouter(prefix="/v1/export", tags=["export"])
Viewer = Annotated[Officer, Depends(require_officer("viewer"))]
Supervisor = Annotated[Officer, Depends(require_officer("supervisor"))]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


class SummaryRequest(BaseModel):
    """``POST /v1/export/summaries``: what ``cbec export summarize`` takes."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2024-06"])
    enterprise: str | None = Field(default=None, max_length=18)
    summaryFlag: str = Field(default="1", pattern="^[12]$")  # noqa: N815 - the CEB701 name
    itemNameFlag: str = Field(default="0", pattern="^[01]$")  # noqa: N815


@router.post("/summaries")
def summarize(body: SummaryRequest, request: Request, officer: Supervisor) -> list[dict[str, Any]]:
    """Summarise the lists closed in ``month`` into declarations (and send the CEB792 results)."""
    done = summarize_month(
        _engine(request),
        body.month,
        body.enterprise,
        summary_flag=body.summaryFlag,
        item_name_flag=body.itemNameFlag,
    )
    return [
        {"ebcCode": s.ebc_code, "sumNo": s.outcome.sum_no, "declarations": _declarations(s)} for s in done
    ]


@router.get("/overdue")
def overdue(
    request: Request, officer: Viewer, as_of: Annotated[date | None, Query()] = None
) -> list[dict[str, Any]]:
    """Lists closed last month and not summarised after the 15th."""
    lists = overdue_lists(_engine(request), as_of or date.today())
    return [
        {"invtNo": c.invt_no, "ebcCode": c.document.head.ebc_code, "closedAt": c.closed_at} for c in lists
    ]


@router.get("/lists/{number}")
def export_list(number: str, request: Request, officer: Viewer) -> dict[str, Any]:
    """An export list by invtNo or waybill number."""
    view = export_list_view(_engine(request), number)
    if view is None:
        raise HTTPException(404, f"no export list {number}")
    return view
