"""The ASGI application of ``cbec serve`` (FastAPI): OpenAPI at ``/openapi.json``, docs at ``/docs``.

:func:`create_app` wires the application (``bootstrap.build``), the online clearing worker and
the webhook delivery loop (both started with the app's lifespan), the enterprise API and, when
their modules are installed, the officer (``opencbec.api.officers``) and operations
(``opencbec.api.ops``) routers.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI

from opencbec import bootstrap
from opencbec.api import enterprise
from opencbec.api.admission import AdmissionGate
from opencbec.api.background import Loop, clearing_loop, webhook_loop
from opencbec.api.context import ApiContext
from opencbec.api.fast_submit import SubmitFirst
from opencbec.api.logs import AccessLog, configure_logging
from opencbec.api.queries import clearing_backlog
from opencbec.api.settings import Settings, load_settings
from opencbec.gc_tuning import tune_garbage_collector
from opencbec.service.online import OnlineClearer
from opencbec.service.signature_policy import SignaturePolicy
from opencbec.service.webhooks import WebhookDispatcher
from opencbec.store.api_repo import ensure_api_tables
from opencbec.store.enterprise_repo import EnterpriseRegistry

if TYPE_CHECKING:  # the ops module is optional at run time
    from opencbec.api.ops import Metrics

log = logging.getLogger("opencbec.api")
#: The interpreter's thread switch interval in a server process (Python's default is 5 ms). The
#: clearing worker is CPU-bound; a request or intake-journal thread coming back from the database,
#: the network or a lock waits up to this long for the interpreter lock, several times per request.
SWITCH_INTERVAL_S = 0.0005
OPTIONAL_ROUTERS = (
    "opencbec.api.officers",
    "opencbec.api.ops",
    "opencbec.api.export_routes",
    "opencbec.api.risk_routes",
)
DESCRIPTION = """Customs clearance of cross-border e-commerce imports (CEB 2022 messages).

Enterprises submit CEB311/411/511/621/623/625 messages and get the synchronous acceptance or
the CEB900 at once; business receipts follow asynchronously (poll, cursor feed, webhook).
Every call needs `Authorization: Bearer <token>`. See docs/api.md.
"""


def _optional_router(module: str) -> APIRouter | None:
    """``module.router`` if the module imports, else None (logged)."""
    try:
        router = getattr(importlib.import_module(module), "router", None)
    except ImportError as exc:
        log.info(
            "optional router not loaded",
            extra={"event": "router_missing", "module": module, "error": str(exc)},
        )
        return None
    return router if isinstance(router, APIRouter) else None


def _metrics() -> Metrics | None:
    """The process's Prometheus metrics, if the ops module is installed."""
    try:
        from opencbec.api.ops import metrics
    except ImportError:  # pragma: no cover - ops router absent
        return None
    return metrics


def build_context(settings: Settings) -> ApiContext:
    """The wired application for ``settings`` (no thread started)."""
    rate = Decimal(settings.inspection_rate) if settings.inspection_rate is not None else None
    wired = bootstrap.build(settings.db, inspection_rate=rate)
    ensure_api_tables(wired.engine)
    metrics = _metrics()
    clearer = OnlineClearer(
        wired.store,
        wired.rulebook,
        wired.config,
        clock=settings.clock,
        max_messages=settings.batch_max_messages,
        observer=metrics,
        keep_decoded=settings.worker,
    )
    verifier = SignaturePolicy(EnterpriseRegistry(wired.engine)) if settings.signatures == "verify" else None
    admission = AdmissionGate(
        partial(clearing_backlog, wired.engine, clearer.journal),
        settings.admit_backlog,
        settings.admit_wait_s,
        observe=metrics.count_admission if metrics is not None else None,
    )
    return ApiContext(settings, wired, clearer, verifier, admission=admission)


def create_app(settings: Settings | None = None, *, fast_submit: bool = True) -> FastAPI:
    """The FastAPI app on ``settings`` (default: from the environment).

    ``fast_submit`` answers ``POST /v1/messages`` before FastAPI's middleware and routing
    (:mod:`opencbec.api.fast_submit`, the same answers); False leaves it to the FastAPI route.
    """
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    if settings.http_nice:
        os.nice(settings.http_nice)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    ctx = build_context(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loops = start_loops(ctx)
        log.info(
            "server started",
            extra={
                "event": "start",
                "clock": settings.clock,
                "signatures": settings.signatures,
                "loops": [x.name for x in loops],
            },
        )
        try:
            yield
        finally:
            for loop in loops:
                loop.stop()
            ctx.wake_worker = ctx.wake_webhooks = _noop
            ctx.app.engine.dispose()

    app = SubmitFirst(
        title="OpenCBEC",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        submit_first=fast_submit,
    )
    app.state.ctx = ctx
    app.state.engine = ctx.engine
    app.state.admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
    app.add_middleware(AccessLog)
    app.include_router(enterprise.router)
    for module in OPTIONAL_ROUTERS:
        router = _optional_router(module)
        if router is not None:
            app.include_router(router)
    build_routes(app.router.routes)
    return app


def build_routes(routes: Iterable[Any]) -> None:
    """Build every included router's routes now, once, in this thread.

    Since FastAPI 0.137 an included router builds its routes (and their pydantic adapters) lazily,
    on the first request that reaches it. Two apps served from one process by different threads
    (the tests' "two workers") then build adapters for the same types at once, which pydantic does
    not support: a first request could fail with a 500. Building at start also takes that cost off
    the first requests. On older FastAPI, where routes are built by ``include_router``, this is a no-op.
    """
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):
            build_routes(candidates())
            low_priority = getattr(route, "effective_low_priority_routes", None)
            if callable(low_priority):
                low_priority()


def _noop() -> None:
    return None


def start_loops(ctx: ApiContext, poll_seconds: float | None = None) -> list[Loop]:
    """Start the background loops the settings ask for in this process (clearing, webhooks)."""
    settings, loops = ctx.settings, []
    if settings.webhooks:
        dispatcher = WebhookDispatcher(
            ctx.engine,
            timeout=settings.webhook_timeout_s,
            base_delay=settings.webhook_base_delay_ms / 1000,
            max_delay=settings.webhook_max_delay_s,
        )
        hooks = webhook_loop(dispatcher, settings.webhook_poll_ms)
        ctx.wake_webhooks = hooks.wake
        loops.append(hooks)
    if settings.worker:
        tick = settings.tick_seconds if settings.clock == "wall" else None
        wake, window = ctx.wake_webhooks, settings.batch_window_ms
        worker = clearing_loop(ctx.clearer, window, tick, on_cleared=wake, poll_seconds=poll_seconds)
        ctx.wake_worker = worker.wake
        loops.append(worker)
    for loop in loops:
        loop.start()
    return loops


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory opencbec.api.app:app_from_env``.

    Settings from the environment and the file named by ``OPENCBEC_ENV_FILE``, if any.
    """
    tune_garbage_collector()  # an HTTP process of ``cbec serve --workers N`` (not started by ``cbec``)
    env_file = os.environ.get("OPENCBEC_ENV_FILE")
    return create_app(load_settings(Path(env_file) if env_file else None))
