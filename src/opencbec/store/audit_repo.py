"""The append-only audit log of officers' actions (SQLite and PostgreSQL).

Every officer request that changes state or reads sensitive data leaves one row: who (officer and
role), what (action), on what (target: an invtNo, a search, ...), details (JSON) and when (UTC).
There is deliberately no API to update or delete a row, and the database refuses it as well: a
trigger aborts any ``UPDATE`` or ``DELETE`` on the table (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("officer", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Index("ix_audit_target", "target"),
    Index("ix_audit_officer_at", "officer", "at"),
    Index("ix_audit_at", "at"),
)

_GUARDS = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    ],
}


@event.listens_for(audit_log, "after_create")
def _append_only(_target: Table, connection: Connection, **_kw: Any) -> None:
    """Make the database itself refuse updates and deletes of the audit log."""
    for statement in _GUARDS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


def utc_now() -> datetime:
    """The current time in UTC, naive (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(slots=True)
class AuditEntry:
    """One officer action."""

    officer: str
    role: str
    action: str
    target: str
    details: Mapping[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utc_now)
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "officer": self.officer,
            "role": self.role,
            "action": self.action,
            "target": self.target,
            "details": dict(self.details),
        }


class AuditLog:
    """Appends to and queries the audit log; there is no update or delete."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def append(self, entry: AuditEntry, conn: Connection | None = None) -> int:
        """Append ``entry`` (on ``conn``, inside the caller's transaction, when given); returns its id."""
        if conn is not None:
            return self._insert(conn, entry)
        with self.engine.begin() as own:
            return self._insert(own, entry)

    @staticmethod
    def _insert(conn: Connection, entry: AuditEntry) -> int:
        row = {
            "at": entry.at,
            "officer": entry.officer,
            "role": entry.role,
            "action": entry.action,
            "target": entry.target[:200],
            "details": json.dumps(dict(entry.details), ensure_ascii=False, sort_keys=True, default=str),
        }
        new_id = conn.execute(audit_log.insert().returning(audit_log.c.id), row).scalar_one()
        entry.id = int(new_id)
        return entry.id

    def query(
        self,
        *,
        target: str | None = None,
        officer: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Entries matching every filter given, oldest first; ``until`` is exclusive."""
        c = audit_log.c
        stmt = select(audit_log)
        if target is not None:
            stmt = stmt.where(c.target == target)
        if officer is not None:
            stmt = stmt.where(c.officer == officer)
        if action is not None:
            stmt = stmt.where(c.action == action)
        if since is not None:
            stmt = stmt.where(c.at >= since)
        if until is not None:
            stmt = stmt.where(c.at < until)
        stmt = stmt.order_by(c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [
                AuditEntry(
                    officer=r.officer,
                    role=r.role,
                    action=r.action,
                    target=r.target,
                    details=json.loads(r.details),
                    at=r.at,
                    id=r.id,
                )
                for r in conn.execute(stmt)
            ]

    def count(self) -> int:
        """Number of entries."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
