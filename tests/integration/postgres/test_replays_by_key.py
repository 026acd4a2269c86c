"""Replays are recognised from the versions read by key, on SQLite and PostgreSQL.

A document that arrives again (same kind, guid and business key) is a replay whether it was the
current version or an earlier one; a guid seen before under another key is not. The state read
finds them with the documents' own keys (every stored version of each), with no look-up by guid.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from opencbec import bootstrap
from opencbec.bootstrap import App
from opencbec.clearing.state import Effects
from opencbec.domain.codes import Status
from opencbec.domain.documents import Document
from opencbec.store import schema as t
from tests.parcels import guid, make_parcel, with_head
from tests.units import clear_message

SENDER = "330766K00Q"


def _send(app: App, *documents: Document) -> Effects:
    """One message with ``documents``, cleared in a clearing unit of its own (committed)."""
    return clear_message(app, *documents, sender=SENDER)[0]


def _versions(app: App, document: Document) -> list[tuple[str, str, bool]]:
    c = t.document.c
    query = select(c.guid, c.status, c.is_current).where(c.kind == document.kind.value, c.key == document.key)
    with app.store.engine.connect() as conn:  # type: ignore[attr-defined]
        return [(g, s, bool(cur)) for g, s, cur in conn.execute(query.order_by(c.id))]


def test_an_earlier_version_sent_again_is_a_replay_and_the_change_stands(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    order = make_parcel().order
    _send(app, order)
    changed = with_head(order, app_type="2", guid=guid(), buyer_telephone="13900000000")
    assert _send(app, changed).new_docs[0].status == Status.STORED
    again = _send(app, order)  # the first version, as it was sent the first time
    assert again.new_docs == []
    assert again.replays == [(order.kind, order.head.guid)]
    assert _versions(app, order) == [
        (order.head.guid, Status.STORED, False),
        (changed.head.guid, Status.STORED, True),
    ]


def test_the_current_version_sent_again_in_the_same_batch_as_other_news_is_a_replay(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    first, second = make_parcel(), make_parcel()
    _send(app, first.order)
    effects = _send(app, first.order, second.order)
    assert effects.replays == [(first.order.kind, first.order.head.guid)]
    assert [d.guid for d in effects.new_docs] == [second.order.head.guid]


def test_a_guid_seen_before_under_another_key_is_not_a_replay(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    first, second = make_parcel(), make_parcel()
    _send(app, first.order)
    reused = with_head(second.order, guid=first.order.head.guid)  # another order, the same guid
    effects = _send(app, reused)
    assert effects.replays == []
    (stored,) = effects.new_docs
    assert (stored.key, stored.status) == (second.order.key, Status.STORED)
    assert _versions(app, second.order) == [(first.order.head.guid, Status.STORED, True)]


def test_each_of_two_orders_sharing_a_guid_is_a_replay_when_sent_again(db_url: str) -> None:
    """An enterprise that reused a guid for a second order still gets replays recognised for both.

    (Replays were once found by guid alone, keeping one key per guid: the order whose key was not
    kept was then refused as declared twice, -301010, when it was sent again.)
    """
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    first, second = make_parcel(), make_parcel()
    reused = with_head(second.order, guid=first.order.head.guid)
    _send(app, first.order)
    _send(app, reused)
    for order in (first.order, reused):
        again = _send(app, order)
        assert again.new_docs == []
        assert again.replays == [(order.kind, order.head.guid)]
