"""Building consistent parcels (order, payment, waybill, list) for tests, and an in-memory driver."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from opencbec.clearing.checks import own_checks
from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.pipeline import clear
from opencbec.clearing.state import Effects, Incoming, StateView
from opencbec.domain import ceb_records as rec
from opencbec.domain.codes import Status
from opencbec.domain.documents import (
    Cancel,
    Document,
    DocumentKind,
    Envelope,
    Inventory,
    Order,
    Payment,
    Refund,
    Waybill,
)
from opencbec.domain.resident_id import check_char
from opencbec.rules import shipped_rulebook

_serial = itertools.count(1)

MILK = ("0402210000", "全脂奶粉", Decimal("0.9"), "035")  # on the positive list, VAT 13 %
NUTS = ("0802320000", "去壳核桃", Decimal("0.5"), "035")  # on the positive list, VAT 9 %
OFF_LIST = ("8517130000", "智能手机", Decimal("0.2"), "035")  # not on the (partial) list


def buyer_id(seed: int = 1) -> str:
    """A valid resident ID number."""
    first17 = f"110105198{seed % 10}0101{seed % 1000:03d}"
    return first17 + check_char(first17)


def guid() -> str:
    """A fresh uppercase guid."""
    return str(uuid.uuid4()).upper()


@dataclass
class Parcel:
    """The four documents of one parcel."""

    order: Order
    payment: Payment
    waybill: Waybill
    inventory: Inventory

    def documents(self) -> list[Document]:
        """Order, payment, waybill, list."""
        return [self.order, self.payment, self.waybill, self.inventory]


def make_parcel(
    *,
    prices: list[Decimal] | None = None,
    qtys: list[Decimal] | None = None,
    goods: list[tuple[str, str, Decimal, str]] | None = None,
    buyer: str | None = None,
    buyer_name: str = "张三",
    freight: Decimal = Decimal("10"),
    at: datetime = datetime(2024, 6, 1, 10, 0, 0),
    trade_mode: str = "9610",
) -> Parcel:
    """A clean parcel: every amount consistent, goods on the positive list."""
    n = next(_serial)
    prices = prices or [Decimal("200")]
    qtys = qtys or [Decimal(1)] * len(prices)
    goods = goods or [MILK] * len(prices)
    buyer = buyer or buyer_id(1)
    order_no = f"SO{n:010d}"
    logistics_no = f"YT{n:012d}"
    app_time = at.strftime("%Y%m%d%H%M%S")
    totals = [p * q for p, q in zip(prices, qtys, strict=True)]
    goods_value = sum(totals, Decimal(0))
    paid = goods_value + freight
    order = Order(
        head=rec.OrderHead(
            guid=guid(),
            app_type="1",
            app_time=app_time,
            app_status="2",
            order_type="I",
            order_no=order_no,
            ebp_code="3301960001",
            ebp_name="某跨境平台",
            ebc_code="3301960002",
            ebc_name="某电商企业",
            goods_value=goods_value,
            freight=freight,
            discount=Decimal(0),
            tax_total=Decimal(0),
            actural_paid=paid,
            currency="142",
            buyer_reg_no="u1",
            buyer_name=buyer_name,
            buyer_telephone="13800000000",
            buyer_id_type="1",
            buyer_id_number=buyer,
            pay_code="3101000001",
            pay_name="某支付",
            consignee=buyer_name,
            consignee_telephone="13800000000",
            consignee_address="杭州市西湖区1号",
        ),
        lines=[
            rec.OrderList(
                gnum=i + 1,
                item_name=g[1],
                gmodel="4|3|品牌",
                unit="007",
                qty=q,
                price=p,
                total_price=p * q,
                currency="142",
                country="116",
            )
            for i, (p, q, g) in enumerate(zip(prices, qtys, goods, strict=True))
        ],
    )
    payment = Payment(
        head=rec.PaymentHead(
            guid=guid(),
            app_type="1",
            app_time=app_time,
            app_status="2",
            pay_code="3101000001",
            pay_name="某支付",
            pay_transaction_id=f"PAY{n:012d}",
            order_no=order_no,
            ebp_code="3301960001",
            ebp_name="某跨境平台",
            payer_id_type="1",
            payer_id_number=buyer,
            payer_name=buyer_name,
            amount_paid=paid,
            currency="142",
            pay_time=app_time,
        )
    )
    waybill = Waybill(
        head=rec.LogisticsHead(
            guid=guid(),
            app_type="1",
            app_time=app_time,
            app_status="2",
            logistics_code="1101180326",
            logistics_name="某快递",
            logistics_no=logistics_no,
            order_no=order_no,
            freight=freight,
            currency="142",
            weight=Decimal("1.2"),
            pack_no=1,
            consignee=buyer_name,
            consignee_address="杭州市西湖区1号",
            consignee_telephone="13800000000",
        )
    )
    bonded = trade_mode != "9610"
    inventory = Inventory(
        head=rec.InventoryHead(
            guid=guid(),
            app_type="1",
            app_time=app_time,
            app_status="2",
            order_no=order_no,
            ebp_code="3301960001",
            ebp_name="某跨境平台",
            ebc_code="3301960002",
            ebc_name="某电商企业",
            logistics_no=logistics_no,
            logistics_code="1101180326",
            logistics_name="某快递",
            cop_no=f"CP{n:010d}",
            assure_code="3301960002",
            ie_flag="I",
            decl_time=at.strftime("%Y%m%d"),
            customs_code="2924",
            port_code="2924",
            buyer_id_type="1",
            buyer_id_number=buyer,
            buyer_name=buyer_name,
            buyer_telephone="13800000000",
            consignee_address="杭州市西湖区1号",
            agent_code="330766K00Q",
            agent_name="某报关行",
            trade_mode=trade_mode,
            traf_mode="5",
            traf_no=None if bonded else "CK221",
            voyage_no=None if bonded else "20240601",
            bill_no=None if bonded else "112-12345675",
            ems_no="T2924W000001" if bonded else None,
            area_code="3301960003" if bonded else None,
            area_name="某保税仓" if bonded else None,
            country="142" if bonded else "116",
            freight=freight,
            insured_fee=Decimal(0),
            currency="142",
            pack_no=1,
            gross_weight=Decimal("1.2"),
            net_weight=Decimal("1.0"),
        ),
        lines=[
            rec.InventoryList(
                gnum=i + 1,
                item_record_no="R1" if bonded else None,
                gcode=g[0],
                gname=g[1],
                gmodel="4|3|品牌",
                country="116",
                currency="142",
                qty=q,
                unit="007",
                qty1=g[2] * q,
                unit1=g[3],
                price=p,
                total_price=p * q,
            )
            for i, (p, q, g) in enumerate(zip(prices, qtys, goods, strict=True))
        ],
    )
    return Parcel(order, payment, waybill, inventory)


def with_head(doc: Document, **changes: object) -> Document:
    """A copy of ``doc`` with head fields changed."""
    return replace(doc, head=replace(doc.head, **changes))  # type: ignore[arg-type]


def cancel_for(parcel: Parcel, invt_no: str, *, at: datetime) -> Cancel:
    """A CEB623 cancel of the parcel's list."""
    h = parcel.inventory.head
    return Cancel(
        head=rec.InvtCancel(
            guid=guid(),
            app_type="1",
            app_time=at.strftime("%Y%m%d%H%M%S"),
            app_status="2",
            customs_code="2924",
            order_no=h.order_no,
            ebp_code=h.ebp_code,
            ebp_name=h.ebp_name,
            ebc_code=h.ebc_code,
            ebc_name=h.ebc_name,
            logistics_no=h.logistics_no,
            logistics_code=h.logistics_code,
            logistics_name=h.logistics_name,
            cop_no=h.cop_no,
            invt_no=invt_no,
            buyer_id_type="1",
            buyer_id_number=h.buyer_id_number,
            buyer_name=h.buyer_name,
            buyer_telephone=h.buyer_telephone,
            agent_code=h.agent_code,
            agent_name=h.agent_name,
            reason="消费者取消订单",
        )
    )


def refund_for(
    parcel: Parcel, invt_no: str, lines: list[tuple[int, Decimal]], *, at: datetime, cop_no: str = "RT1"
) -> Refund:
    """A CEB625 return of some lines of the parcel's list."""
    h = parcel.inventory.head
    by_gnum = {ln.gnum: ln for ln in parcel.inventory.lines}
    return Refund(
        head=rec.InvtRefundHead(
            guid=guid(),
            app_type="1",
            app_time=at.strftime("%Y%m%d%H%M%S"),
            app_status="2",
            customs_code="2924",
            order_no=h.order_no,
            ebp_code=h.ebp_code,
            ebp_name=h.ebp_name,
            ebc_code=h.ebc_code,
            ebc_name=h.ebc_name,
            logistics_no=h.logistics_no,
            logistics_code=h.logistics_code,
            logistics_name=h.logistics_name,
            cop_no=cop_no,
            invt_no=invt_no,
            buyer_id_type="1",
            buyer_id_number=h.buyer_id_number,
            buyer_name=h.buyer_name,
            buyer_telephone=h.buyer_telephone,
            agent_code=h.agent_code,
            agent_name=h.agent_name,
            reason="质量问题退货",
        ),
        lines=[
            rec.InvtRefundList(
                gnum=g, gcode=by_gnum.get(g, parcel.inventory.lines[0]).gcode, gname="退货", qty=q, unit="007"
            )
            for g, q in lines
        ],
    )


class Customs:
    """The clearing core driven in memory: the state view is kept between batches."""

    def __init__(self, config: ClearingConfig | None = None, *, checks_ahead: bool = False) -> None:
        self.checks_ahead = (
            checks_ahead  # run the documents' own checks before the core, as a decoding worker does
        )
        self.state = StateView()
        self.config = config or ClearingConfig(inspection_rate=Decimal(0))
        self.rulebook = shipped_rulebook()
        self.watermark = datetime(2000, 1, 1)
        self.message_id = 0
        self.effects: list[Effects] = []

    def send(self, *documents: Document, sender: str = "330766K00Q", at: datetime | None = None) -> Effects:
        """Send documents (one message each) and clear them as one batch."""
        batch = []
        for doc in documents:
            self.message_id += 1
            when = at or datetime.strptime(doc.head.app_time, "%Y%m%d%H%M%S")
            self.watermark = max(self.watermark, when)
            env = Envelope(
                message_type="x",
                guid=guid(),
                base_transfer=rec.BaseTransfer(cop_code=sender, cop_name="x", dxp_mode="DXP", dxp_id="DXP1"),
            )
            ahead = (own_checks(doc),) if self.checks_ahead else None
            batch.append(Incoming(doc, env, self.message_id, self.watermark, ahead))
        self.state.due_lists = [
            d
            for (kind, _), d in self.state.current.items()
            if kind is DocumentKind.INVENTORY
            and d.status == Status.DECLARING
            and datetime.strptime(d.document.head.app_time, "%Y%m%d%H%M%S") + self.config.partner_wait
            < self.watermark
        ]
        effects = clear(batch, self.state, self.rulebook, self.config, self.watermark)
        self.effects.append(effects)
        return effects

    def advance(self, to: datetime) -> Effects:
        """Let the clock run (an empty batch at a later time)."""
        self.watermark = max(self.watermark, to)
        return self.send()

    def status(self, doc: Document) -> str:
        """Current status of a document's key."""
        return self.state.current[(doc.kind, doc.key)].status

    def info(self, doc: Document) -> str:
        """Current returnInfo of a document's key."""
        return self.state.current[(doc.kind, doc.key)].info

    def invt_no(self, parcel: Parcel) -> str:
        """The list number customs assigned."""
        number = self.state.current[(DocumentKind.INVENTORY, parcel.inventory.key)].invt_no
        assert number is not None
        return number

    def used(self, buyer: str, year: int) -> Decimal:
        """The buyer's ledger total."""
        return self.state.ledger_used.get((buyer, year), Decimal(0))


ONE_DAY = timedelta(days=1)
