"""Traffic simulator: realistic CEB311/411/511/621 import traffic with its ground truth.

``simulate(parcels, start, days, seed, out)`` (behind ``cbec simulate``) writes

* ``out/messages/<yyyy-mm-dd>/<serial>_<CEBxxxMessage>.xml``: one message per file with 1-100
  documents of one type from one sender, batched per time window; sorted path order is send
  order, so ``cbec clear`` (event time = largest ``appTime`` read so far) sees the traffic as
  sent. Within a parcel: order, payment, waybill, then the list minutes later; some lists go
  first (``out_of_order``, partners well inside the wait); a share of files is replayed byte for
  byte.
* ``out/ground-truth.jsonl``: per parcel, the keys, anomaly labels and the final status the core
  must give the order, payment, waybill and list, the list's reason code, dutiable value and,
  when released, the VAT and consumption tax (see :mod:`opencbec.sim.report`).
* ``out/ground-truth-summary.json``: expected counts by status and reason, files, documents and
  duplicates.

Anomalies (:class:`TrafficMix`, defaults about 10 % of parcels) are listed in
:class:`~opencbec.sim.mix.Anomaly` with the reason the core must give. The random inspection
is predicted exactly: a list that passes every check is inspected (500, 9040) iff::

    int(hashlib.sha256(f"{inspection_seed}|{ebpCode}|{orderNo}".encode()).hexdigest()[:13], 16)
        / 16**13 < inspection_rate

Rules (limits, rates, positive list) come from ``opencbec.rules`` on each list's declaration
date; goods are chosen among the positive-list lines in force then.
"""

from opencbec.sim.engine import simulate
from opencbec.sim.mix import Anomaly, TrafficMix
from opencbec.sim.report import SimulationReport

__all__ = ["Anomaly", "SimulationReport", "TrafficMix", "simulate"]
