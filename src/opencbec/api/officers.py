"""Officers' endpoints: search, a parcel's documents and history, the inspection queue, results, audit.

Roles (``opencbec.api.auth``): viewer < inspector < supervisor < admin.

| endpoint | role | audited |
|---|---|---|
| ``GET /v1/officer/documents`` (search) | viewer | ``documents.search`` |
| ``GET /v1/officer/parcels/{number}`` (four documents + history) | viewer | ``parcel.read`` |
| ``GET /v1/officer/inspections`` (queue, oldest first) | inspector | no (no personal data) |
| ``POST /v1/officer/inspections/{invtNo}`` release / detain | inspector | ``inspection.record`` |
| ``POST /v1/officer/inspections/{invtNo}`` return abroad | supervisor | ``inspection.record`` |
| ``GET /v1/officer/audit`` | supervisor | ``audit.read`` |

Refused results (wrong status: 409, unknown list: 404) and role denials decided on the body
(return abroad by an inspector: 403) are audited too (``inspection.refused`` / ``inspection.denied``).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field

from opencbec.api.auth import Officer, require_officer
from opencbec.api.context import app_context
from opencbec.api.document_search import DocumentSearch, search
from opencbec.api.ops import metrics
from opencbec.bootstrap import App
from opencbec.clearing.inspection import InspectionRefusedError, ListNotFoundError, Outcome
from opencbec.domain.documents import DocumentKind
from opencbec.service.inspection import CUSTOMS_TZ, InspectionService, inspection_queue, parcel_rows
from opencbec.store.audit_repo import AuditEntry, AuditLog
from opencbec.store.record_arrays import document_payload

router = APIRouter(prefix="/v1/officer", tags=["officers"])

#: The lowest role that may record each outcome (return abroad sends goods out of the country).
OUTCOME_ROLE: dict[Outcome, str] = dict.fromkeys(Outcome, "inspector") | {Outcome.RETURN_ABROAD: "supervisor"}
OutcomeName = Literal[
    "release", "detain_clearance", "detain_smuggling", "detain_legal", "detain_other", "return_abroad"
]

Viewer = Annotated[Officer, Depends(require_officer("viewer"))]
Inspector = Annotated[Officer, Depends(require_officer("inspector"))]
Supervisor = Annotated[Officer, Depends(require_officer("supervisor"))]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]

_lock = threading.Lock()


class Services:
    """The officers' services of one app (built once per app)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.audit = AuditLog(app.engine)
        self.inspection = InspectionService(app.store, app.rulebook, app.config, self.audit)


def services(request: Request) -> Services:
    """FastAPI dependency: the officers' services, built on first use."""
    state = request.app.state
    with _lock:
        if getattr(state, "officer_services", None) is None:
            state.officer_services = Services(app_context(request).app)
    svc: Services = state.officer_services
    return svc


Svc = Annotated[Services, Depends(services)]


def _audit(svc: Services, officer: Officer, action: str, target: str, details: dict[str, Any]) -> None:
    svc.audit.append(AuditEntry(officer.name, officer.role, action, target, details))
    metrics.count_officer_action(action)


def _naive(value: datetime | None, zone: tzinfo) -> datetime | None:
    """A query time as stored: naive, in ``zone`` (an aware value is converted, a naive one kept)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def _doc_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "key": row.key,
        "guid": row.guid,
        "status": row.status,
        "returnInfo": row.info,
        "invtNo": row.invt_no,
        "preNo": row.pre_no,
        "buyerId": row.buyer_id,
        "sender": row.sender,
        "receivedAt": row.received_at.isoformat() if row.received_at else None,
        "current": row.is_current,
    }


@router.get("/documents")
def search_documents(
    officer: Viewer,
    svc: Svc,
    order_no: Annotated[str | None, Query(alias="orderNo", max_length=60)] = None,
    invt_no: Annotated[str | None, Query(alias="invtNo", max_length=20)] = None,
    logistics_no: Annotated[str | None, Query(alias="logisticsNo", max_length=60)] = None,
    buyer_id: Annotated[str | None, Query(alias="buyerId", max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=8)] = None,
    since: Annotated[datetime | None, Query(description="received at or after")] = None,
    until: Annotated[datetime | None, Query(description="received before")] = None,
    current_only: Annotated[bool, Query(alias="currentOnly")] = True,
    page: Page = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    """Documents matching every filter given, newest first, paginated (times: Beijing unless zoned)."""
    query = DocumentSearch(
        order_no=order_no,
        invt_no=invt_no,
        logistics_no=logistics_no,
        buyer_id=buyer_id,
        kind=kind,
        status=status_,
        since=_naive(since, CUSTOMS_TZ),
        until=_naive(until, CUSTOMS_TZ),
        current_only=current_only,
    )
    rows, more = search(svc.app.engine, query, page, page_size)
    filters = query.filters()
    items = [_doc_summary(r) for r in rows]
    _audit(
        svc, officer, "documents.search", "search", {"filters": filters, "page": page, "results": len(items)}
    )
    return {"page": page, "pageSize": page_size, "hasMore": more, "items": items}


@router.get("/parcels/{number}")
def parcel(
    officer: Viewer,
    svc: Svc,
    number: Annotated[str, Path(max_length=60, description="orderNo, invtNo or logisticsNo")],
) -> dict[str, Any]:
    """A parcel's order, payment, waybill and list (all fields), with its cancels, returns and history."""
    docs, after = parcel_rows(svc.app.engine, number)
    if not docs:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no parcel known by {number!r}")
    history = []
    numbers = {r.key for r in docs.values()} | {r.invt_no for r in docs.values() if r.invt_no}
    seen: set[tuple[str, str, str, str]] = set()
    for n in sorted(numbers):
        for h in svc.app.store.history(n):
            mark = (h.kind, h.key, h.status, f"{h.at.isoformat()}|{h.info}")
            if mark not in seen:
                seen.add(mark)
                history.append(h)
    history.sort(key=lambda h: h.at)

    def full(row: Any) -> dict[str, Any]:
        return {**_doc_summary(row), "document": document_payload(DocumentKind(row.kind), row.data)}

    result = {
        "number": number,
        **{
            kind: full(docs[kind]) if kind in docs else None
            for kind in ("order", "payment", "waybill", "inventory")
        },
        "aftercare": [full(r) for r in after],
        "history": [
            {"kind": h.kind, "key": h.key, "status": h.status, "info": h.info, "at": h.at.isoformat()}
            for h in history
        ],
    }
    target = docs["inventory"].invt_no if "inventory" in docs and docs["inventory"].invt_no else number
    _audit(svc, officer, "parcel.read", target, {"number": number, "documents": sorted(docs)})
    return result


@router.get("/inspections")
def queue(
    officer: Inspector,
    svc: Svc,
    status_: Annotated[Literal["500", "300"], Query(alias="status")] = "500",
    page: Page = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    """Lists waiting for an officer (500 inspection by default, or 300 manual review), oldest first."""
    rows = inspection_queue(svc.app.engine, status_, limit=page_size + 1, offset=(page - 1) * page_size)
    return {
        "status": status_,
        "page": page,
        "pageSize": page_size,
        "hasMore": len(rows) > page_size,
        "items": rows[:page_size],
    }


class InspectionBody(BaseModel):
    """An inspection result."""

    outcome: OutcomeName
    note: str = Field(default="", max_length=1000)


@router.post("/inspections/{invt_no}")
def record_result(
    request: Request,
    officer: Inspector,
    svc: Svc,
    body: InspectionBody,
    invt_no: Annotated[str, Path(max_length=20)],
) -> dict[str, Any]:
    """Record an inspection result on a list under inspection (500) or manual review (300)."""
    outcome = Outcome[body.outcome.upper()]
    needed = OUTCOME_ROLE[outcome]
    details = {"outcome": body.outcome, "note": body.note}
    if not officer.has_role(needed):
        _audit(svc, officer, "inspection.denied", invt_no, {**details, "required": needed})
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"{body.outcome} requires the role {needed!r} or above"
        )
    try:
        done = svc.inspection.record(invt_no, outcome, officer.name, officer.role, body.note)
    except InspectionRefusedError as exc:
        _audit(svc, officer, "inspection.refused", invt_no, {**details, "error": str(exc)})
        code = status.HTTP_404_NOT_FOUND if isinstance(exc, ListNotFoundError) else status.HTTP_409_CONFLICT
        raise HTTPException(code, detail=str(exc)) from exc
    metrics.count_officer_action("inspection.record")
    metrics.count_inspection(body.outcome)
    app_context(request).wake_webhooks()  # the receipts are in the outbox: deliver them now
    return done.as_dict()


@router.get("/audit")
def audit_log(
    officer: Supervisor,
    svc: Svc,
    target: Annotated[str | None, Query(max_length=200)] = None,
    by: Annotated[str | None, Query(alias="officer", max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: Page = 1,
    page_size: PageSize = 100,
) -> dict[str, Any]:
    """Audit entries (oldest first), by target, officer, action and time (UTC, ``until`` exclusive)."""
    since, until = _naive(since, UTC), _naive(until, UTC)
    entries = svc.audit.query(
        target=target,
        officer=by,
        action=action,
        since=since,
        until=until,
        limit=page_size + 1,
        offset=(page - 1) * page_size,
    )
    filters = {k: v for k, v in {"target": target, "officer": by, "action": action}.items() if v}
    _audit(svc, officer, "audit.read", "audit", {"filters": filters, "page": page})
    return {
        "page": page,
        "pageSize": page_size,
        "hasMore": len(entries) > page_size,
        "items": [e.as_dict() for e in entries[:page_size]],
    }
