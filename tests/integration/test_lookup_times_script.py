"""``scripts/lookup_times.py`` times the look-ups by number on a store (docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from opencbec import bootstrap
from tests.parcels import make_parcel
from tests.units import clear_message

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "lookup_times.py"


def test_the_script_times_the_history_and_the_parcel_view(tmp_path: Path) -> None:
    db = tmp_path / "cbec.db"
    app = bootstrap.build(str(db), inspection_rate=Decimal(0))
    parcels = [make_parcel() for _ in range(3)]
    for parcel in parcels:
        clear_message(app, *parcel.documents())
    middle = parcels[1]
    expected = len(app.store.history(middle.order.head.order_no))
    app.store.engine.dispose()
    out = subprocess.run(
        [sys.executable, str(SCRIPT), str(db), "--repeat", "2"], check=True, capture_output=True, text=True
    ).stdout
    assert out.startswith("open (with any migration): ")
    assert f"history of {middle.order.head.order_no}: {expected} rows; fastest " in out
    assert f"parcel view rows of {middle.waybill.head.logistics_no}: 4 rows; fastest " in out
    assert out.count(" rows; fastest ") == 14  # two look-ups of three numbers, eight searches
    assert "search no filter (the first page): 12 rows; fastest " in out  # three parcels' documents
    assert "search kind=order: 3 rows; fastest " in out
    assert "search status=500&kind=inventory: 0 rows" in out  # nothing inspected
    # orders and lists carry the buyer (payments carry the payer): three parcels of one buyer
    assert f"search buyerId={middle.inventory.head.buyer_id_number}: 6 rows; fastest " in out
