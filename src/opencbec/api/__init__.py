"""The HTTP API behind ``cbec serve``: enterprise submissions, receipts, webhooks (FastAPI).

:func:`create_app` builds the ASGI app from :class:`~opencbec.api.settings.Settings`;
:func:`serve` runs it with uvicorn. See ``docs/api.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from opencbec.api.settings import Settings

__all__ = ["create_app", "serve"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app (see :func:`opencbec.api.app.create_app`)."""
    from opencbec.api.app import create_app as _create

    return _create(settings)


def serve(
    db: str | None = None, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, **kw: Any
) -> None:
    """Run the API with uvicorn (see :func:`opencbec.api.server.serve`)."""
    from opencbec.api.server import serve as _serve

    _serve(db, host, port, workers, **kw)
