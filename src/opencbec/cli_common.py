"""What the ``cbec`` command modules share: consoles, the --db option, errors, dates."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or database URL (default: $OPENCBEC_DB or ./opencbec.db)."),
]


class SignatureMode(enum.StrEnum):
    """How ``cbec clear`` treats message signatures."""

    VERIFY = "verify"
    SKIP = "skip"


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"not a date (YYYY-MM-DD): {text!r}") from None
