"""``POST /v1/messages`` answered without FastAPI's routing and dependency injection.

Submissions are the bulk of the online traffic, and for a one-document message FastAPI's
middleware, routing and dependency resolution cost several times the decoding of the message
itself. This ASGI layer answers that one route directly, with the same code as the FastAPI route
(the caller from :func:`opencbec.api.auth.request_principal`, the answer from
:func:`opencbec.api.enterprise.accept`, errors through FastAPI's own ``HTTPException`` handler),
so the answers are the same (tested against the route). Every other request, and the OpenAPI
description of this one, goes through FastAPI as before.
"""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.exception_handlers import http_exception_handler
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from opencbec.api.auth import enterprise_code, request_principal
from opencbec.api.context import app_context
from opencbec.api.enterprise import accept

SUBMIT_PATH = "/v1/messages"


class SubmitFastPath:
    """ASGI middleware: ``POST /v1/messages`` (exactly) answered here, everything else passed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != SUBMIT_PATH:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response: Response
        try:
            caller = enterprise_code(await request_principal(request))
            response = await accept(request, caller, app_context(request))
        except HTTPException as exc:
            response = await http_exception_handler(request, exc)
        await response(scope, receive, send)
