"""Operations endpoints (``/health``, ``/ready``, ``/metrics``), the metrics and JSON logging.

- ``/health``: liveness, no dependency touched.
- ``/ready``: the database answers a query and the rules in force today load.
- ``/metrics``: Prometheus text format. Counters and histograms are fed by the drivers through the
  module-level ``metrics`` object (``observe_batch``, ``count_message``, ``set_queue_depth``); the
  documents-by-status and outbox gauges are read from the database at scrape time (at most once per
  ``STATUS_TTL`` seconds, the query being a ``GROUP BY`` over current documents).
"""

from __future__ import annotations

import logging
import time
from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select, text

from opencbec.api.context import app_context
from opencbec.api.logs import configure_logging as configure_api_logging
from opencbec.store import schema as t

#: Seconds between two reads of the documents-by-status gauge.
STATUS_TTL = 15.0

router = APIRouter(tags=["operations"])


class Metrics:
    """The process's Prometheus metrics, on their own registry (no clash between app instances)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages = Counter(
            "opencbec_messages",
            "Messages received, by message type and outcome",
            ["type", "outcome"],
            registry=r,
        )
        self.batch_seconds = Histogram(
            "opencbec_clearing_batch_seconds",
            "Time to clear one batch (read state, clear, write effects)",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.batch_documents = Counter(
            "opencbec_cleared_documents", "Documents cleared by the drivers", registry=r
        )
        self.queue_depth = Gauge(
            "opencbec_queue_depth", "Messages waiting to be cleared, by queue", ["queue"], registry=r
        )
        self.documents = Gauge(
            "opencbec_documents", "Current documents by kind and status", ["kind", "status"], registry=r
        )
        self.outbox_pending = Gauge(
            "opencbec_outbox_pending", "Receipt messages not yet delivered", registry=r
        )
        self.officer_actions = Counter(
            "opencbec_officer_actions", "Audited officer actions, by action", ["action"], registry=r
        )
        self.inspections = Counter(
            "opencbec_inspection_results", "Inspection results recorded, by outcome", ["outcome"], registry=r
        )
        self.admission = Counter(
            "opencbec_admission",
            "Submissions held back by admission control, by outcome (waited, then accepted; refused, 503)",
            ["outcome"],
            registry=r,
        )
        self._status_read_at = 0.0

    # -- called by the drivers -------------------------------------------------------------
    def observe_batch(self, seconds: float, documents: int) -> None:
        """One batch cleared in ``seconds`` with ``documents`` documents."""
        self.batch_seconds.observe(seconds)
        self.batch_documents.inc(documents)

    def count_message(self, message_type: str, outcome: str) -> None:
        """One message received (``outcome``: accepted, rejected, replay, ...)."""
        self.messages.labels(message_type or "unknown", outcome).inc()

    def set_queue_depth(self, n: int, queue: str = "inbound") -> None:
        """Messages waiting in ``queue``."""
        self.queue_depth.labels(queue).set(n)

    def count_admission(self, outcome: str) -> None:
        """A submission that admission control held back (``waited`` or ``refused``)."""
        self.admission.labels(outcome).inc()

    def count_officer_action(self, action: str) -> None:
        """An audited officer action."""
        self.officer_actions.labels(action).inc()

    def count_inspection(self, outcome: str) -> None:
        """An inspection result recorded."""
        self.inspections.labels(outcome).inc()

    # -- read at scrape time -----------------------------------------------------------
    def refresh_from_db(self, request: Request, *, force: bool = False) -> None:
        """Update the database gauges, at most every ``STATUS_TTL`` seconds."""
        now = time.monotonic()
        if not force and now - self._status_read_at < STATUS_TTL:
            return
        app = app_context(request).app
        counts = app.store.status_counts()
        self.documents.clear()
        for name, n in counts.items():
            kind, _, status = name.partition(":")
            self.documents.labels(kind, status or "pending").set(n)
        with app.engine.connect() as conn:
            pending = conn.execute(
                select(func.count()).select_from(t.outbox).where(t.outbox.c.delivered.is_(False))
            ).scalar_one()
        self.outbox_pending.set(pending)
        self._status_read_at = now

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)


metrics = Metrics()


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/ready")
def ready(request: Request) -> JSONResponse:
    """Readiness: the database is reachable and today's rules load."""
    checks: dict[str, str] = {}
    app = app_context(request).app
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        app.rulebook.at(date.today())
        checks["rules"] = "ok"
    except Exception as exc:
        checks["rules"] = f"error: {type(exc).__name__}: {exc}"[:200]
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, 200 if ok else 503)


@router.get("/metrics")
def prometheus(request: Request) -> Response:
    """Prometheus metrics."""
    try:
        metrics.refresh_from_db(request)
    except Exception:  # the process metrics still matter when the database is down
        logging.getLogger(__name__).exception("metrics: database gauges not refreshed")
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


# -- structured logging ---------------------------------------------------------------------
def configure_logging(level: str | int = "INFO") -> None:
    """JSON lines on stderr at ``level`` for the ``opencbec`` loggers (``opencbec.api.logs``' formatter)."""
    configure_api_logging("json", level if isinstance(level, str) else logging.getLevelName(level))
