"""How much verifying API tokens costs a server process: queries and CPU per verification.

Issues ``--tokens`` enterprise tokens on a scratch SQLite file, then verifies them round robin, as a
server process does for each request (``cached_principal``, else ``authenticate``), for ``--seconds``
seconds with a 50 ms pause after each round. Prints the verifications, the queries on
``api_credential`` and the CPU time per verification (docs/performance.md, "Sixteenth session"). The
server's hop to a worker thread on a cache miss is not included.

    .venv/bin/python scripts/token_checks.py --tokens 2000 --seconds 5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from opencbec.api.auth import authenticate, cached_principal, issue_enterprise_token
from opencbec.store.engine import make_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(str(Path(scratch) / "tokens.db"))
        tokens = [issue_enterprise_token(engine, f"E{i:05d}") for i in range(args.tokens)]
        queries = 0

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            nonlocal queries
            queries += "api_credential" in statement

        event.listen(engine, "before_cursor_execute", count)
        verifications = 0
        cpu, started = time.process_time(), time.monotonic()
        while time.monotonic() - started < args.seconds:
            for token in tokens:
                if (cached_principal(engine, token) or authenticate(engine, token)) is None:
                    raise SystemExit(f"token {verifications} did not verify")
                verifications += 1
            time.sleep(0.05)
        cpu, wall = time.process_time() - cpu, time.monotonic() - started
        engine.dispose()
    print(  # noqa: T201
        f"{args.tokens} tokens: {verifications} verifications in {wall:.1f} s, "
        f"{queries} queries on api_credential, {cpu:.2f} s CPU ({cpu / verifications * 1e6:.1f} us each)"
    )


if __name__ == "__main__":
    main()
