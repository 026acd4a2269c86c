"""Running a child process and reading its wall time and peak resident memory.

Peak RSS is read from the kernel's accounting of reaped children (``RUSAGE_CHILDREN``). To get the
figure of exactly one command, the command runs under a small intermediate Python process
(``python -m opencbec.bench.child CMD...``) whose only child it is; the intermediate prints the
figure as its last line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChildRun:
    """Wall time, peak RSS and output of a finished child process."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(cmd: Sequence[str], env: dict[str, str] | None = None) -> ChildRun:
    """Run ``cmd`` to completion and measure it."""
    done = subprocess.run(
        [sys.executable, "-m", "opencbec.bench.child", *cmd],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = done.stdout.rstrip("\n").split("\n")
    try:
        figures = json.loads(lines[-1])
    except (json.JSONDecodeError, IndexError):
        figures = {"seconds": 0.0, "peak_rss_kb": 0, "returncode": done.returncode}
        return ChildRun(0.0, 0.0, done.returncode or 1, done.stdout, done.stderr)
    return ChildRun(
        figures["seconds"],
        figures["peak_rss_kb"] / 1024,
        figures["returncode"],
        "\n".join(lines[:-1]),
        done.stderr,
    )


def main(argv: Sequence[str]) -> int:
    """Run ``argv``, passing its output through, then print its figures as one JSON line."""
    started = time.perf_counter()
    done = subprocess.run(list(argv), check=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stdout.flush()
    print(json.dumps({"seconds": seconds, "peak_rss_kb": peak, "returncode": done.returncode}))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
