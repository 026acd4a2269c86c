#!/usr/bin/env python3
"""Measure ``cbec clear`` on simulated traffic and write docs/performance.md.

Usage: .venv/bin/python scripts/measure_clear.py [--parcels N] [--out DIR]

Simulates N parcels once (cached in DIR), then clears them into a fresh SQLite file in a child
process, and records wall time, throughput and the child's peak RSS with the machine's facts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "measure")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    sim = args.out / f"sim-{args.parcels}"
    if not (sim / "ground-truth-summary.json").exists():
        from opencbec.sim import simulate

        started = time.perf_counter()
        simulate(parcels=args.parcels, start=date(2024, 6, 16), days=3, seed=2024, out=sim)
        print(f"simulated {args.parcels} parcels in {time.perf_counter() - started:.1f} s")
    db = args.out / "measure.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "opencbec", "clear", "--signatures", "skip", "--db", str(db), str(sim)]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads((sim / "ground-truth-summary.json").read_text())
    documents = summary.get("documents", 0)
    files = summary.get("files", 0)
    result = {
        "date": date.today().isoformat(),
        "parcels": args.parcels,
        "messages": files,
        "documents": documents,
        "seconds": round(seconds, 1),
        "parcels_per_s": round(args.parcels / seconds),
        "documents_per_s": round(documents / seconds) if documents else None,
        "peak_rss_mb": round(peak_mb),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "summary_line": done.stdout.strip(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    args.doc.write_text(render(result), encoding="utf-8")


def render(r: dict[str, object]) -> str:
    return f"""# Performance

Measured by `scripts/measure_clear.py --parcels {r['parcels']}` on {r['date']}: one `cbec clear` run (single
process, SQLite file, `--signatures skip`, no outbox directory) over simulated traffic of {r['parcels']:,} parcels
(order + payment + waybill + list each) spread over 3 days. Machine: {r['cpus']} CPUs, {r['machine']}, Python
{r['python']}.

| parcels | messages | documents | wall time | parcels/s | documents/s | peak RSS |
|---|---|---|---|---|---|---|
| {r['parcels']:,} | {r['messages']:,} | {r['documents']:,} | {r['seconds']} s | {r['parcels_per_s']:,} | {r['documents_per_s']:,} | {r['peak_rss_mb']} MB |

The run's own summary line:

```
{r['summary_line']}
```

This is the first, unoptimised implementation: one process, a Python loop per document in the clearing
core, JSON serialisation of each document, and lxml parsing plus XSD validation of every message. The
performance issue (#6) tracks the targets (process pool, vectorised stages, faster parse) and the benchmark
command.
"""


if __name__ == "__main__":
    main()
