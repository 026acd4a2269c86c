"""Settings of ``cbec serve``, from ``OPENCBEC_*`` environment variables or an env file.

There are no default secrets: without ``OPENCBEC_ADMIN_TOKEN`` there is no bootstrap admin, and
every caller needs a token issued with ``cbec enterprise token`` / ``cbec officer add``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from opencbec.bootstrap import DEFAULT_DB


class Settings(BaseSettings):
    """What the server needs; every field is ``OPENCBEC_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="OPENCBEC_", extra="ignore", frozen=True)

    #: SQLite file path or SQLAlchemy URL (``OPENCBEC_DB``, as for every ``cbec`` command).
    db: str = DEFAULT_DB
    #: ``verify`` XML signatures against registered certificates, or ``skip`` (replays, demos).
    signatures: Literal["verify", "skip"] = "verify"
    #: Received time of online documents: ``wall`` (arrival, China Standard Time) or ``event``
    #: (the documents' ``appTime``, as ``cbec clear`` does; for replaying recorded traffic).
    clock: Literal["wall", "event"] = "wall"
    #: How long the online worker gathers submissions before clearing them together (also the
    #: shortest time between two batches).
    batch_window_ms: int = Field(default=100, ge=1, le=10_000)
    #: At most this many queued messages per clearing batch.
    batch_max_messages: int = Field(default=300, ge=1, le=10_000)
    #: With the wall clock, clear (time out waiting lists) at least this often, even without traffic.
    tick_seconds: float = Field(default=60.0, gt=0)
    #: Share of clean lists inspected (``None``: the clearing default).
    inspection_rate: Decimal | None = Field(default=None, ge=0, le=1)
    #: Bootstrap admin bearer token; none unless given.
    admin_token: SecretStr | None = None
    #: Admission control (:mod:`opencbec.api.admission`): while more than this many accepted
    #: submissions wait to be cleared, new ones wait before they are read (0: never) ...
    admit_backlog: int = Field(default=600, ge=0)
    #: ... and are refused with 503 and ``Retry-After`` if the backlog is still over after this long.
    admit_wait_s: float = Field(default=10.0, ge=0)
    #: Run the online clearing worker in this process.
    worker: bool = True
    #: Lower this process's CPU priority by this much (``nice``); ``cbec serve --workers N`` sets 5 for
    #: its HTTP processes, so that under overload the clearing worker keeps up and intake slows.
    http_nice: int = Field(default=0, ge=0, le=19)
    #: Run the webhook delivery loop in this process.
    webhooks: bool = True
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_base_delay_ms: int = Field(default=1000, ge=1)
    webhook_max_delay_s: float = Field(default=600.0, gt=0)
    webhook_poll_ms: int = Field(default=500, ge=1)
    #: While a long poll of the receipt feed (``GET /v1/receipts?wait=``) waits, each server process
    #: checks for new receipts this often (one small query, whatever the number of waiting readers).
    receipt_watch_ms: int = Field(default=20, ge=1, le=10_000)
    #: ``json`` (one object per line) or ``text`` logs on stderr.
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"


def load_settings(env_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings: ``overrides`` win over the environment, which wins over ``env_file`` (``KEY=value``)."""
    if env_file is not None and not env_file.is_file():
        raise FileNotFoundError(f"settings file {env_file} does not exist")
    return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
