"""Settings every ``cbec`` process reads at start: a bad value stops the command at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from opencbec.gc_tuning import COLLECT_ENV
from opencbec.gc_tuning import ENV as GC_ENV
from opencbec.service.helper_process import HELPER_NICE_ENV
from opencbec.store.engine import CACHE_ENV


@pytest.mark.parametrize("variable", [GC_ENV, COLLECT_ENV, CACHE_ENV, HELPER_NICE_ENV])
def test_the_cbec_command_refuses_a_bad_setting(variable: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from opencbec.cli import main; main()", "--help"],
        env={**os.environ, variable: "lots"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert variable in done.stderr and "'lots'" in done.stderr
