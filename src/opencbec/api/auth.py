"""Who is calling: bearer tokens for enterprises and officers, and the FastAPI dependencies.

Tokens are random (``cbec_`` + 43 URL-safe characters, 256 bits) and shown once when issued;
only their SHA-256 is stored (``api_credential``), compared in constant time. A principal is an
enterprise (its customs code) or an officer (name and role). Roles are ordered
``viewer < inspector < supervisor < admin``: ``require_officer("inspector")`` admits inspectors,
supervisors and admins. A bootstrap admin token may be configured (``OPENCBEC_ADMIN_TOKEN``);
there is no default. Missing or unknown credentials give 401, a principal of the wrong kind or
too low a role 403.

Verified tokens are cached per engine for at most :data:`CACHE_SECONDS` (by hash, never the token
itself), so a request does not query ``api_credential``; when that time is up the first request
reads every cached token again in one query (per 500 tokens), not one query per token.
:func:`revoke_token` empties the cache of its process at once; a token revoked, changed or deleted by
another process (``cbec token revoke``, another server worker, an operator's SQL) stops working there
within :data:`CACHE_SECONDS`. Unknown tokens are not cached.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, insert, select, update

from opencbec.store.api_repo import credential, ensure_api_tables

ROLES: tuple[str, ...] = ("viewer", "inspector", "supervisor", "admin")
TOKEN_PREFIX = "cbec_"
BOOTSTRAP_ADMIN = "bootstrap-admin"
#: A verified token is trusted this long without reading ``api_credential`` again.
CACHE_SECONDS = 1.0
#: At most this many verified tokens cached per engine (the oldest are dropped first).
CACHE_SIZE = 10_000
#: Cached tokens read again per query when the cache is refreshed.
REFRESH_CHUNK = 500


@dataclass(frozen=True, slots=True)
class EnterprisePrincipal:
    """An enterprise caller, by its customs code (``copCode``, ``ebpCode``, ...)."""

    code: str


@dataclass(frozen=True, slots=True)
class Officer:
    """A customs officer caller with a role."""

    name: str
    role: str

    def has_role(self, min_role: str) -> bool:
        """True when this officer's role is ``min_role`` or above."""
        return ROLES.index(self.role) >= ROLES.index(min_role)


Principal = EnterprisePrincipal | Officer


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check_subject(value: str, what: str, limit: int) -> None:
    if not value or len(value) > limit or any(ch.isspace() for ch in value):
        raise ValueError(f"{what} {value!r} must be 1-{limit} characters without spaces")


def _issue(engine: Engine, kind: str, subject: str, role: str | None) -> str:
    ensure_api_tables(engine)
    token = _new_token()
    with engine.begin() as conn:
        conn.execute(
            insert(credential).values(
                token_hash=token_hash(token),
                kind=kind,
                subject=subject,
                role=role,
                created_at=datetime.now(UTC).replace(tzinfo=None),
                revoked=False,
            )
        )
    return token


def issue_enterprise_token(engine: Engine, code: str) -> str:
    """A new token for enterprise ``code``; returned once, only its hash is stored."""
    _check_subject(code, "enterprise code", 18)
    return _issue(engine, "enterprise", code, None)


def issue_officer_token(engine: Engine, name: str, role: str) -> str:
    """A new token for officer ``name`` with ``role``; returned once, only its hash is stored."""
    _check_subject(name, "officer name", 100)
    if role not in ROLES:
        raise ValueError(f"role {role!r} must be one of {', '.join(ROLES)}")
    return _issue(engine, "officer", name, role)


def revoke_token(engine: Engine, token: str) -> bool:
    """Revoke a token; False when it was not known. This process's cache forgets every token."""
    ensure_api_tables(engine)
    with engine.begin() as conn:
        done = conn.execute(
            update(credential).where(credential.c.token_hash == token_hash(token)).values(revoked=True)
        ).rowcount
    forget_tokens(engine)
    return bool(done)


class _TokenCache:
    """Verified token hashes of one engine (``digest -> principal``), all verified again together.

    Every entry was read from ``api_credential`` at or after ``verified_at``; the entries are
    trusted until ``verified_at + CACHE_SECONDS`` and then read again in one query (``refresh``),
    not one query per token: a server answering thousands of enterprises re-reads their tokens in a
    few queries a second instead of thousands.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, Principal] = {}
        self.verified_at = float("-inf")  # monotonic time the last refresh began
        self.generation = 0  # bumped by forget(): a lookup begun before a revocation is not cached

    def get(self, digest: str) -> Principal | None:
        if time.monotonic() - self.verified_at >= CACHE_SECONDS:
            return None
        return self.entries.get(digest)

    def refresh(self, engine: Engine) -> None:
        """Read every cached token again (one query per ``REFRESH_CHUNK``) if the last read is stale."""
        with self.lock:
            began = time.monotonic()
            if began - self.verified_at < CACHE_SECONDS:
                return
            digests = list(self.entries)
            found: dict[str, Principal] = {}
            if digests:
                ensure_api_tables(engine)
                with engine.connect() as conn:
                    for i in range(0, len(digests), REFRESH_CHUNK):
                        chunk = digests[i : i + REFRESH_CHUNK]
                        rows = conn.execute(
                            select(credential).where(
                                credential.c.token_hash.in_(chunk), credential.c.revoked.is_(False)
                            )
                        )
                        for row in rows:
                            principal = _principal(row)
                            if principal is not None:
                                found[row.token_hash] = principal
            self.entries = {d: found[d] for d in digests if d in found}  # in the old order
            self.verified_at = began

    def put(self, digest: str, principal: Principal, generation: int, read_at: float) -> None:
        """Cache ``principal``, read at ``read_at`` (not when a revocation or a refresh came after)."""
        with self.lock:
            if generation != self.generation or read_at < self.verified_at:
                return
            if len(self.entries) >= CACHE_SIZE:
                del self.entries[next(iter(self.entries))]
            self.entries[digest] = principal

    def forget(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries = {}


_caches: weakref.WeakKeyDictionary[Engine, _TokenCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache(engine: Engine) -> _TokenCache:
    found = _caches.get(engine)
    if found is None:
        with _caches_lock:
            found = _caches.setdefault(engine, _TokenCache())
    return found


def forget_tokens(engine: Engine) -> None:
    """Drop this process's cached verifications for ``engine`` (after a revocation)."""
    _cache(engine).forget()


def cached_principal(engine: Engine, token: str) -> Principal | None:
    """The principal of ``token`` if it was verified less than :data:`CACHE_SECONDS` ago."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return _cache(engine).get(_token_digest(token))


@lru_cache(maxsize=4096)
def _token_digest(token: str) -> str:
    """:func:`token_hash` of a token presented again and again (each request of a session)."""
    return token_hash(token)


def authenticate(engine: Engine, token: str, admin_token: str | None = None) -> Principal | None:
    """The principal holding ``token``, or None (a verification is cached briefly)."""
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Officer(BOOTSTRAP_ADMIN, "admin")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = token_hash(token)
    cache = _cache(engine)
    cache.refresh(engine)
    hit = cache.get(digest)
    if hit is not None:
        return hit
    generation, read_at = cache.generation, time.monotonic()
    principal = _lookup(engine, digest)
    if principal is not None:
        cache.put(digest, principal, generation, read_at)
    return principal


def _lookup(engine: Engine, digest: str) -> Principal | None:
    ensure_api_tables(engine)
    with engine.connect() as conn:
        row = conn.execute(
            select(credential).where(credential.c.token_hash == digest, credential.c.revoked.is_(False))
        ).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return _principal(row)


def _principal(row: Any) -> Principal | None:
    """The principal of an ``api_credential`` row (None for a row of no known kind or role)."""
    if row.kind == "officer" and row.role in ROLES:
        return Officer(row.subject, row.role)
    if row.kind == "enterprise":
        return EnterprisePrincipal(row.subject)
    return None


_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the authenticated caller (401 without valid credentials).

    Async: a cached verification costs no thread switch; the database is read in a worker thread.
    """
    return await principal_of(request, credentials)


async def request_principal(request: Request) -> Principal:
    """:func:`current_principal` outside FastAPI's dependency injection (same checks, same errors)."""
    return await principal_of(request, await _bearer(request))


async def principal_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The caller holding ``credentials``, kept in ``request.state.principal``; 401 if none is valid."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("missing bearer token")
    engine: Engine = request.app.state.engine
    admin: str | None = getattr(request.app.state, "admin_token", None)
    token = credentials.credentials
    principal: Principal | None
    if admin and hmac.compare_digest(token.encode(), admin.encode()):
        principal = Officer(BOOTSTRAP_ADMIN, "admin")
    else:
        principal = cached_principal(engine, token) or await run_in_threadpool(authenticate, engine, token)
    if principal is None:
        raise _unauthorized("invalid or revoked token")
    request.state.principal = principal
    return principal


async def require_enterprise(principal: Annotated[Principal, Depends(current_principal)]) -> str:
    """FastAPI dependency: the calling enterprise's code (403 for officers)."""
    return enterprise_code(principal)


def enterprise_code(principal: Principal) -> str:
    """The code of the enterprise ``principal`` (403 for officers)."""
    if not isinstance(principal, EnterprisePrincipal):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this endpoint is for enterprises")
    return principal.code


def require_officer(min_role: str) -> Callable[[Principal], Awaitable[Officer]]:
    """FastAPI dependency factory: an officer with ``min_role`` or above (403 otherwise)."""
    if min_role not in ROLES:
        raise ValueError(f"role {min_role!r} must be one of {', '.join(ROLES)}")

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Officer:
        if not isinstance(principal, Officer):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this endpoint is for officers")
        if not principal.has_role(min_role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role!r} is below the required role {min_role!r}",
            )
        return principal

    return dependency


def principal_label(principal: Principal) -> str:
    """``enterprise:CODE`` or ``officer:NAME`` (for logs and audit)."""
    if isinstance(principal, Officer):
        return f"officer:{principal.name}"
    return f"enterprise:{principal.code}"
