"""The selection policy: the daily budget per office, the random share, forced review, reasons."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest

from opencbec.clearing.risk_port import Assessment, RiskHistory, SelectionKind
from opencbec.risk.assessor import RiskAssessor, SelectionPolicy, combined_risk
from opencbec.risk.rules import RuleSet, parse_rules
from tests.unit.risk.helpers import DAY, facts

SELECT_ALL = parse_rules(
    [
        {
            "id": "all-milk",
            "valid_from": "2019-01-01",
            "action": "select",
            "reason": "奶粉布控",
            "when": {"kind": "tariff_lines", "prefixes": ["0402"]},
        }
    ]
)


@pytest.mark.parametrize(("budget", "random_share"), [(0.02, 0.2), (0.05, 0.5), (0.1, 0.0), (0.01, 1.0)])
def test_the_budget_is_respected_even_when_every_list_is_risky(budget: float, random_share: float) -> None:
    assessor = RiskAssessor(SELECT_ALL, policy=SelectionPolicy(budget=budget, random_share=random_share))
    history = RiskHistory()
    for day in range(3):
        lists = [facts(declared_on=DAY + timedelta(days=day)) for _ in range(1000)]
        picked = 0
        for n, (f, a) in enumerate(zip(lists, assessor.assess(lists, history), strict=True), start=1):
            if assessor.decide(f, a, history).kind is not None:
                picked += 1
            assert picked <= math.ceil(budget * (1 - random_share) * n) + math.ceil(budget * random_share * n)
        assert picked <= math.ceil(budget * 1000) + 1
        targeted = history.selected.get(("2244", DAY + timedelta(days=day), "targeted"), 0)
        assert targeted == math.ceil(budget * (1 - random_share) * 1000 - 1e-9)


def test_the_budget_is_per_office() -> None:
    policy = SelectionPolicy(budget=0.02, random_share=0.0, offices={"5100": 0.1})
    assessor = RiskAssessor(SELECT_ALL, policy=policy)
    history = RiskHistory()
    for office, expected in (("2244", 20), ("5100", 100)):
        lists = [facts(customs_code=office) for _ in range(1000)]
        for f, a in zip(lists, assessor.assess(lists, history), strict=True):
            assessor.decide(f, a, history)
        assert history.selected[(office, DAY, "targeted")] == expected


def test_random_share_selects_clean_lists_at_its_rate() -> None:
    assessor = RiskAssessor(RuleSet(), policy=SelectionPolicy(budget=0.1, random_share=0.5))
    history = RiskHistory()
    lists = [facts() for _ in range(4000)]
    kinds = [
        assessor.decide(f, a, history).kind
        for f, a in zip(lists, assessor.assess(lists, history), strict=True)
    ]
    randoms = kinds.count(SelectionKind.RANDOM)
    assert kinds.count(SelectionKind.TARGETED) == 0
    assert 150 <= randoms <= 200  # about 5 % of 4000, capped at ceil(0.05 n)
    decision = next(
        assessor.decide(f, a, RiskHistory())
        for f, a in zip(lists, assessor.assess(lists, RiskHistory()), strict=True)
        if assessor.decide(f, a, RiskHistory()).kind is SelectionKind.RANDOM
    )
    assert any("random exploration" in r for r in decision.reasons)


def test_reasons_name_the_rules_and_the_score() -> None:
    assessor = RiskAssessor(SELECT_ALL, policy=SelectionPolicy(budget=1.0, random_share=0.0))
    f = facts()
    [a] = assessor.assess([f], RiskHistory())
    assert a.select and a.rules[0][0] == "all-milk@v1"
    decision = assessor.decide(f, a, RiskHistory())
    assert decision.kind is SelectionKind.TARGETED
    assert any("all-milk@v1" in r and "奶粉布控" in r for r in decision.reasons)


def test_review_rules_force_manual_review_outside_the_budget() -> None:
    rules = parse_rules(
        [
            {
                "id": "review-big",
                "valid_from": "2019-01-01",
                "action": "review",
                "reason": "大额",
                "when": {"kind": "high_value", "min_share_of_limit": 0.5},
            }
        ]
    )
    assessor = RiskAssessor(rules, policy=SelectionPolicy(budget=0.0))
    big = facts(goods_value=Decimal(4000))
    [a] = assessor.assess([big], RiskHistory())
    assert assessor.decide(big, a, RiskHistory()).kind is SelectionKind.REVIEW


def test_score_rules_combine_with_the_threshold() -> None:
    assert combined_risk(Assessment(doc_id=1, points=40)) == pytest.approx(0.4)
    assert combined_risk(Assessment(doc_id=1, score=0.2, points=50)) == pytest.approx(0.6)
    rules = parse_rules(
        [
            {
                "id": "p",
                "valid_from": "2019-01-01",
                "action": "score",
                "points": 60,
                "reason": "r",
                "when": {"kind": "tariff_lines", "prefixes": ["0402"]},
            }
        ]
    )
    history = RiskHistory()
    low = RiskAssessor(rules, policy=SelectionPolicy(budget=1.0, random_share=0.0, threshold=0.7))
    f = facts()
    assert low.decide(f, low.assess([f], history)[0], history).kind is None
    high = RiskAssessor(rules, policy=SelectionPolicy(budget=1.0, random_share=0.0, threshold=0.5))
    assert high.decide(f, high.assess([f], history)[0], history).kind is SelectionKind.TARGETED


def test_policy_values_are_checked() -> None:
    with pytest.raises(ValueError, match="budget"):
        SelectionPolicy(budget=1.5)
    with pytest.raises(ValueError, match="rank"):
        SelectionPolicy(rank="luck")
