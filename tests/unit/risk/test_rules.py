"""Each kind of risk rule fires on a crafted case and not on a clean one; definitions are checked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from opencbec.clearing.risk_port import LineFacts, RiskHistory
from opencbec.risk import rule_files
from opencbec.risk.rules import Context, RuleError, parse_rule, parse_rules
from tests.unit.risk.helpers import DAY, facts, seen


def rule(kind: str, **params: Any) -> Any:
    return parse_rule(
        {
            "id": f"r-{kind}",
            "valid_from": "2019-01-01",
            "action": "score",
            "points": 10,
            "reason": "test",
            "when": {"kind": kind, **params},
        }
    )


def fires(r: Any, f: Any, history: RiskHistory | None = None, batch: list[Any] | None = None) -> bool:
    ctx = Context.build(batch or [f], history or RiskHistory(enterprise_lists={f.ebc_code: 100}))
    return r.fires(f, ctx) is not None


def test_unit_price_below_reference() -> None:
    r = rule("unit_price_below_reference", ratio=0.3, reference={"0402": 150, "04": 1})
    cheap = LineFacts(1, "0402210000", "全脂奶粉", "116", Decimal(1), Decimal(20), Decimal(20))
    assert fires(r, facts(lines=(cheap,)))
    assert not fires(r, facts())  # 200 >= 0.3 x 150
    other = LineFacts(1, "0802320000", "核桃", "116", Decimal(1), Decimal(1), Decimal(1))
    assert not fires(r, facts(lines=(other,)))  # no reference for the line


def test_buyer_id_used_by_many_consignees_phones_addresses() -> None:
    r = rule("buyer_many_parties", window_days=30, max_consignees=2, max_phones=2, max_addresses=2)
    f = facts()
    history = RiskHistory(
        observations=[
            seen(f, f"I{i}", consignee=f"收货人{i}", phone=f"1390000000{i}", address=f"地址{i}")
            for i in range(3)
        ],
        enterprise_lists={f.ebc_code: 100},
    )
    assert fires(r, f, history)
    same = RiskHistory(observations=[seen(f, f"I{i}") for i in range(5)], enterprise_lists={f.ebc_code: 100})
    assert not fires(r, f, same)
    old = RiskHistory(
        observations=[
            seen(f, f"I{i}", consignee=f"x{i}", phone=f"p{i}", address=f"a{i}", day=DAY - timedelta(days=60))
            for i in range(5)
        ]
    )
    assert not fires(r, f, old)  # outside the window


def test_one_address_receiving_for_many_buyers() -> None:
    r = rule("address_many_buyers", window_days=30, max_buyers=3)
    f = facts()
    many = RiskHistory(observations=[seen(f, f"I{i}", buyer_id=f"B{i}", phone=f"p{i}") for i in range(4)])
    assert fires(r, f, many)
    by_phone = RiskHistory(
        observations=[seen(f, f"I{i}", buyer_id=f"B{i}", address=f"a{i}") for i in range(4)]
    )
    assert fires(r, f, by_phone)
    assert not fires(r, f, RiskHistory(observations=[seen(f, "I1", buyer_id="B1")]))


def test_split_orders_in_the_batch() -> None:
    r = rule("split_orders", window_days=1, min_lists=2, min_share_of_limit=0.3)
    parts = [facts(goods_value=Decimal(3000)) for _ in range(2)]
    assert fires(r, parts[0], batch=parts)
    assert not fires(r, parts[0], batch=parts[:1])
    small = [facts(goods_value=Decimal(200)) for _ in range(5)]
    assert not fires(r, small[0], batch=small)  # together under the limit
    other = [parts[0], facts(goods_value=Decimal(3000), consignee="李四")]
    assert not fires(r, other[0], batch=other)  # a different consignee


def test_split_orders_with_history() -> None:
    r = rule("split_orders", window_days=1, min_lists=2, min_share_of_limit=0.3)
    f = facts(goods_value=Decimal(2600))
    history = RiskHistory(observations=[seen(f, "I1"), seen(f, "I2")])
    assert fires(r, f, history)


def test_new_enterprise() -> None:
    r = rule("new_enterprise", min_history=20)
    f = facts()
    assert fires(r, f, RiskHistory(enterprise_lists={f.ebc_code: 3}))
    assert not fires(r, f, RiskHistory(enterprise_lists={f.ebc_code: 50}))


def test_high_risk_tariff_lines_and_origins() -> None:
    lines = rule("tariff_lines", prefixes=["3304", "0402"])
    assert fires(lines, facts())
    assert not fires(rule("tariff_lines", prefixes=["3304"]), facts())
    origins = rule("origins", countries=["999"])
    line = LineFacts(1, "0402210000", "全脂奶粉", "999", Decimal(1), Decimal(200), Decimal(200))
    assert fires(origins, facts(lines=(line,)))
    assert fires(origins, facts(country="999"))
    assert not fires(origins, facts())


def test_watch_list() -> None:
    r = rule(
        "watch_list", buyer_ids=["X1"], phones=["139"], addresses=["杭州市 西湖区9号"], enterprises=["E1"]
    )
    assert fires(r, facts(buyer_id="X1"))
    assert fires(r, facts(payer_id="X1"))
    assert fires(r, facts(phone="139"))
    assert fires(r, facts(address="杭州市西湖区9号"))
    assert fires(r, facts(logistics_code="E1"))
    assert not fires(r, facts())


def test_high_value() -> None:
    r = rule("high_value", min_share_of_limit=0.9)
    assert fires(r, facts(goods_value=Decimal(4600)))
    assert not fires(r, facts())


def test_validity_dates_and_enabled() -> None:
    base = {
        "id": "dated",
        "action": "select",
        "reason": "r",
        "when": {"kind": "tariff_lines", "prefixes": ["0402"]},
    }
    f = facts()
    assert fires(parse_rule({**base, "valid_from": "2024-06-01", "valid_to": "2024-06-01"}), f)
    assert not fires(parse_rule({**base, "valid_from": "2024-06-02"}), f)
    assert not fires(parse_rule({**base, "valid_from": "2020-01-01", "valid_to": "2024-05-31"}), f)
    assert not fires(parse_rule({**base, "valid_from": "2020-01-01", "enabled": False}), f)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": ""}, "id is required"),
        ({"action": "drop"}, "action must be"),
        ({"points": 150}, "points"),
        ({"reason": ""}, "reason is required"),
        ({"valid_from": "yesterday"}, "not a date"),
        ({"valid_to": "2018-01-01"}, "before valid_from"),
        ({"when": {"kind": "astrology"}}, "when.kind"),
        ({"when": {"kind": "tariff_lines"}}, "prefixes"),
        ({"when": {"kind": "split_orders", "min_lists": -1}}, "min_lists"),
        ({"version": 0}, "version"),
    ],
)
def test_invalid_definitions_are_refused(change: dict[str, Any], message: str) -> None:
    good = {
        "id": "ok",
        "valid_from": "2019-01-01",
        "action": "score",
        "points": 10,
        "reason": "r",
        "when": {"kind": "high_value"},
    }
    with pytest.raises(RuleError, match=message):
        parse_rule({**good, **change})


def test_duplicate_versions_are_refused_and_versions_coexist() -> None:
    d = {
        "id": "a",
        "valid_from": "2019-01-01",
        "action": "score",
        "reason": "r",
        "when": {"kind": "high_value"},
    }
    with pytest.raises(RuleError, match="twice"):
        parse_rules([d, d])
    both = parse_rules([d, {**d, "version": 2, "valid_from": date(2025, 1, 1)}])
    assert [r.version for r in both.get("a")] == [1, 2]


def test_the_shipped_rule_file_parses_and_round_trips() -> None:
    rules = rule_files.load()
    assert {r.id for r in rules.rules} >= {"split-orders", "buyer-id-many-parties", "undervalued-goods"}
    again = parse_rules(rule_files.parse_text(rule_files.dump([r.definition() for r in rules.rules])))
    assert [r.definition() for r in again.rules] == [r.definition() for r in rules.rules]
    clean = facts()
    ctx = Context.build([clean], RiskHistory(enterprise_lists={clean.ebc_code: 100}))
    assert rules.fired(clean, ctx) == []
