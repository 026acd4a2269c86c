"""The one command behind the performance table of README.md and docs/performance.md.

    .venv/bin/python scripts/bench_table.py [--parcels 100000] [--large-parcels 1000000] [--out docs/bench]
        [--batch-runs 3]

Starts a throwaway PostgreSQL server (the test suite's, from the Debian binaries; skipped with a
note when there are none), runs ``cbec bench`` on the same cached traffic (parse floor; batch
``cbec clear`` on SQLite with 2 processes, ``--batch-runs`` times with the median reported, and with
1; PostgreSQL; the online path for 60 s; and the memory check on the large traffic), writes
``bench.json`` and ``bench.md`` into ``--out`` and stops the server.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.postgres import server as pg  # noqa: E402


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--large-parcels", type=int, default=1_000_000)
    parser.add_argument("--online-seconds", type=float, default=60.0)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "opencbec", "bench",
        "--parcels", str(args.parcels),
        "--online-seconds", str(args.online_seconds),
        "--batch-runs", str(args.batch_runs),
        "--work", str(args.work),
        "--json", str(args.out / "bench.json"),
        "--markdown", str(args.out / "bench.md"),
    ]  # fmt: skip
    if args.large_parcels:
        command += ["--large-parcels", str(args.large_parcels)]
    bin_dir = pg.find_bin_dir()
    server = pg.start(bin_dir) if bin_dir else None
    try:
        if server is not None:
            command += ["--postgres", server.url(server.create_database())]
        else:
            print("no PostgreSQL binaries: the PostgreSQL row is left out", file=sys.stderr)  # noqa: T201
        return subprocess.run(command, check=False).returncode
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
