"""What the clearing core needs from risk targeting, as plain data and a protocol.

The core builds the ``ListFacts`` of every complete list of a batch, asks the assessor once per
batch (``assess``: rules and model score, the expensive part) and then, at each list's decision
step, for a ``RiskDecision`` (``decide``: the budgeted selection, cheap). The implementation lives
in ``opencbec.risk`` and is injected through ``ClearingConfig.risk``; without one the decision is
the plain random draw.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from opencbec.domain.documents import Inventory, Order, Payment


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One goods line of a list."""

    gnum: int
    gcode: str
    gname: str
    country: str
    qty: Decimal
    unit_price: Decimal
    total_price: Decimal


@dataclass(frozen=True, slots=True)
class ListFacts:
    """What risk targeting may look at on a complete list and its order, payment and waybill."""

    doc_id: int
    ebp_code: str
    order_no: str
    ebc_code: str
    agent_code: str
    logistics_code: str
    customs_code: str
    trade_mode: str
    country: str
    declared_on: date
    at: datetime
    buyer_id: str
    buyer_name: str
    consignee: str
    phone: str
    address: str
    payer_id: str
    goods_value: Decimal
    freight: Decimal
    lines: tuple[LineFacts, ...]
    single_limit: Decimal = Decimal(5000)
    annual_used: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Observation:
    """A list already cleared, as the history of its parties (loaded from and saved to storage)."""

    invt_no: str
    customs_code: str
    day: date
    at: datetime
    buyer_id: str
    consignee: str
    phone: str
    address: str
    payer_id: str
    ebc_code: str
    value: Decimal
    score: float | None = None


@dataclass(slots=True)
class RiskHistory:
    """The past a batch's risk assessment needs, read in bulk by the driver."""

    #: Lists cleared recently whose buyer, phone or address is one of the batch's.
    observations: list[Observation] = field(default_factory=list)
    #: Lists assessed so far per (customs office, day).
    assessed: dict[tuple[str, date], int] = field(default_factory=dict)
    #: Lists selected so far per (customs office, day, kind).
    selected: dict[tuple[str, date, str], int] = field(default_factory=dict)
    #: Lists cleared before, per e-commerce enterprise (``ebcCode``) of the batch.
    enterprise_lists: dict[str, int] = field(default_factory=dict)


class SelectionKind(enum.StrEnum):
    """Why a list was selected."""

    TARGETED = "targeted"  # rules that select, or the model's score, within the budget
    RANDOM = "random"  # the exploration share of the budget
    REVIEW = "review"  # a rule forcing manual review (outside the inspection budget)


@dataclass(frozen=True, slots=True)
class Assessment:
    """Rules fired and model score for one list (``assess``)."""

    doc_id: int
    score: float | None = None
    points: float = 0.0
    #: Rule ids that fired, each with its reason text.
    rules: tuple[tuple[str, str], ...] = ()
    select: bool = False
    review: bool = False
    revenue: float = 0.0


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """The selection of one list (``decide``); ``kind`` None: not selected."""

    kind: SelectionKind | None
    reasons: tuple[str, ...] = ()


@dataclass(slots=True)
class RiskRecord:
    """A selection or an assessment to store (``risk_selection`` / ``risk_observation``)."""

    facts: ListFacts
    assessment: Assessment
    decision: RiskDecision
    invt_no: str
    status: str
    at: datetime
    model_version: str | None = None


class RiskAssessorLike(Protocol):
    """Risk targeting as the clearing core sees it."""

    @property
    def model_version(self) -> str | None: ...

    def assess(self, lists: Sequence[ListFacts], history: RiskHistory) -> list[Assessment]: ...

    def decide(self, facts: ListFacts, assessment: Assessment, history: RiskHistory) -> RiskDecision: ...


def list_facts(
    doc_id: int,
    inventory: Inventory,
    order: Order,
    payment: Payment,
    declared_on: date,
    at: datetime,
    single_limit: Decimal,
    annual_used: Decimal,
) -> ListFacts:
    """The facts of a complete list (pure)."""
    head, ohead = inventory.head, order.head
    return ListFacts(
        doc_id=doc_id,
        ebp_code=head.ebp_code,
        order_no=head.order_no,
        ebc_code=head.ebc_code,
        agent_code=head.agent_code,
        logistics_code=head.logistics_code,
        customs_code=head.customs_code,
        trade_mode=head.trade_mode,
        country=head.country,
        declared_on=declared_on,
        at=at,
        buyer_id=head.buyer_id_number,
        buyer_name=head.buyer_name,
        consignee=ohead.consignee,
        phone=ohead.consignee_telephone,
        address=ohead.consignee_address,
        payer_id=payment.head.payer_id_number,
        goods_value=sum((ln.total_price for ln in inventory.lines), Decimal(0)),
        freight=head.freight,
        lines=tuple(
            LineFacts(ln.gnum, ln.gcode, ln.gname, ln.country, ln.qty, ln.price, ln.total_price)
            for ln in inventory.lines
        ),
        single_limit=single_limit,
        annual_used=annual_used,
    )
