"""A tiny in-memory driver for the pure export core, and parcel factories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from opencbec.domain import ceb_export_records as x
from opencbec.domain.documents import Envelope
from opencbec.export.documents import ExportDocument, ExportKind
from opencbec.export.flow import clear_export
from opencbec.export.rules import ExportConfig
from opencbec.export.state import ExportEffects, ExportState, XDoc, XIncoming
from opencbec.messages.export_encode import encode_export
from opencbec.sim import export_documents as b
from opencbec.sim.export_documents import Goods, Parcel

T0 = datetime(2024, 6, 3, 10, 0)
SENDER = "3120980002"


def goods(gnum: int = 1, **kw: object) -> Goods:
    base: dict[str, object] = {
        "gnum": gnum,
        "item_no": f"SKU{gnum}",
        "item_name": f"T恤{gnum}",
        "gname": "棉制针织T恤衫",
        "gcode": "6109100022",
        "qty": Decimal(2),
        "price": Decimal(60),
    }
    base.update(kw)
    return Goods(**base)  # type: ignore[arg-type]


def parcel(n: int = 1, goods_: Sequence[Goods] | None = None, **kw: object) -> Parcel:
    base: dict[str, object] = {
        "order_no": f"SO{n:06d}",
        "logistics_no": f"LX{n:09d}CN",
        "goods": tuple(goods_ or (goods(1),)),
        "at": T0,
    }
    base.update(kw)
    return Parcel(**base)  # type: ignore[arg-type]


class Driver:
    """Feeds documents to ``clear_export`` batch by batch over one in-memory state."""

    def __init__(self, config: ExportConfig | None = None, at: datetime = T0) -> None:
        self.at = at
        self.state = ExportState()
        self.config = config or ExportConfig()
        self.effects: list[ExportEffects] = []

    def send(self, *docs: ExportDocument, at: datetime | None = None) -> ExportEffects:
        at = at or self.at
        env = Envelope(
            "CEB000Message", "G", x.BaseTransfer(cop_code=SENDER, cop_name="n", dxp_mode="DXP", dxp_id="D")
        )
        batch = [XIncoming(doc, env, 1, at) for doc in docs]
        for doc in docs:  # what the store loads for a windowed CEB701: the consignor's lists
            if doc.kind is ExportKind.SUMMARY:
                lists = [v for (k, _), v in self.state.current.items() if k is ExportKind.LIST]
                self.state.window_lists[doc.key] = lists
        effects = clear_export(batch, self.state, self.config, at)
        self.effects.append(effects)
        _validate_receipts(effects)
        return effects

    def doc(self, kind: ExportKind, key: str) -> XDoc:
        return self.state.current[(kind, key)]

    def list_of(self, p: Parcel) -> XDoc:
        return self.state.lists_by_waybill[p.waybill_key]

    def full(self, p: Parcel, *, collection: bool = True, at: datetime | None = None) -> XDoc:
        docs: list[ExportDocument] = [b.order(p), b.waybill(p)]
        if collection:
            docs.append(b.collection(p))
        docs.append(b.export_list(p))
        self.send(*docs, at=at)
        return self.list_of(p)


def _validate_receipts(effects: ExportEffects) -> None:
    """Every receipt the core produces encodes to an XSD-valid message."""
    groups: dict[str, list[object]] = {}
    for r in effects.receipts:
        groups.setdefault(r.message_type, []).append(r.record)
    for message_type, records in groups.items():
        encode_export(message_type, records, validate=True)


def receipts(effects: ExportEffects, message_type: str) -> list[object]:
    return [r.record for r in effects.receipts if r.message_type == message_type]


def statuses(effects: ExportEffects, message_type: str) -> list[str]:
    return [getattr(r, "return_status") for r in receipts(effects, message_type)]  # noqa: B009
