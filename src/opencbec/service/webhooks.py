"""Webhook delivery: each new receipt message POSTed to the enterprise's URL, signed, with retries.

Receipts are delivered one at a time in feed order (outbox id): a receipt is retried until it is
accepted (any 2xx) before the next one is sent, with exponential backoff
(``base_delay * 2**(failures-1)``, at most ``max_delay``). Every attempt is recorded. A process
takes a lease on a webhook while delivering, so several processes do not send the same receipt
at once; delivery is nevertheless *at least once* (a crash after the POST and before recording
it sends the receipt again): receivers deduplicate by ``X-CBEC-Receipt-Id``.

Each POST carries the receipt XML and::

    X-CBEC-Receipt-Id: 1234            (the feed cursor of this receipt)
    X-CBEC-Message-Type: CEB622Message
    X-CBEC-Timestamp: 1718000000       (Unix seconds)
    X-CBEC-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, delete, insert, or_, select, update

from opencbec.store import schema as t
from opencbec.store.api_repo import ensure_api_tables, webhook, webhook_attempt
from opencbec.store.codec import plain

log = logging.getLogger("opencbec.webhooks")
LEASE = timedelta(seconds=60)


def utc_now() -> datetime:
    """Now in UTC, naive (webhook bookkeeping times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-CBEC-Signature`` value of a delivery."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def set_webhook(engine: Engine, enterprise: str, url: str, secret: str, since: int | None = None) -> int:
    """Register (or replace) ``enterprise``'s webhook; returns the delivery cursor.

    Without ``since`` only receipts written from now on are delivered.
    """
    ensure_api_tables(engine)
    o = t.outbox.c
    with engine.begin() as conn:
        if since is None:
            latest = conn.execute(select(o.id).where(o.receiver == enterprise).order_by(o.id.desc()).limit(1))
            since = int(latest.scalar() or 0)
        conn.execute(delete(webhook).where(webhook.c.enterprise == enterprise))
        conn.execute(
            insert(webhook).values(
                enterprise=enterprise,
                url=url,
                secret=secret,
                cursor=since,
                failures=0,
                next_attempt_at=None,
                lease_until=None,
                updated_at=utc_now(),
            )
        )
    return since


def delete_webhook(engine: Engine, enterprise: str) -> bool:
    """Remove ``enterprise``'s webhook; False when it had none."""
    ensure_api_tables(engine)
    with engine.begin() as conn:
        return bool(conn.execute(delete(webhook).where(webhook.c.enterprise == enterprise)).rowcount)


@dataclass(frozen=True, slots=True)
class WebhookState:
    """A webhook without its secret, with its latest attempts (newest first)."""

    url: str
    cursor: int
    failures: int
    next_attempt_at: datetime | None
    attempts: list[Any]


def get_webhook(engine: Engine, enterprise: str, attempts: int = 20) -> WebhookState | None:
    """``enterprise``'s webhook and its last ``attempts`` attempts, or None."""
    ensure_api_tables(engine)
    a = webhook_attempt.c
    with engine.connect() as conn:
        row = conn.execute(select(webhook).where(webhook.c.enterprise == enterprise)).first()
        if row is None:
            return None
        tried = conn.execute(
            select(webhook_attempt).where(a.enterprise == enterprise).order_by(a.id.desc()).limit(attempts)
        ).all()
    return WebhookState(row.url, row.cursor, row.failures, row.next_attempt_at, list(tried))


class WebhookDispatcher:
    """Delivers due receipts to every registered webhook (call :meth:`deliver_due` in a loop)."""

    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = 5.0,
        base_delay: float = 1.0,
        max_delay: float = 600.0,
        per_pass: int = 50,
    ) -> None:
        ensure_api_tables(engine)
        self.engine = engine
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.per_pass = per_pass
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def deliver_due(self) -> int:
        """One pass: deliver what is due on every webhook; returns the receipts delivered."""
        now = utc_now()
        w = webhook.c
        with self.engine.connect() as conn:
            due = (
                conn.execute(
                    select(w.enterprise).where(or_(w.next_attempt_at.is_(None), w.next_attempt_at <= now))
                )
                .scalars()
                .all()
            )
        return sum(self._deliver(enterprise) for enterprise in due)

    def _claim(self, enterprise: str) -> Any:
        now = utc_now()
        w = webhook.c
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(webhook)
                .where(
                    w.enterprise == enterprise,
                    or_(w.lease_until.is_(None), w.lease_until < now),
                    or_(w.next_attempt_at.is_(None), w.next_attempt_at <= now),
                )
                .values(lease_until=now + LEASE)
            ).rowcount
            if not claimed:
                return None
            return conn.execute(select(webhook).where(w.enterprise == enterprise)).first()

    def _deliver(self, enterprise: str) -> int:
        hook = self._claim(enterprise)
        if hook is None:
            return 0
        o = t.outbox.c
        cursor, failures, delivered = hook.cursor, hook.failures, 0
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(o.id, o.message_type, o.xml, o.xml_codec)
                    .where(o.receiver == enterprise, o.id > cursor)
                    .order_by(o.id)
                    .limit(self.per_pass)
                ).all()
            for row in rows:
                xml = plain(row.xml, row.xml_codec)
                ok, code, error = self._post(hook.url, hook.secret, row.id, row.message_type, xml)
                self._record(enterprise, row.id, failures + 1, ok, code, error)
                if not ok:
                    failures += 1
                    delay = min(self.base_delay * 2 ** (failures - 1), self.max_delay)
                    self._update(
                        enterprise,
                        hook.updated_at,
                        failures=failures,
                        next_attempt_at=utc_now() + timedelta(seconds=delay),
                    )
                    log.warning(
                        "webhook delivery failed",
                        extra={
                            "event": "webhook_failed",
                            "enterprise": enterprise,
                            "receipt_id": row.id,
                            "status_code": code,
                            "error": error,
                            "retry_in_s": delay,
                        },
                    )
                    break
                cursor, failures, delivered = row.id, 0, delivered + 1
                self._update(enterprise, hook.updated_at, cursor=cursor, failures=0, next_attempt_at=None)
        finally:
            self._update(enterprise, hook.updated_at, lease_until=None)
        return delivered

    def _post(
        self, url: str, secret: str, receipt_id: int, message_type: str, body: bytes
    ) -> tuple[bool, int | None, str]:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/xml",
            "X-CBEC-Receipt-Id": str(receipt_id),
            "X-CBEC-Message-Type": message_type,
            "X-CBEC-Timestamp": timestamp,
            "X-CBEC-Signature": signature(secret, timestamp, body),
        }
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return False, None, f"{type(exc).__name__}: {exc}"[:500]
        ok = 200 <= response.status_code < 300
        return ok, response.status_code, "" if ok else f"HTTP {response.status_code}"

    def _record(
        self, enterprise: str, receipt_id: int, attempt: int, ok: bool, code: int | None, error: str
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(webhook_attempt).values(
                    enterprise=enterprise,
                    outbox_id=receipt_id,
                    attempt=attempt,
                    at=utc_now(),
                    ok=ok,
                    status_code=code,
                    error=error,
                )
            )

    def _update(self, enterprise: str, version: datetime, **values: Any) -> None:
        """Update the webhook unless it was replaced meanwhile (a PUT gives a new ``updated_at``)."""
        w = webhook.c
        with self.engine.begin() as conn:
            conn.execute(
                update(webhook).where(w.enterprise == enterprise, w.updated_at == version).values(**values)
            )
