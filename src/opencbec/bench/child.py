"""Running a child process and reading its wall time and peak resident memory.

Peak RSS is the largest sum, over the command's whole process tree (a ``cbec clear --workers 2`` is
two processes), of every process's resident memory (``VmRSS`` in ``/proc``), sampled every 50 ms;
pages the processes share are counted once per process, so the figure errs on the high side. Where
``/proc`` is missing it falls back to the kernel's accounting of reaped children
(``RUSAGE_CHILDREN``: the largest single process). To get the figure of exactly one command, the
command runs under a small intermediate Python process (``python -m opencbec.bench.child CMD...``)
whose only child tree it is; the intermediate prints the figure as its last line.

The same sampler reads each process's CPU time (user and system, ``/proc/PID/stat``), kept as last
seen: so a figure can fall short by what a process used in its last 50 ms. The command's own
process (for ``cbec clear`` the clearing process) is reported apart from the others (its decoding
workers, and the few milliseconds of ``multiprocessing``'s helper processes): which of them is busy
the whole run tells where a faster run must save. Without ``/proc`` there are no CPU figures.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class ChildRun:
    """Wall time, peak RSS and output of a finished child process."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    #: CPU seconds as ``{"command": {"user": u, "system": s}, "others": {...}}`` (empty without ``/proc``).
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)


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
        figures.get("cpu", {}),
    )


def main(argv: Sequence[str]) -> int:
    """Run ``argv``, passing its output through, then print its figures as one JSON line."""
    started = time.perf_counter()
    child = subprocess.Popen(list(argv))
    peak_tree = [0]
    cpu: dict[int, tuple[float, float]] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(child.pid, peak_tree, cpu, stop), daemon=True)
    sampler.start()
    returncode = child.wait()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    peak = max(peak_tree[0], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.stdout.flush()
    figures = {
        "seconds": seconds,
        "peak_rss_kb": peak,
        "returncode": returncode,
        "cpu": cpu_split(child.pid, cpu),
    }
    print(json.dumps(figures))  # noqa: T201
    return 0


def cpu_split(pid: int, cpu: dict[int, tuple[float, float]]) -> dict[str, dict[str, float]]:
    """``cpu`` (user and system seconds per process) as the command's own (``pid``) and the sum of
    the others, rounded to 0.1 s; empty when nothing was sampled."""
    if not cpu:
        return {}
    own = cpu.get(pid, (0.0, 0.0))
    others = [times for p, times in cpu.items() if p != pid]
    return {
        "command": {"user": round(own[0], 1), "system": round(own[1], 1)},
        "others": {
            "user": round(sum(u for u, _ in others), 1),
            "system": round(sum(s for _, s in others), 1),
        },
    }


def tree_rss_kb(pid: int, cpu: dict[int, tuple[float, float]] | None = None) -> int:
    """Resident memory (kB) of ``pid`` and all its descendants, now; 0 without ``/proc``. With
    ``cpu``, each process's user and system CPU seconds so far are put there too."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in (PROC / str(p) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            if cpu is not None:
                cpu[p] = process_cpu(p)
            for task in (PROC / str(p) / "task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> tuple[float, float]:
    """User and system CPU seconds ``pid`` has used (``/proc/PID/stat``'s ``utime`` and ``stime``)."""
    stat = (PROC / str(pid) / "stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return int(fields[11]) / _TICKS, int(fields[12]) / _TICKS


def _sample(pid: int, peak: list[int], cpu: dict[int, tuple[float, float]], stop: threading.Event) -> None:
    while not stop.wait(0.05):
        peak[0] = max(peak[0], tree_rss_kb(pid, cpu))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
