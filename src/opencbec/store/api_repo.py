"""Tables of the HTTP API (SQLAlchemy Core, own ``MetaData``; SQLite and PostgreSQL).

* ``api_credential`` – bearer tokens, stored as SHA-256 hashes only, for enterprises (by code)
  and officers (by name, with a role);
* ``api_inbox`` – every submission: queued until the online worker clears it (then ``cleared``,
  with the id of its row in ``message``), or ``rejected`` at once with its CEB900;
* ``api_receipt_ref`` – which receipt messages (``outbox`` ids) mention which document guid or
  ``invtNo``, so a submission can list the receipts produced for it;
* ``api_state`` – small key/value state (how far ``outbox`` has been indexed);
* ``api_webhook`` / ``api_webhook_attempt`` – webhook per enterprise, delivery cursor, attempts.

The tables are created on first use (``create_all`` skips existing tables).
"""

from __future__ import annotations

import threading
import weakref

from lxml import etree
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from opencbec.store.codec import plain
from opencbec.store.schema import outbox

metadata = MetaData()

_ID = BigInteger().with_variant(Integer, "sqlite")

credential = Table(
    "api_credential",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # enterprise | officer
    Column("subject", String(100), nullable=False),  # enterprise code or officer name
    Column("role", String(16)),  # officers only
    Column("created_at", DateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

inbox = Table(
    "api_inbox",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("enterprise", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # queued | cleared | rejected
    Column("received_at", DateTime, nullable=False),  # wall clock, China Standard Time, naive
    Column("message_type", String(32)),
    Column("guid", String(64)),
    Column("cop_msg_id", String(255)),
    Column("documents", Integer, nullable=False),
    Column("refs", Text, nullable=False),  # JSON list of the documents' guids
    Column("raw", LargeBinary, nullable=False),  # until cleared; then in ``message.raw``
    Column("message_id", BigInteger),  # row in ``message`` once stored
    Column("receipt_floor", BigInteger),  # largest outbox id before the batch that cleared it
    Column("receipt_id", BigInteger),  # the CEB900 (outbox id) of a rejected submission
    Column("info", Text, nullable=False, default=""),
    Column("cleared_at", DateTime),
    # the message as decoded when accepted (``message_json.message_to_json``), until cleared
    Column("decoded", Text),
    Index("ix_api_inbox_status", "status", "id"),
    Index("ix_api_inbox_enterprise", "enterprise", "id"),
)

receipt_ref = Table(
    "api_receipt_ref",
    metadata,
    Column("outbox_id", BigInteger, primary_key=True),
    Column("ref", String(64), primary_key=True),
    Column("receiver", String(32), nullable=False),
    Index("ix_api_receipt_ref_ref", "ref", "receiver"),
)

state = Table(
    "api_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

webhook = Table(
    "api_webhook",
    metadata,
    Column("enterprise", String(32), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # needed in clear to sign deliveries (HMAC)
    Column("cursor", BigInteger, nullable=False),  # last delivered outbox id
    Column("failures", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime),  # UTC, naive
    Column("lease_until", DateTime),  # UTC, naive: a process is delivering until then
    Column("updated_at", DateTime, nullable=False),
)

webhook_attempt = Table(
    "api_webhook_attempt",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("enterprise", String(32), nullable=False),
    Column("outbox_id", BigInteger, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", DateTime, nullable=False),  # UTC, naive
    Column("ok", Boolean, nullable=False),
    Column("status_code", Integer),
    Column("error", Text, nullable=False, default=""),
    Index("ix_api_webhook_attempt_enterprise", "enterprise", "id"),
)

_READY: weakref.WeakSet[Engine] = weakref.WeakSet()
_LOCK = threading.Lock()


def ensure_api_tables(engine: Engine) -> None:
    """Create the API tables once per engine."""
    with _LOCK:
        if engine in _READY:
            return
        metadata.create_all(engine)
        _READY.add(engine)


# -- the receipt index (written inside clearing transactions, so in outbox order) -------------
_REF_TAGS = frozenset({"guid", "invtNo"})
_REF_MATCH = tuple(f"{{*}}{tag}" for tag in sorted(_REF_TAGS))
INDEXED_KEY = "receipts_indexed_upto"
#: At most this many receipt messages are indexed per clearing batch (a backlog catches up).
INDEX_CHUNK = 2000


def receipt_refs(xml: bytes) -> set[str]:
    """The document guids and ``invtNo`` values a receipt message mentions (our own output)."""
    root = etree.fromstring(xml, parser=_PARSER)
    refs: set[str] = set()
    for element in root.iter(*_REF_MATCH):  # any namespace; lxml filters the tags itself
        text = (element.text or "").strip()
        if text and len(text) <= 64:
            refs.add(text)
    return refs


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def index_receipts(conn: Connection) -> int:
    """Index outbox rows not indexed yet (call inside the clearing transaction); returns the count."""
    done = conn.execute(select(state.c.value).where(state.c.key == INDEXED_KEY)).scalar()
    upto = int(done) if done else 0
    rows = conn.execute(
        select(outbox.c.id, outbox.c.receiver, outbox.c.xml, outbox.c.xml_codec)
        .where(outbox.c.id > upto)
        .order_by(outbox.c.id)
        .limit(INDEX_CHUNK)
    ).all()
    if not rows:
        return 0
    refs = [
        {"outbox_id": row.id, "ref": ref, "receiver": row.receiver}
        for row in rows
        for ref in sorted(receipt_refs(plain(row.xml, row.xml_codec)))
    ]
    if refs:
        conn.execute(insert(receipt_ref), refs)
    set_state(conn, INDEXED_KEY, str(rows[-1].id))
    return len(rows)


def set_state(conn: Connection, key: str, value: str) -> None:
    """Upsert one ``api_state`` value on ``conn``."""
    if not conn.execute(update(state).where(state.c.key == key).values(value=value)).rowcount:
        conn.execute(insert(state).values(key=key, value=value))


def max_outbox_id(conn: Connection) -> int:
    """The largest outbox id (0 when empty)."""
    return int(conn.execute(select(func.max(outbox.c.id))).scalar() or 0)
