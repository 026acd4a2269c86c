"""Who is calling: bearer tokens for enterprises and officers, and the FastAPI dependencies.

Tokens are random (``cbec_`` + 43 URL-safe characters, 256 bits) and shown once when issued;
only their SHA-256 is stored (``api_credential``), compared in constant time. A principal is an
enterprise (its customs code) or an officer (name and role). Roles are ordered
``viewer < inspector < supervisor < admin``: ``require_officer("inspector")`` admits inspectors,
supervisors and admins. A bootstrap admin token may be configured (``OPENCBEC_ADMIN_TOKEN``);
there is no default. Missing or unknown credentials give 401, a principal of the wrong kind or
too low a role 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, insert, select, update

from opencbec.store.api_repo import credential, ensure_api_tables

ROLES: tuple[str, ...] = ("viewer", "inspector", "supervisor", "admin")
TOKEN_PREFIX = "cbec_"
BOOTSTRAP_ADMIN = "bootstrap-admin"


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
    """Revoke a token; False when it was not known."""
    ensure_api_tables(engine)
    with engine.begin() as conn:
        done = conn.execute(
            update(credential).where(credential.c.token_hash == token_hash(token)).values(revoked=True)
        ).rowcount
    return bool(done)


def authenticate(engine: Engine, token: str, admin_token: str | None = None) -> Principal | None:
    """The principal holding ``token``, or None."""
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Officer(BOOTSTRAP_ADMIN, "admin")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    ensure_api_tables(engine)
    digest = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(credential).where(credential.c.token_hash == digest, credential.c.revoked.is_(False))
        ).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.kind == "officer" and row.role in ROLES:
        return Officer(row.subject, row.role)
    if row.kind == "enterprise":
        return EnterprisePrincipal(row.subject)
    return None


_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the authenticated caller (401 without valid credentials)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("missing bearer token")
    engine: Engine = request.app.state.engine
    admin: str | None = getattr(request.app.state, "admin_token", None)
    principal = authenticate(engine, credentials.credentials, admin)
    if principal is None:
        raise _unauthorized("invalid or revoked token")
    request.state.principal = principal
    return principal


def require_enterprise(principal: Annotated[Principal, Depends(current_principal)]) -> str:
    """FastAPI dependency: the calling enterprise's code (403 for officers)."""
    if not isinstance(principal, EnterprisePrincipal):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this endpoint is for enterprises")
    return principal.code


def require_officer(min_role: str) -> Callable[[Principal], Officer]:
    """FastAPI dependency factory: an officer with ``min_role`` or above (403 otherwise)."""
    if min_role not in ROLES:
        raise ValueError(f"role {min_role!r} must be one of {', '.join(ROLES)}")

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Officer:
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
