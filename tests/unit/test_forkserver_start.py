"""``cbec clear`` starts its decoding workers' fork server early, with the decoding code loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from opencbec.service import forkserver_start
from opencbec.service.forkserver_start import decodes_in_workers


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["clear", "traffic/"], True),
        (["clear", "--workers", "2", "traffic/"], True),
        (["clear", "--workers=3", "traffic/"], True),
        (["clear", "--workers", "0", "traffic/"], True),  # 0 chooses: 2 on two or more CPUs
        (["clear", "--workers", "1", "traffic/"], False),
        (["clear", "--workers=1", "traffic/"], False),
        (["serve", "--workers", "2"], False),
        (["status", "clear"], False),
        (["--help"], False),
        ([], False),
    ],
)
def test_which_command_lines_start_the_fork_server(args: list[str], expected: bool) -> None:
    assert decodes_in_workers(args) is expected


def test_not_on_a_single_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkserver_start.os, "cpu_count", lambda: 1)
    assert decodes_in_workers(["clear", "traffic/"]) is False


#: A process forked by the fork server reports whether the decoding code was loaded before its
#: own task was unpickled (the probe itself needs nothing of OpenCBEC).
PROBE = """\
import functools, multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
from opencbec.service.forkserver_start import start_forkserver
if __name__ == "__main__":
    if sys.argv[1] == "early":
        start_forkserver()
    context = multiprocessing.get_context("forkserver")
    probe = functools.partial(eval, "'opencbec.service.decode_workers' in __import__('sys').modules")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        print(pool.submit(probe).result())
"""


@pytest.mark.parametrize(("mode", "loaded"), [("early", "True"), ("late", "False")])
def test_workers_start_with_the_decoding_code_loaded(mode: str, loaded: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == loaded
