"""Delivering the outbox: receipt messages stored by clearing, written out exactly once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, select, update

from opencbec.store import schema as t
from opencbec.store.codec import plain
from opencbec.store.repository import OutboxRow

_CHUNK = 500


class SqlOutbox:
    """Outbox delivery on ``self.engine``; mixed into :class:`opencbec.store.sql.SqlStore`."""

    engine: Engine

    def pending_outbox(self) -> list[OutboxRow]:
        """Receipt messages stored but not yet delivered, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.outbox).where(t.outbox.c.delivered.is_(False)).order_by(t.outbox.c.id)
            )
            return [_row(r) for r in rows]

    def mark_delivered(self, ids: Sequence[int]) -> None:
        """Mark outbox rows delivered."""
        with self.engine.begin() as conn:
            for i in range(0, len(ids), _CHUNK):
                chunk = list(ids[i : i + _CHUNK])
                conn.execute(update(t.outbox).where(t.outbox.c.id.in_(chunk)).values(delivered=True))

    def deliver_pending(self, write: Callable[[list[OutboxRow]], list[int]], limit: int = 5000) -> int:
        """Hand pending receipt messages to ``write`` and mark what it wrote, in one transaction.

        The rows are locked while they are written (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
        SQLite's writer lock, taken first), so two processes never deliver the same receipt.
        Returns the number delivered; call again until it returns 0.
        """
        with self.engine.begin() as conn:
            query = (
                select(t.outbox).where(t.outbox.c.delivered.is_(False)).order_by(t.outbox.c.id).limit(limit)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            else:
                conn.execute(
                    update(t.outbox).where(t.outbox.c.id == -1).values(delivered=True)
                )  # writer lock
            rows = [_row(r) for r in conn.execute(query)]
            if not rows:
                return 0
            done = write(rows)
            for i in range(0, len(done), _CHUNK):
                chunk = done[i : i + _CHUNK]
                conn.execute(update(t.outbox).where(t.outbox.c.id.in_(chunk)).values(delivered=True))
            return len(done)


def _row(r: Any) -> OutboxRow:
    """An outbox row with its XML as encoded (decompressed when stored so, ``outbox.xml_codec``)."""
    return OutboxRow(r.message_type, r.receiver, r.guid, plain(r.xml, r.xml_codec), r.id)
