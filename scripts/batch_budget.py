"""The cost floor of a batch run on an existing cleared file, without the rest of ``cbec bench``
(``opencbec.bench.cost_floor``; docs/performance.md, "Twenty-third session").

    .venv/bin/python scripts/batch_budget.py --db CLEARED.db [--traffic DIR] [--json OUT.json]

``CLEARED.db`` is a SQLite file that ``cbec clear`` filled from ``DIR`` (by default the benchmark's
cached 100,000-parcel traffic, ``out/bench/traffic-100000-20240618``). Prints and writes the parse
floor (the fastest of three passes, as ``cbec bench`` takes it) and the ``cost_floor_*`` figures.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from opencbec.bench.cost_floor import cost_floor
from opencbec.bench.floor import parse_floor
from opencbec.service.batch_clear import input_files

DEFAULT_TRAFFIC = Path("out/bench/traffic-100000-20240618")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a SQLite file cleared from --traffic")
    parser.add_argument("--traffic", type=Path, default=DEFAULT_TRAFFIC)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    files = list(input_files([args.traffic]))
    floor_s = min(parse_floor(files)[0] for _ in range(3))
    figures = {"files": len(files), "parse_floor_seconds": round(floor_s, 2)}
    figures.update(cost_floor(files, args.db, floor_s, os.cpu_count() or 1))
    text = json.dumps(figures, indent=2)
    print(text)  # noqa: T201
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
