"""The benchmark's child runner reports the CPU of the command's process apart from its descendants'."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opencbec.bench.child import cpu_split, process_cpu, run_child, tree_rss_kb
from opencbec.bench.run import cpu_note

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

#: Python that keeps a CPU busy for about the given seconds of its own CPU time.
BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def test_process_cpu_reads_a_process_own_cpu_time() -> None:
    before = process_cpu(os.getpid())
    end = time.process_time() + 0.3  # reading the CPU clock is a system call: user and system time
    while time.process_time() < end:
        pass
    after = process_cpu(os.getpid())
    assert sum(after) - sum(before) >= 0.25  # clock ticks of 10 ms: some slack


def test_the_tree_sample_puts_each_descendant_cpu_in_the_map() -> None:
    child = subprocess.Popen([sys.executable, "-c", BURN.format(s=0.4) + "time.sleep(5)"])
    try:
        time.sleep(1.0)  # burned 0.4 s, now sleeping
        cpu: dict[int, tuple[float, float]] = {}
        assert tree_rss_kb(os.getpid(), cpu) > 0
        assert child.pid in cpu and os.getpid() in cpu
        assert sum(cpu[child.pid]) >= 0.3
    finally:
        child.kill()
        child.wait()


def test_run_child_splits_the_command_from_the_processes_it_starts() -> None:
    inner = [sys.executable, "-c", BURN.format(s=1.0)]
    outer = BURN.format(s=0.3) + f"import subprocess\nsubprocess.run({inner!r}, check=True)\n"
    run = run_child([sys.executable, "-c", outer])
    assert run.returncode == 0
    command, others = run.cpu["command"], run.cpu["others"]
    # 0.3 s and 1.0 s of their own; the sampler may miss a process's last 50 ms, start-up adds some
    assert 0.2 <= command["user"] + command["system"] <= 0.7
    assert 0.85 <= others["user"] + others["system"] <= 1.5


def test_cpu_split_and_the_tables_note() -> None:
    cpu = {10: (40.91, 2.2), 11: (30.04, 2.1), 12: (0.0, 0.01)}
    split = cpu_split(10, cpu)
    assert split == {"command": {"user": 40.9, "system": 2.2}, "others": {"user": 30.0, "system": 2.1}}
    assert cpu_note(split) == "; CPU: clearing process 43.1 s, other processes 32.1 s"
    # one process: no others to name; nothing sampled: no note
    alone = cpu_split(10, {10: (5.0, 0.5), 11: (0.1, 0.0)})
    assert cpu_note(alone) == "; CPU: clearing process 5.5 s"
    assert cpu_split(10, {}) == {} and cpu_note({}) == "" and cpu_note(None) == ""
