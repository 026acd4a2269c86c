"""Officers' risk endpoints: read and change the risk rules, see why lists were selected.

| endpoint | role | audited |
|---|---|---|
| ``GET /v1/officer/risk/rules`` (every version, file and stored) | viewer | no |
| ``PUT /v1/officer/risk/rules/{id}`` (a new version; validated) | supervisor | ``risk.rule.change`` |
| ``GET /v1/officer/risk/selections`` (``?invtNo=``; reasons, score, outcome) | inspector | no |
| ``GET /v1/officer/risk/queue`` (selected lists awaiting an outcome, with reasons) | inspector | no |
| ``GET /v1/officer/risk/precision`` (per rule, model, random; from outcomes) | supervisor | no |

A changed rule takes effect at once in this process's clearing when the clearing config holds an
``opencbec.risk.assessor.RiskAssessor`` (its rules are replaced), else at the next start.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query

from opencbec.api.auth import Officer, require_officer
from opencbec.api.context import ApiContext, context
from opencbec.risk.assessor import RiskAssessor
from opencbec.risk.rules import RuleError, parse_rule
from opencbec.risk.wiring import effective_definitions, effective_rules
from opencbec.store import risk_repo
from opencbec.store.audit_repo import AuditEntry, AuditLog

router = APIRouter(prefix="/v1/officer/risk", tags=["risk"])

Viewer = Annotated[Officer, Depends(require_officer("viewer"))]
Inspector = Annotated[Officer, Depends(require_officer("inspector"))]
Supervisor = Annotated[Officer, Depends(require_officer("supervisor"))]
Ctx = Annotated[ApiContext, Depends(context)]


@router.get("/rules")
def list_rules(officer: Viewer, ctx: Ctx) -> dict[str, Any]:
    """The rules in force (the shipped file with the officers' stored versions) and their history."""
    with ctx.engine.connect() as conn:
        history = risk_repo.stored_rules(conn)
    return {"rules": effective_definitions(ctx.engine), "history": history}


@router.put("/rules/{rule_id}")
def change_rule(
    officer: Supervisor,
    ctx: Ctx,
    rule_id: Annotated[str, Path(max_length=64)],
    definition: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Store a new version of a rule (id from the path; the version is assigned)."""
    data = {**definition, "id": rule_id, "version": 1}
    try:
        parse_rule(data)
    except RuleError as exc:
        raise HTTPException(422, str(exc)) from exc  # Unprocessable Content
    now = datetime.now(UTC).replace(tzinfo=None)
    with ctx.engine.begin() as conn:
        saved = risk_repo.save_rule(conn, data, officer.name, now)
    AuditLog(ctx.engine).append(
        AuditEntry(officer.name, officer.role, "risk.rule.change", f"risk-rule:{rule_id}", saved)
    )
    assessor = ctx.app.config.risk
    if isinstance(assessor, RiskAssessor):
        assessor.rules = effective_rules(ctx.engine)
    return saved


@router.get("/selections")
def list_selections(
    officer: Inspector,
    ctx: Ctx,
    invt_no: Annotated[str | None, Query(alias="invtNo", max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Selections, newest first, with the rules that fired, the model score and the outcome."""
    with ctx.engine.connect() as conn:
        return {"selections": risk_repo.selections(conn, invt_no=invt_no, limit=limit)}


@router.get("/queue")
def risk_queue(officer: Inspector, ctx: Ctx) -> dict[str, Any]:
    """Selected lists still under inspection or manual review, with their reasons."""
    with ctx.engine.connect() as conn:
        return {"queue": risk_repo.selections(conn, open_only=True, limit=1000)}


@router.get("/precision")
def precision(officer: Supervisor, ctx: Ctx) -> dict[str, Any]:
    """Precision of past selections per rule, for the model and for the random share."""
    with ctx.engine.connect() as conn:
        return {"precision": risk_repo.precision(conn)}
