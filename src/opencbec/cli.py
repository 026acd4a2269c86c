"""The ``cbec`` command: a thin entry layer over the composition root."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from opencbec import bootstrap
from opencbec.cli_admin import db_app, enterprise_app, officer_app, rules_app
from opencbec.cli_common import DbOption, SignatureMode, console, err, fail, parse_date
from opencbec.export.cli import export_app
from opencbec.gc_tuning import collect_documents, tune_garbage_collector
from opencbec.risk import cli as risk_cli
from opencbec.service.batch_clear import BATCH_DOCUMENTS, BATCH_WEIGHT
from opencbec.service.commit_groups import COMMIT_DOCUMENTS
from opencbec.service.helper_process import helper_nice
from opencbec.store.engine import clearing_cache_mb, remove_sqlite_file

app = typer.Typer(help="OpenCBEC: cross-border e-commerce customs clearance.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(risk_cli.app, name="risk")
app.add_typer(enterprise_app, name="enterprise")
app.add_typer(officer_app, name="officer")
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")


@app.command("clear")
def clear_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Message files or directories (read recursively, sorted).")
    ],
    db: DbOption = None,
    outbox: Annotated[
        Path | None, typer.Option("--outbox", help="Directory for receipt messages (one XML file each).")
    ] = None,
    signatures: Annotated[
        SignatureMode,
        typer.Option("--signatures", help="verify (default) or skip (accept unsigned or unverifiable)."),
    ] = SignatureMode.VERIFY,
    inspection_rate: Annotated[
        str | None, typer.Option("--inspection-rate", help="Share of clean lists inspected (default 0.02).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per clearing batch.")
    ] = BATCH_DOCUMENTS,
    batch_weight: Annotated[
        int,
        typer.Option(
            "--batch-weight",
            min=1,
            help="A batch also closes at this weight: a document weighs 1, an import list 4 "
            "(with the three partners it loads), so memory stays flat when lists come in bulk.",
        ),
    ] = BATCH_WEIGHT,
    commit_size: Annotated[
        int,
        typer.Option(
            "--commit-size",
            min=1,
            help="Batches share a transaction until it holds this many documents (fewer, larger commits "
            "on a large database; the write lock is held that long).",
        ),
    ] = COMMIT_DOCUMENTS,
    partner_wait_hours: Annotated[
        float | None,
        typer.Option(
            "--partner-wait-hours", min=0, help="How long a list waits for its partners (default 24)."
        ),
    ] = None,
    risk: Annotated[
        bool | None,
        typer.Option("--risk/--no-risk", help="Risk targeting instead of the random draw (default off)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="Processes at work: N > 1 decodes messages in N - 1 processes ahead of the clearing "
            "(and encodes receipts in one more); "
            "0 (default) uses 2 on a machine with 2 or more CPUs when there are over 64 files, else 1.",
        ),
    ] = 0,
) -> None:
    """Clear every message under PATHS; receipts go to --outbox; state persists in --db."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    rate = _rate(inspection_rate)
    application = bootstrap.build(db, inspection_rate=rate, partner_wait_hours=partner_wait_hours, risk=risk)
    progress_bar = sys.stderr.isatty()
    # the files are counted for the progress bar's total, or up to the number that decides the
    # default of --workers; otherwise not at all (walking 16,855 files took 0.14 s before a run)
    if progress_bar:
        count, total = _files(paths)
    elif not workers:
        count, total = _files(paths, at_most=AUTO_WORKERS_FILES + 1)
    else:
        count, total = 0, 0
    clearer = bootstrap.batch_clearer(
        application,
        outbox,
        batch_documents=batch_size,
        batch_weight=batch_weight,
        commit_documents=commit_size,
        verify_signatures=signatures is SignatureMode.VERIFY,
        workers=workers or auto_workers(count),
    )
    if progress_bar:
        columns = (TextColumn("clearing"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("clear", total=total)
            summary = clearer.run(paths, lambda n: progress.advance(task, n))
    else:
        summary = clearer.run(paths)
    console.print(summary.line(), soft_wrap=True)


#: Files over which ``cbec clear`` uses both cores when ``--workers`` is not given.
AUTO_WORKERS_FILES = 64


def auto_workers(files: int) -> int:
    """Processes for ``cbec clear`` when not given: both cores on real work, one on a few files."""
    return 2 if (os.cpu_count() or 1) >= 2 and files > AUTO_WORKERS_FILES else 1


def _files(paths: list[Path], at_most: int | None = None) -> tuple[int, int]:
    """How many files ``cbec clear`` will read and their bytes (counted, not kept: flat memory),
    counting no further than ``at_most`` files when given."""
    from opencbec.service.batch_clear import input_files

    count = total = 0
    for path in input_files(paths):
        if at_most is not None and count >= at_most:
            break
        count += 1
        total += path.stat().st_size
    return count, total


def _rate(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise fail(f"--inspection-rate must be a number between 0 and 1, got {text!r}") from None
    if not 0 <= rate <= 1:
        raise fail(f"--inspection-rate must be between 0 and 1, got {text}")
    return rate


@app.command("status")
def status_command(
    number: Annotated[str, typer.Argument(help="orderNo, invtNo, preNo, logisticsNo or guid.")],
    db: DbOption = None,
) -> None:
    """Show the status history of the documents known by NUMBER."""
    application = bootstrap.build(db)
    history = application.store.history(number)
    if not history:
        raise fail(f"no document found for {number!r}", code=1)
    table = Table(title=f"history of {number}")
    for col in ("time", "document", "status", "info"):
        table.add_column(col)
    for h in history:
        label = f"{h.kind} {h.key}" + (f" invtNo {h.invt_no}" if h.invt_no else "")
        table.add_row(f"{h.at:%Y-%m-%d %H:%M:%S}", label, h.status, h.info)
    console.print(table)


@app.command("quota")
def quota_command(
    buyer_id: Annotated[str, typer.Argument(help="The buyer's resident ID number.")],
    year: Annotated[int, typer.Option("--year", help="Calendar year of the declarations.")],
    db: DbOption = None,
) -> None:
    """Show a buyer's annual ledger: purchases, cancels, returns and what remains."""
    application = bootstrap.build(db)
    lines = application.store.ledger(buyer_id, year)
    limit = application.rulebook.at(date(year, 12, 31)).annual_limit
    table = Table(title=f"ledger of {buyer_id} in {year}")
    for col in ("time", "invtNo", "amount (yuan)", "reason"):
        table.add_column(col)
    used = 0
    for line in lines:
        used += line.amount_fen
        table.add_row(
            f"{line.at:%Y-%m-%d %H:%M:%S}", line.invt_no, f"{line.amount_fen / 100:,.2f}", line.reason
        )
    console.print(table)
    console.print(
        f"used {used / 100:,.2f} of {limit:,.2f} yuan; "
        f"remaining {(Decimal(limit) - Decimal(used) / 100):,.2f}"
    )


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="HTTP processes (N > 1: plus one cbec work process).")
    ] = 1,
    demo_data: Annotated[
        bool | None,
        typer.Option(
            "--demo-data/--no-demo-data",
            help="Load a simulated day into an empty database first (default: only for the default DB).",
        ),
    ] = None,
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="OPENCBEC_* settings file (KEY=value lines).")
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI at /openapi.json, docs at /docs); see docs/api.md."""
    from opencbec.api import serve
    from opencbec.api.http_processes import ServeError

    try:
        serve(db, host, port, workers, demo_data=demo_data, env_file=env_file)
    except ServeError as exc:
        raise fail(str(exc), code=1) from exc


@app.command("work")
def work_command(
    db: DbOption = None,
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="OPENCBEC_* settings file (KEY=value lines).")
    ] = None,
) -> None:
    """Run the online clearing worker and webhook delivery without HTTP (see docs/deployment.md).

    ``cbec serve --workers N`` starts one itself; run it alone beside ``cbec serve`` processes
    that have ``OPENCBEC_WORKER=false``. Stops on SIGTERM or Ctrl-C after the batch in hand.
    """
    from opencbec.api.settings import load_settings
    from opencbec.api.worker import run_worker

    run_worker(load_settings(env_file, **({"db": db} if db else {})))


@app.command("bench")
def bench_command(
    parcels: Annotated[int, typer.Option("--parcels", min=1, help="Parcels of simulated traffic.")] = 100_000,
    json_out: Annotated[Path, typer.Option("--json", help="Where to write the figures (JSON).")] = Path(
        "out/bench/bench.json"
    ),
    online_seconds: Annotated[
        float, typer.Option("--online-seconds", min=0, help="Seconds of online load (0: skip).")
    ] = 0.0,
    postgres: Annotated[
        str | None, typer.Option("--postgres", help="An EMPTY PostgreSQL database URL to also clear into.")
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the Markdown table here.")
    ] = None,
    work: Annotated[Path, typer.Option("--work", help="Cache and scratch directory.")] = Path("out/bench"),
    single_process: Annotated[
        bool, typer.Option("--single-process/--no-single-process", help="Also clear with 1 process.")
    ] = True,
    large_parcels: Annotated[
        int | None,
        typer.Option(
            "--large-parcels", min=1, help="Also clear this many parcels to check memory stays flat."
        ),
    ] = None,
    batch_runs: Annotated[
        int,
        typer.Option(
            "--batch-runs", min=1, help="Run the 2-process SQLite batch this many times; report the median."
        ),
    ] = 1,
    online_connections: Annotated[
        int,
        typer.Option("--online-connections", min=1, help="Connections of the closed-loop online run."),
    ] = 32,
    compare_connections: Annotated[
        int,
        typer.Option(
            "--online-compare-connections",
            min=0,
            help="Also run the closed loop over this many connections, as the earlier tables did (0: not).",
        ),
    ] = 16,
    target_rate: Annotated[
        int,
        typer.Option(
            "--target-rate",
            min=0,
            help="Also offer the online path this many messages/s, paced: issue #6's target (0: not).",
        ),
    ] = 1500,
) -> None:
    """Measure the parse floor, batch clearing and the online path on the same traffic."""
    from opencbec.bench.run import bench, write
    from opencbec.bench.run import markdown as render

    result = bench(
        parcels,
        work,
        online_seconds=online_seconds,
        postgres_url=postgres,
        single_process=single_process,
        large_parcels=large_parcels,
        batch_runs=batch_runs,
        online_connections=online_connections,
        compare_connections=compare_connections,
        target_rate=target_rate,
        log=err.print,
    )
    write(result, json_out, markdown)
    console.print(render(result))


@app.command("simulate")
def simulate_command(
    parcels: Annotated[int, typer.Option("--parcels", min=1, help="Number of parcels.")] = 10000,
    start: Annotated[str, typer.Option("--start", help="First day (YYYY-MM-DD).")] = "2024-06-01",
    days: Annotated[int, typer.Option("--days", min=1, help="Number of days.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("out/sim"),
) -> None:
    """Write realistic CEB311/411/511/621 traffic and its ground truth."""
    from opencbec.sim import simulate

    report = simulate(parcels=parcels, start=parse_date(start), days=days, seed=seed, out=out)
    console.print(str(report))


@app.command("demo")
def demo_command(
    parcels: Annotated[int, typer.Option("--parcels", min=1)] = 10000,
    out: Annotated[Path, typer.Option("--out", help="Working directory.")] = Path("out/demo"),
) -> None:
    """Simulate a day of traffic, clear it into out/demo/opencbec.db and compare with the ground truth."""
    from opencbec.sim import simulate

    db = out / "opencbec.db"
    remove_sqlite_file(db)
    console.print(
        f"simulating {parcels:,} parcels of 18 June 2024 (the 618 shopping festival) into {out / 'sim'} ..."
    )
    simulate(parcels=parcels, start=date(2024, 6, 18), days=1, seed=618, out=out / "sim")
    application = bootstrap.build(str(db))
    clearer = bootstrap.batch_clearer(application, out / "receipts", verify_signatures=False)
    console.print(f"clearing into {db} (receipts in {out / 'receipts'}) ...")
    summary = clearer.run([out / "sim"])
    console.print(summary.line(), soft_wrap=True)
    expected = json.loads((out / "sim" / "ground-truth-summary.json").read_text())["lists"]
    got_status = {
        k.split(":")[1]: v for k, v in application.store.status_counts().items() if k.startswith("inventory:")
    }
    got_reason = application.store.reason_counts("inventory")
    table = Table(title="declaration lists: cleared vs simulator ground truth")
    for col in ("", "code", "expected", "cleared", "match"):
        table.add_column(col)
    rows = [
        ("status", k, expected["byStatus"].get(k, 0), got_status.get(k, 0))
        for k in sorted({*expected["byStatus"], *got_status})
    ]
    rows += [
        ("reason", k, expected["byReason"].get(k, 0), got_reason.get(k, 0))
        for k in sorted({*expected["byReason"], *got_reason})
    ]
    for what, code, want, got in rows:
        table.add_row(what, code, str(want), str(got), "yes" if want == got else "[red]NO[/]")
    console.print(table)
    console.print(f"history of a parcel: cbec status <orderNo> --db {db};  receipts: {out / 'receipts'}")


def main() -> None:
    """Entry point of the ``cbec`` script."""
    try:
        tune_garbage_collector()
        collect_documents()  # checked here too: a bad setting stops the command before any work
        clearing_cache_mb()  # a bad setting stops every command at once, not its first batch
        helper_nice()
    except ValueError as exc:
        raise SystemExit(fail(str(exc)).exit_code) from exc
    app()
