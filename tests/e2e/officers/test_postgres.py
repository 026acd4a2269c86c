"""The inspection service and the audit log on PostgreSQL (skipped without a server)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from opencbec.bootstrap import build
from opencbec.clearing.inspection import InspectionRefusedError, Outcome
from opencbec.service.inspection import InspectionService, inspection_queue
from opencbec.store import schema as t
from opencbec.store.audit_repo import AuditLog
from tests.e2e.officers.conftest import clear_inspected
from tests.parcels import buyer_id, make_parcel

pytestmark = pytest.mark.postgres


def test_results_receipts_ledger_and_audit_commit_together_on_postgres(pg_url: str, tmp_path: Path) -> None:
    parcels = [make_parcel(buyer=buyer_id(n + 11)) for n in range(2)]
    invt_nos = clear_inspected(pg_url, tmp_path / "in", parcels)
    app = build(pg_url)
    audit = AuditLog(app.engine)
    service = InspectionService(
        app.store, app.rulebook, app.config, audit, clock=lambda: datetime(2024, 6, 2, 2, 0, tzinfo=UTC)
    )
    assert [q["invtNo"] for q in inspection_queue(app.engine)] == invt_nos
    released = service.record(invt_nos[0], Outcome.RELEASE, "li.wei", "inspector")
    assert (released.status, released.tax_notes) == ("800", 1)
    returned = service.record(invt_nos[1], Outcome.RETURN_ABROAD, "wang.fang", "supervisor", "banned goods")
    assert returned.ledger_reversed == Decimal("210.00")
    with pytest.raises(InspectionRefusedError):
        service.record(invt_nos[1], Outcome.RELEASE, "li.wei", "inspector")
    buyer = parcels[1].inventory.head.buyer_id_number
    assert [x.amount_fen for x in app.store.ledger(buyer, 2024)] == [21000, -21000]
    history = app.store.history(invt_nos[0])
    assert history[-1].status == "800" and history[-1].at == datetime(2024, 6, 2, 10, 0)  # Beijing time
    with app.engine.connect() as conn:
        types = conn.execute(
            select(t.outbox.c.message_type, func.count()).group_by(t.outbox.c.message_type)
        ).all()
    assert {r[0]: r[1] for r in types}["CEB816Message"] == 1
    entries = audit.query(action="inspection.record")
    assert [(e.target, e.officer) for e in entries] == [(invt_nos[0], "li.wei"), (invt_nos[1], "wang.fang")]
    assert entries[1].details["note"] == "banned goods"
    for statement in ("UPDATE audit_log SET officer = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), app.engine.begin() as conn:
            conn.execute(text(statement))
    AuditLog(app.engine)  # idempotent on an existing table
    assert audit.count() == 2
    app.engine.dispose()
