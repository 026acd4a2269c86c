"""Read-side queries of the SQL store: histories, ledgers, counts (for the CLI and the API)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import ColumnElement, Engine, func, or_, select

from opencbec.store import schema as t
from opencbec.store.keys import guid_is
from opencbec.store.numbers import EBP, IMPORT_KINDS, LOGISTICS, keys_for
from opencbec.store.repository import HistoryEntry, LedgerLine


class SqlQueries:
    """Queries on ``self.engine``; mixed into :class:`opencbec.store.sql.SqlStore`."""

    engine: Engine

    def history(self, number: str) -> list[HistoryEntry]:
        c = t.document.c
        with self.engine.connect() as conn:
            # the key itself, or an order or waybill number under any platform or carrier (``numbers``)
            keys = keys_for(conn, number, EBP, LOGISTICS, whole=True)
            keyed = c.kind.in_(IMPORT_KINDS) & c.key.in_(keys)
            cond = or_(keyed, c.invt_no == number, c.pre_no == number, guid_is(number))
            docs = conn.execute(select(c.id, c.kind, c.key, c.guid, c.pre_no, c.invt_no).where(cond)).all()
            ids = [d.id for d in docs]
            by_id = {d.id: d for d in docs}
            events = conn.execute(
                select(t.status_event)
                .where(t.status_event.c.document_id.in_(ids))
                .order_by(t.status_event.c.id)
            ).all()
        return [
            HistoryEntry(
                kind=by_id[e.document_id].kind,
                key=by_id[e.document_id].key,
                guid=by_id[e.document_id].guid,
                status=e.status,
                info=e.info,
                at=e.at,
                pre_no=by_id[e.document_id].pre_no,
                invt_no=by_id[e.document_id].invt_no,
            )
            for e in events
        ]

    def ledger(self, buyer_id: str, year: int) -> list[LedgerLine]:
        le = t.ledger_entry.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.ledger_entry).where(le.buyer_id == buyer_id, le.year == year).order_by(le.id)
            ).all()
        return [LedgerLine(r.at, r.invt_no, r.amount_fen, r.reason) for r in rows]

    def reason_counts(self, kind: str) -> dict[str, int]:
        """Current documents of ``kind`` by the reason code of their latest status."""
        c = t.document.c
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for (info,) in conn.execute(select(c.info).where(c.is_current.is_(True), c.kind == kind)):
                code = info.split(";")[0].removeprefix("[Code:") if info.startswith("[Code:") else "-"
                counts[code] = counts.get(code, 0) + 1
        return counts

    def status_counts(self, after_document: int | None = None) -> dict[str, int]:
        c = t.document.c
        current: list[ColumnElement[bool]] = [c.is_current.is_(True)]
        if after_document is not None:
            current.append(c.id > after_document)
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # counted here as the rows stream by: no index gives the documents in kind and
                # status order, so for a GROUP BY SQLite sorted every row (and scanned the (kind,
                # key) index rather than the id range of a run's documents)
                rows = conn.execute(select(c.kind, c.status).where(*current))
                return dict(Counter(f"{kind}:{status}" for kind, status in rows))
            grouped = conn.execute(
                select(c.kind, c.status, func.count()).where(*current).group_by(c.kind, c.status)
            ).all()
        return {f"{r[0]}:{r[1]}": r[2] for r in grouped}
