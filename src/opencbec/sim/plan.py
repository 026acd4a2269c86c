"""A parcel as planned by the simulator: who, what, how much and when each document is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from opencbec.domain.money import ZERO
from opencbec.rules import RulesAt
from opencbec.sim.catalogue import Product
from opencbec.sim.mix import Anomaly
from opencbec.sim.parties import Carrier, Enterprise, Platform, Site
from opencbec.sim.people import Person


@dataclass(slots=True)
class GoodsLine:
    """One goods line, identical on the order and the list."""

    gnum: int
    product: Product
    brand: str
    country: str  # origin
    qty: Decimal
    price: Decimal

    @property
    def total(self) -> Decimal:
        """``totalPrice`` = price x qty (prices are in fen, so this is exact)."""
        return self.price * self.qty


@dataclass(slots=True)
class Timeline:
    """``appTime`` of each document (``None``: never sent)."""

    order: datetime
    paid: datetime  # payTime: when the buyer paid
    payment: datetime | None
    waybill: datetime
    inventory: datetime
    duplicate: datetime | None = None  # a second list for the same order (new guid)


@dataclass(slots=True)
class Parties:
    """The enterprises handling one parcel."""

    platform: Platform
    seller: Enterprise
    payment_firm: Enterprise
    carrier: Carrier
    site: Site


@dataclass(slots=True)
class ParcelPlan:
    """Everything needed to write a parcel's documents and to predict their outcome."""

    parcel_id: str
    parties: Parties
    trade_mode: str
    dispatch: str  # list ``country``: dispatch country (9610) or 142 (bonded)
    order_no: str
    logistics_no: str
    pay_transaction_id: str
    buyer: Person
    buyer_id: str  # ID number as declared on the order, payment and list
    payer: Person
    consignee: Person
    list_buyer: Person
    lines: list[GoodsLine]
    freight: Decimal
    insured_fee: Decimal
    times: Timeline
    rules: RulesAt  # in force on the list's declaration date
    anomaly: Anomaly | None = None
    labels: list[str] = field(default_factory=list)
    split_group: str | None = None
    discount: Decimal = ZERO
    tax_total: Decimal = ZERO
    payment_gap: Decimal = ZERO  # amountPaid - acturalPaid (non-zero: amount mismatch)
    ledger_used: Decimal = ZERO  # the buyer's annual total before this list (as the core sees it)

    @property
    def payer_id(self) -> str:
        """``payerIdNumber`` on the payment."""
        return self.buyer_id if self.payer is self.buyer else self.payer.id_number

    @property
    def list_buyer_id(self) -> str:
        """``buyerIdNumber`` on the list."""
        return self.buyer_id if self.list_buyer is self.buyer else self.list_buyer.id_number

    @property
    def goods_value(self) -> Decimal:
        """``goodsValue`` = sum of line totals."""
        return sum((line.total for line in self.lines), ZERO)

    @property
    def actural_paid(self) -> Decimal:
        """``acturalPaid`` = goodsValue + freight + taxTotal - discount."""
        return self.goods_value + self.freight + self.tax_total - self.discount

    @property
    def decl_date(self) -> str:
        """``declTime`` (yyyymmdd) of the list."""
        return self.times.inventory.strftime("%Y%m%d")
