"""``POST /v1/messages`` answered before FastAPI's middleware, routing and dependency injection.

Submissions are the bulk of the online traffic, and for a one-document message FastAPI's
middleware, routing and dependency resolution cost several times the decoding of the message
itself. :class:`SubmitFirst` (the app of ``cbec serve``) hands that one route, before anything of
FastAPI's own runs, to :func:`submit`, with the same code as the FastAPI route (the caller from
:func:`opencbec.api.auth.request_principal`, the answer from :func:`opencbec.api.enterprise.accept`,
errors through FastAPI's own ``HTTPException`` handler), inside the access log, so the answers
are the same (tested against the route); an unexpected error is answered 500 as Starlette's
``ServerErrorMiddleware`` answers it, and raised on to the server, which logs it. Every other
request, and the OpenAPI description of this one, goes through FastAPI as before.

What submissions skip is FastAPI's per-request middleware: its own OpenTelemetry instrumentation
(active only when an OpenTelemetry provider is configured in the process; OpenCBEC's metrics are
its Prometheus ones, ``/metrics``) and its application-wide body limit (not set: a submission's
size is limited by ``OPENCBEC_MAX_MESSAGE_BYTES`` as before).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.exception_handlers import http_exception_handler
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opencbec.api.auth import enterprise_code, request_principal
from opencbec.api.context import app_context
from opencbec.api.enterprise import accept
from opencbec.api.logs import AccessLog

SUBMIT_PATH = "/v1/messages"


async def submit(scope: Scope, receive: Receive, send: Send) -> None:
    """ASGI: answer one ``POST /v1/messages`` (``scope["app"]`` is the FastAPI app)."""
    request = Request(scope, receive)
    started = False

    async def tracked(message: Message) -> None:
        nonlocal started
        started = True
        await send(message)

    response: Response
    try:
        try:
            caller = enterprise_code(await request_principal(request))
            response = await accept(request, caller, app_context(request))
        except HTTPException as exc:
            response = await http_exception_handler(request, exc)
        await response(scope, receive, tracked)
    except Exception:
        if not started:  # as Starlette's ServerErrorMiddleware answers (not in debug mode)
            await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
        raise


class SubmitFirst(FastAPI):
    """The FastAPI app, with ``POST /v1/messages`` (exactly) answered by :func:`submit` inside the
    access log before FastAPI's own middleware; with ``submit_first=False`` a plain FastAPI app."""

    def __init__(self, *args: Any, submit_first: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submit_app: ASGIApp | None = AccessLog(submit) if submit_first else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.submit_app is not None
            and scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == SUBMIT_PATH
            and not self.root_path
        ):
            scope["app"] = self
            await self.submit_app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
