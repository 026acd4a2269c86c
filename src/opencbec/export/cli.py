"""``cbec export ...``: the monthly summary, overdue lists, a list's state, export traffic.

The one impure module of :mod:`opencbec.export` (Typer, the database); wired into ``cbec`` with
``app.add_typer(export_app, name="export")``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

export_app = typer.Typer(
    help="Exports: consolidated declarations, overdue lists, traffic.", no_args_is_help=True
)
console = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or database URL (default: $OPENCBEC_DB or ./opencbec.db)."),
]


@export_app.command("summarize")
def summarize_command(
    month: Annotated[str, typer.Option("--month", help="Month whose closed lists are summarised, YYYY-MM.")],
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="Only this consignor (ebcCode).")
    ] = None,
    summary_flag: Annotated[
        str, typer.Option("--summary-flag", help="1 consignor, 2 consignor + producer.")
    ] = "1",
    item_name_flag: Annotated[
        str, typer.Option("--item-name-flag", help="1: split items by itemName.")
    ] = "0",
    db: DbOption = None,
    outbox: Annotated[Path | None, typer.Option("--outbox", help="Write the CEB792 results here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the declarations as JSON.")] = False,
) -> None:
    """Build the export declarations of the lists closed in MONTH (清单核放、汇总申报)."""
    from opencbec import bootstrap
    from opencbec.export.summary import month_window
    from opencbec.service.export_clear import summarize_month
    from opencbec.service.outbox import write_files

    try:
        month_window(month)
    except ValueError:
        raise typer.BadParameter(f"--month {month!r}: expected YYYY-MM") from None
    if summary_flag not in ("1", "2"):
        raise typer.BadParameter("--summary-flag must be 1 or 2")
    application = bootstrap.build(db)
    done = summarize_month(
        application.engine, month, enterprise, summary_flag=summary_flag, item_name_flag=item_name_flag
    )
    if outbox is not None:
        while application.store.deliver_pending(lambda rows: write_files(rows, outbox)):
            pass
    if as_json:
        out = [
            {"ebcCode": s.ebc_code, "sumNo": s.outcome.sum_no, "declarations": _declarations(s)} for s in done
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return
    table = Table("consignor", "sumNo", "declSeqNo", "trade mode", "lists", "items", "value")
    for s in done:
        for seq, decl in zip(s.outcome.decl_seq_nos, s.outcome.declarations, strict=True):
            value = ", ".join(f"{v} ({c})" for c, v in decl.totals().items())
            table.add_row(
                s.ebc_code,
                s.outcome.sum_no,
                seq,
                decl.key.trade_mode,
                str(len(decl.invt_nos)),
                str(len(decl.items)),
                value,
            )
    console.print(table if done else f"no closed, unsummarised lists in {month}")


def _declarations(s: object) -> list[dict[str, object]]:
    outcome = s.outcome  # type: ignore[attr-defined]
    return [
        {
            "declSeqNo": seq,
            "head": vars_of(decl.key),
            "lists": decl.invt_nos,
            "orders": decl.order_nos,
            "totals": {c: str(v) for c, v in decl.totals().items()},
            "items": [
                {
                    "gseqno": i.gseqno,
                    **vars_of(i.key),
                    "qty": str(i.qty),
                    "totalPrice": str(i.total_price),
                    "lines": [[src.invt_no, src.gnum] for src in i.sources],
                }
                for i in decl.items
            ],
        }
        for seq, decl in zip(outcome.decl_seq_nos, outcome.declarations, strict=True)
    ]


def vars_of(obj: object) -> dict[str, object]:
    """A slotted dataclass as a dict."""
    return {name: getattr(obj, name) for name in getattr(obj, "__slots__", ())}


@export_app.command("overdue")
def overdue_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date to check, YYYY-MM-DD (default today).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Lists closed last month and not summarised once the 15th has passed."""
    from opencbec import bootstrap
    from opencbec.service.export_clear import overdue_lists

    day = date.fromisoformat(as_of) if as_of else date.today()
    lists = overdue_lists(bootstrap.build(db).engine, day)
    for c in lists:
        console.print(f"{c.invt_no}  {c.document.head.ebc_code}  closed {c.closed_at:%Y-%m-%d}")
    console.print(f"{len(lists)} overdue list(s) as of {day}")
    raise typer.Exit(1 if lists else 0)


@export_app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Directory for the messages.")],
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")] = "2024-06-01",
    days: Annotated[int, typer.Option("--days", min=1)] = 3,
    per_day: Annotated[int, typer.Option("--per-day", min=1, help="Parcels on an ordinary day.")] = 100,
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """Write export traffic (CEB303/403/505/603/507/509) with summer peaks; clear it with ``cbec clear``."""
    from opencbec.sim.export_traffic import simulate_export

    truth = simulate_export(out, datetime.fromisoformat(start).date(), days, per_day, seed)
    console.print(f"{sum(truth['days'].values())} export parcels written to {out}")
