"""The token cache's bound: no token is trusted longer than ``CACHE_SECONDS`` after it was read."""

from __future__ import annotations

import time
from pathlib import Path

from opencbec.api import auth
from opencbec.api.auth import CACHE_SECONDS, EnterprisePrincipal, issue_enterprise_token, token_hash
from opencbec.store.api_repo import credential
from opencbec.store.engine import make_engine


def test_a_lookup_read_before_a_refresh_is_not_cached(tmp_path: Path) -> None:
    """A token read just before the cache was refreshed would otherwise be trusted until the
    refresh's bound, which its own read began before."""
    engine = make_engine(str(tmp_path / "a.db"))
    cache = auth._TokenCache()
    read_at = time.monotonic()
    cache.refresh(engine)  # an empty cache: marks the entries fresh as of now
    cache.put("d", EnterprisePrincipal("X"), cache.generation, read_at)
    assert cache.get("d") is None
    cache.put("d", EnterprisePrincipal("X"), cache.generation, time.monotonic())
    assert cache.get("d") == EnterprisePrincipal("X")


def test_entries_expire_together_and_a_refresh_keeps_only_valid_tokens(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "a.db"))
    kept, gone = issue_enterprise_token(engine, "KEEP"), issue_enterprise_token(engine, "GONE")
    assert auth.authenticate(engine, kept) == EnterprisePrincipal("KEEP")
    assert auth.authenticate(engine, gone) == EnterprisePrincipal("GONE")
    cache = auth._cache(engine)
    with engine.begin() as conn:  # deleted by another process: no revocation in this one
        conn.execute(credential.delete().where(credential.c.token_hash == token_hash(gone)))
    assert cache.get(token_hash(gone)) == EnterprisePrincipal("GONE")  # still within the bound
    time.sleep(CACHE_SECONDS + 0.1)
    assert cache.get(token_hash(kept)) is None  # stale: the caller goes to ``authenticate``
    cache.refresh(engine)
    assert list(cache.entries) == [token_hash(kept)]
    assert auth.authenticate(engine, gone) is None
