"""Receipt messages planned, sent in their wire form and encoded elsewhere are the bytes encoded at once."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest

from opencbec.clearing.state import Effects, Receipt
from opencbec.service.outbox import (
    MAX_ENTRIES,
    ReceiptPlan,
    encode_plan,
    encode_wire,
    plan_receipts,
    receipt_messages,
    wire_plan,
)
from tests.parcels import Customs, buyer_id, make_parcel
from tests.unit.messages.ceb_factories import receipts, tax_note


def _effects() -> Effects:
    """A day's receipts: released parcels (tax notes), and one parcel refused for its buyer's limit."""
    customs = Customs()
    out = Effects()
    for i in range(3):
        parcel = make_parcel(prices=[Decimal("120.50"), Decimal("33")], buyer=buyer_id(40 + i))
        effects = customs.send(*parcel.documents())
        out.receipts += effects.receipts
        out.tax_notes += effects.tax_notes
    over = make_parcel(prices=[Decimal("6000")], buyer=buyer_id(50))
    effects = customs.send(*over.documents())
    out.receipts += effects.receipts
    out.tax_notes += effects.tax_notes
    return out


def test_every_planned_message_encodes_from_its_wire_form_to_the_same_bytes() -> None:
    effects = _effects()
    plans = plan_receipts(effects)
    assert {p.message_type for p in plans} >= {
        "CEB312Message",
        "CEB412Message",
        "CEB512Message",
        "CEB622Message",
        "CEB816Message",
    }
    for plan in plans:
        expected = encode_plan(plan)
        assert plan.guid.encode() in expected
        assert encode_wire(*wire_plan(plan)) == expected
    # the plans are the messages receipt_messages gives, in the same order (guids are new each time)
    rows = receipt_messages(effects)
    assert [(r.message_type, r.receiver) for r in rows] == [(p.message_type, p.receiver) for p in plans]
    for row, plan in zip(rows, plans, strict=True):
        assert row.xml == encode_plan(ReceiptPlan(plan.message_type, plan.receiver, row.guid, plan.items))


def test_every_receipt_type_and_a_tax_note_travel_and_keep_decimals_and_text() -> None:
    note = tax_note(3)
    note.head.consumption_tax = Decimal("0E-2")
    note.head.note = "税单 <备注> & more"
    for message_type, items in [*receipts().items(), ("CEB816Message", [note, tax_note(1)])]:
        plan = ReceiptPlan(message_type, "R", "GUID-1", items)
        assert encode_wire(*wire_plan(plan)) == encode_plan(plan), message_type
    message_type, guid, items_json = wire_plan(ReceiptPlan("CEB816Message", "R", "GUID-1", [note]))
    travelled = orjson.loads(items_json)[0][0][6]  # decimals travel as their text, exponent and all
    assert Decimal(travelled).as_tuple() == note.head.consumption_tax.as_tuple()
    encoded = encode_wire(message_type, guid, items_json)
    assert "<ceb:note>税单 &lt;备注&gt; &amp; more</ceb:note>".encode() in encoded


def test_messages_hold_at_most_100_entries_per_type_and_receiver() -> None:
    (record,) = receipts()["CEB312Message"]
    effects = Effects()
    effects.receipts += [Receipt("CEB312Message", "A", record)] * 150 + [
        Receipt("CEB312Message", "B", record)
    ]
    plans = plan_receipts(effects)
    assert [(p.receiver, len(p.items)) for p in plans] == [("A", MAX_ENTRIES), ("A", 50), ("B", 1)]
    assert len({p.guid for p in plans}) == 3


def test_a_value_with_no_wire_form_is_refused() -> None:
    (record,) = receipts()["CEB312Message"]
    record.return_info = object()  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="not JSON serializable"):
        wire_plan(ReceiptPlan("CEB312Message", "A", "G", [record]))
