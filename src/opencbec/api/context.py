"""What the routes share: the wired application, the settings and the background services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine

from opencbec.api.admission import AdmissionGate
from opencbec.api.receipt_watch import OutboxWatch
from opencbec.api.settings import Settings
from opencbec.bootstrap import App
from opencbec.service.decode_pool import Verifier
from opencbec.service.online import OnlineClearer


@dataclass(slots=True)
class ApiContext:
    """Held in ``app.state.ctx``; ``wake_*`` are set by the background threads when running."""

    settings: Settings
    app: App
    clearer: OnlineClearer
    verifier: Verifier | None
    wake_worker: Callable[[], None] = field(default=lambda: None)
    wake_webhooks: Callable[[], None] = field(default=lambda: None)
    #: Long polls of the receipt feed wait on this (made by the first one).
    receipt_watch: OutboxWatch | None = None
    #: Submissions pass this first (admission control; None: no gate).
    admission: AdmissionGate | None = None

    @property
    def engine(self) -> Engine:
        """The database engine."""
        return self.app.engine


def app_context(request: Request) -> ApiContext:
    """The :class:`ApiContext` of the running app."""
    ctx: ApiContext = request.app.state.ctx
    return ctx


async def context(request: Request) -> ApiContext:
    """FastAPI dependency: the :class:`ApiContext` of the running app (async: no thread switch)."""
    return app_context(request)
