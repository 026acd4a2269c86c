"""The ground-truth files: one JSON line per parcel and a summary of the expected counts.

``ground-truth.jsonl``, one object per parcel (keys in camelCase, amounts as strings)::

    {"parcel": "P00000001", "ebpCode": ..., "orderNo": ..., "logisticsCode": ..., "logisticsNo": ...,
     "payCode": ..., "payTransactionId": ..., "buyerIdNumber": ..., "listBuyerIdNumber": ...,
     "tradeMode": "9610", "customsCode": "2244", "declDate": "2024-06-01",
     "labels": ["out_of_order"], "splitGroup": null,
     "guids": {"order": ..., "payment": ..., "waybill": ..., "list": ...},
     "sent": {"order": "20240601093015", "payment": ..., "waybill": ..., "list": ...},
     "expected": {"order": "120", "payment": "120", "waybill": "120", "list": "800",
                  "listReason": "2600"},
     "duplicateList": null, "dutiableValue": "412.50",
     "valueAddedTax": "37.54", "consumptionTax": "0.00"}

``buyerIdNumber`` is the order's buyer as declared (the annual ledger is kept on the list's buyer,
``listBuyerIdNumber``, which differs only for ``list_buyer_mismatch``). ``payment`` is null when
the payment is never sent. ``duplicateList`` is, for the
``duplicate_list`` anomaly, ``{"guid", "sent", "status": "100", "reason": "-621004"}`` (the second
list document; the list's own status is the first one's). ``dutiableValue`` is the list's ΣP as
the core computes it (the core records it only for lists that reach the limits); taxes are given
only for released lists (800).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from opencbec.domain.money import ZERO
from opencbec.sim.outbox import Sent
from opencbec.sim.plan import ParcelPlan
from opencbec.sim.truth import Outcome

_STAMP = "%Y%m%d%H%M%S"
NOT_SENT = "not_sent"


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """What :func:`opencbec.sim.simulate` wrote."""

    out: Path
    parcels: int
    message_files: int
    documents: int
    replayed_files: int
    window_minutes: int
    seconds: float
    summary: dict[str, Any]

    @property
    def ground_truth(self) -> Path:
        """The per-parcel ground truth."""
        return self.out / "ground-truth.jsonl"


class GroundTruth:
    """Writes the per-parcel lines as parcels are planned and tallies the summary."""

    def __init__(self, out: Path) -> None:
        self._out = out
        self._file = (out / "ground-truth.jsonl").open("w", encoding="utf-8")
        self._tally: dict[str, Counter[str]] = {
            k: Counter() for k in ("list", "listReason", "order", "payment", "waybill", "labels", "duplicate")
        }
        self._released = 0
        self._sums = [ZERO, ZERO, ZERO]  # dutiable value, VAT, consumption tax of released lists
        self.parcels = 0

    def add(self, plan: ParcelPlan, outcome: Outcome, guids: dict[str, str | None]) -> None:
        """Record one parcel."""
        t, p = plan.times, plan.parties
        duplicate = None
        if t.duplicate is not None:
            duplicate = {
                "guid": guids["duplicateList"],
                "sent": t.duplicate.strftime(_STAMP),
                "status": "100",
                "reason": "-621004",
            }
            self._tally["duplicate"]["-621004"] += 1
        record = {
            "parcel": plan.parcel_id,
            "ebpCode": p.platform.firm.code,
            "orderNo": plan.order_no,
            "logisticsCode": p.carrier.firm.code,
            "logisticsNo": plan.logistics_no,
            "payCode": p.payment_firm.code,
            "payTransactionId": plan.pay_transaction_id,
            "buyerIdNumber": plan.buyer_id,
            "listBuyerIdNumber": plan.list_buyer_id,
            "tradeMode": plan.trade_mode,
            "customsCode": p.site.customs_code,
            "declDate": plan.times.inventory.date().isoformat(),
            "labels": plan.labels,
            "splitGroup": plan.split_group,
            "guids": {k: v for k, v in guids.items() if k != "duplicateList"},
            "sent": {
                "order": t.order.strftime(_STAMP),
                "payment": t.payment.strftime(_STAMP) if t.payment else None,
                "waybill": t.waybill.strftime(_STAMP),
                "list": t.inventory.strftime(_STAMP),
            },
            "expected": {
                "order": outcome.order,
                "payment": outcome.payment,
                "waybill": outcome.waybill,
                "list": outcome.inventory,
                "listReason": outcome.reason,
            },
            "duplicateList": duplicate,
            "dutiableValue": str(outcome.dutiable_value),
            "valueAddedTax": _text(outcome.value_added_tax),
            "consumptionTax": _text(outcome.consumption_tax),
        }
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.parcels += 1
        tally = self._tally
        tally["list"][outcome.inventory] += 1
        tally["listReason"][outcome.reason] += 1
        tally["order"][outcome.order] += 1
        tally["payment"][outcome.payment or NOT_SENT] += 1
        tally["waybill"][outcome.waybill] += 1
        tally["labels"].update(plan.labels)
        if outcome.value_added_tax is not None and outcome.consumption_tax is not None:
            self._released += 1
            sums = self._sums
            sums[0] += outcome.dutiable_value
            sums[1] += outcome.value_added_tax
            sums[2] += outcome.consumption_tax

    def close(self, sent: Sent, settings: dict[str, Any]) -> dict[str, Any]:
        """Finish the JSON lines and write ``ground-truth-summary.json``; return the summary."""
        self._file.close()
        tally = self._tally
        summary = {
            "parcels": self.parcels,
            "lists": {
                "byStatus": _sorted(tally["list"]),
                "byReason": _sorted(tally["listReason"]),
            },
            "orders": {"byStatus": _sorted(tally["order"])},
            "payments": {"byStatus": _sorted(tally["payment"])},
            "waybills": {"byStatus": _sorted(tally["waybill"])},
            "duplicateLists": {
                "byStatus": {"100": sum(tally["duplicate"].values())},
                "byReason": _sorted(tally["duplicate"]),
            },
            "labels": _sorted(tally["labels"]),
            "released": {
                "lists": self._released,
                "dutiableValue": str(self._sums[0]),
                "valueAddedTax": str(self._sums[1]),
                "consumptionTax": str(self._sums[2]),
            },
            "messageFiles": sent.files,
            "documents": sent.total_documents,
            "documentsByType": _sorted(sent.documents),
            "duplicates": {
                "files": sent.replayed_files,
                "documents": sent.replayed_documents,
                "duplicateListDocuments": sum(tally["duplicate"].values()),
            },
            "settings": settings,
        }
        path = self._out / "ground-truth-summary.json"
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return summary


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return {k: counter[k] for k in sorted(counter)}
