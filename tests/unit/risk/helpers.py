"""Crafted list facts and history for the risk tests."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from opencbec.clearing.risk_port import LineFacts, ListFacts, Observation

_ids = itertools.count(1)
DAY = date(2024, 6, 1)


def facts(**changes: Any) -> ListFacts:
    """A clean list: one buyer, one consignee at one address, milk powder at a normal price."""
    n = next(_ids)
    base = ListFacts(
        doc_id=n,
        ebp_code="3301960001",
        order_no=f"SO{n:08d}",
        ebc_code="3301960002",
        agent_code="3301960003",
        logistics_code="3301960004",
        customs_code="2244",
        trade_mode="9610",
        country="116",
        declared_on=DAY,
        at=datetime(2024, 6, 1, 10),
        buyer_id="110105198001010018",
        buyer_name="张三",
        consignee="张三",
        phone="13800000000",
        address="杭州市西湖区1号",
        payer_id="110105198001010018",
        goods_value=Decimal(200),
        freight=Decimal(10),
        lines=(LineFacts(1, "0402210000", "全脂奶粉", "116", Decimal(1), Decimal(200), Decimal(200)),),
    )
    return replace(base, **changes)


def seen(f: ListFacts, invt_no: str, **changes: Any) -> Observation:
    """An observation of ``f`` (a list cleared before), with changes."""
    obs = Observation(
        invt_no=invt_no,
        customs_code=f.customs_code,
        day=f.declared_on,
        at=f.at,
        buyer_id=f.buyer_id,
        consignee=f.consignee,
        phone=f.phone,
        address=f.address,
        payer_id=f.payer_id,
        ebc_code=f.ebc_code,
        value=f.goods_value + f.freight,
    )
    return replace(obs, **changes)
