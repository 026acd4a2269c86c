"""Export traffic for the simulator: B2C 9610 (summary and simplified), B2B 9710/9810, summer peaks.

Per simulated day the parcels' messages are written in causal order, each type as one file of at
most 100 documents: ``{day}/01_CEB303`` orders, ``02_CEB403`` collections, ``03_CEB505``
waybills, ``04_CEB603`` lists, ``05_CEB507`` arrivals (+3 h), ``06_CEB509`` departures (+8 h).
The daily volume follows :func:`season_factor` (summer peak June-August, the 618 festival and
the November sales). ``ground-truth-export.json`` (skipped by ``cbec clear``) has the expected
outcome: every list closed (899) in the month of its day, and the lists per consignor and month
that ``cbec export summarize`` should take (statisticsFlag B only).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from opencbec.domain import ceb_export_records as x
from opencbec.export.documents import ExportDocument
from opencbec.messages.export_encode import encode_export
from opencbec.sim import export_documents as b
from opencbec.sim.export_documents import Goods, Parcel

CATALOGUE = (
    ("T恤", "棉制针织T恤衫", "6109100022", "011", Decimal(60)),
    ("跑鞋", "橡胶底纺织面鞋", "6404199000", "025", Decimal(200)),
    ("手机壳", "塑料制手机保护壳", "3926909090", "011", Decimal(15)),
    ("蓝牙耳机", "无线耳塞式耳机", "8518300000", "011", Decimal(120)),
    ("连衣裙", "化纤制针织连衣裙", "6104430000", "011", Decimal(90)),
)
CONSIGNORS = tuple(f"44039600{n:02d}" for n in range(1, 6))
DESTINATIONS = ("502", "303", "116", "304")


def season_factor(day: date) -> Decimal:
    """Relative daily volume: 1.6 in June-August (peak on 18 June), 1.4 in November, else 1."""
    if day.month == 6 and 16 <= day.day <= 18:
        return Decimal("2.5")
    if day.month in (6, 7, 8):
        return Decimal("1.6")
    if day.month == 11:
        return Decimal("1.4")
    return Decimal(1)


def _parcel(rng: random.Random, n: int, at: datetime) -> Parcel:
    ebc = rng.choice(CONSIGNORS)
    mode = rng.choices(("9610", "9710", "9810"), (85, 10, 5))[0]
    simplified = mode == "9610" and rng.random() < 0.3
    goods = []
    for gnum in range(1, rng.randint(1, 3) + 1):
        name, gname, gcode, unit, price = rng.choice(CATALOGUE)
        goods.append(
            Goods(
                gnum=gnum,
                item_no=f"SKU-{gcode[:6]}-{gnum}",
                item_name=name,
                gname=gname,
                gcode=gcode[:4] + "000000" if simplified else gcode,
                qty=Decimal(rng.randint(1, 3)),
                price=price,
                unit=unit,
                unit1=unit,
                country=rng.choice(DESTINATIONS),
            )
        )
    return Parcel(
        order_no=f"EO{at:%y%m%d}{n:07d}",
        logistics_no=f"EX{at:%y%m%d}{n:07d}CN",
        goods=tuple(goods),
        at=at,
        ebc_code=ebc,
        owner_code=f"{ebc[:-1]}{rng.randint(0, 1)}",
        port_code=rng.choice(("2244", "5141")),
        traf_mode=rng.choice(("5", "6")),
        country=goods[0].country,
        trade_mode=mode,
        statistics_flag="A" if simplified else "B",
        order_type={"9610": "E", "9710": "B", "9810": "W"}[mode],
    )


def _write(
    directory: Path, name: str, message_type: str, docs: Sequence[ExportDocument], sender: str
) -> None:
    bt = x.BaseTransfer(cop_code=sender, cop_name="模拟企业", dxp_mode="DXP", dxp_id=f"DXPENT{sender}")
    for i in range(0, len(docs), 100):
        xml = encode_export(message_type, docs[i : i + 100], bt)
        (directory / f"{name}_{i // 100:04d}.xml").write_bytes(xml)


def simulate_export(out: Path, start: date, days: int, per_day: int, seed: int) -> dict[str, Any]:
    """Write ``days`` days of export traffic under ``out``; return (and write) the ground truth."""
    rng = random.Random(seed)
    truth: dict[str, Any] = {"days": {}, "closed_by_month": {}, "summary_lists": {}}
    n = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        count = int(per_day * season_factor(day))
        directory = out / day.isoformat()
        directory.mkdir(parents=True, exist_ok=True)
        base = datetime(day.year, day.month, day.day, 9)
        parcels = []
        for _ in range(count):
            n += 1
            parcels.append(_parcel(rng, n, base + timedelta(seconds=n % 3600)))
        _write(directory, "01_CEB303", "CEB303Message", [b.order(p) for p in parcels], "4403960001")
        needs_collection = [p for p in parcels if p.trade_mode == "9610" and p.statistics_flag == "B"]
        if needs_collection:
            _write(
                directory,
                "02_CEB403",
                "CEB403Message",
                [b.collection(p) for p in needs_collection],
                "4403960001",
            )
        _write(directory, "03_CEB505", "CEB505Message", [b.waybill(p) for p in parcels], "3120980001")
        _write(directory, "04_CEB603", "CEB603Message", [b.export_list(p) for p in parcels], "3120980002")
        chunks = [parcels[i : i + 100] for i in range(0, len(parcels), 100)]
        arrivals = [
            b.arrival(c, f"A{day:%Y%m%d}{i:03d}", base + timedelta(hours=3)) for i, c in enumerate(chunks)
        ]
        departures = [
            b.departure(c, f"D{day:%Y%m%d}{i:03d}", base + timedelta(hours=8)) for i, c in enumerate(chunks)
        ]
        if parcels:
            _write(directory, "05_CEB507", "CEB507Message", arrivals, "2244980001")
            _write(directory, "06_CEB509", "CEB509Message", departures, "3120980001")
        month = f"{day:%Y-%m}"
        truth["days"][day.isoformat()] = count
        truth["closed_by_month"][month] = truth["closed_by_month"].get(month, 0) + count
        for p in parcels:
            if p.statistics_flag == "B":
                per = truth["summary_lists"].setdefault(month, {})
                per[p.ebc_code] = per.get(p.ebc_code, 0) + 1
    (out / "ground-truth-export.json").write_text(
        json.dumps(truth, indent=1, sort_keys=True), encoding="utf-8"
    )
    return truth
