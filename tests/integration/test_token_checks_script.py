"""``scripts/token_checks.py`` counts the queries of token verification (docs/performance.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "token_checks.py"


def test_tokens_are_read_once_then_again_together() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--tokens", "600", "--seconds", "2.5"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.fullmatch(
        r"600 tokens: (\d+) verifications in [\d.]+ s, (\d+) queries on api_credential, "
        r"[\d.]+ s CPU \([\d.]+ us each\)\n",
        out,
    )
    assert found, out
    verifications, queries = int(found[1]), int(found[2])
    assert verifications >= 1200  # more than one round
    # each token read once, then every second all 600 again in two queries (500 + 100), not 600
    assert 600 < queries <= 600 + 2 * 4, out
