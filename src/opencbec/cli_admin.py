"""Administrative ``cbec`` commands: rule data, enterprises, officers, the database."""

from __future__ import annotations

import enum
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opencbec import bootstrap
from opencbec.cli_common import DbOption, console, err, fail, parse_date

rules_app = typer.Typer(
    help="Rule data: limits, tax rates, positive list, code tables.", no_args_is_help=True
)


@rules_app.command("status")
def rules_status_command(
    db: DbOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default: today.")] = None,
) -> None:
    """Say how complete each rule table is (rows here vs the official count) on a date."""
    from opencbec.store.positive_list_repo import rules_status

    when = parse_date(as_of) if as_of else date.today()
    application = bootstrap.build(db)
    table = Table(title=f"rule tables in force on {when}")
    for col in ("table", "rows", "official", "completeness", "source / note"):
        table.add_column(col, overflow="fold")
    for st in rules_status(application.engine, when):
        official = str(st.official_total) if st.official_total is not None else "?"
        table.add_row(st.table, str(st.rows), official, st.completeness, f"{st.source} {st.note}".strip())
    console.print(table)


@rules_app.command("import-positive-list")
def import_positive_list_command(
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX in the official layout (序号, 税则号列, 货品名称, 备注).")
    ],
    valid_from: Annotated[str, typer.Option("--valid-from", help="Date the lines take effect (YYYY-MM-DD).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="The file is the whole list from that date.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Load an official positive list (or adjustment table) into the database."""
    from opencbec.store.positive_list_repo import import_positive_list

    if not file.is_file():
        raise fail(f"no such file: {file}")
    application = bootstrap.build(db)
    report = import_positive_list(application.engine, file, parse_date(valid_from), replace)
    for w in report.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    for n in report.notes:
        console.print(f"note: {n}")
    if not report.stored:
        for r in report.rejected:
            err.print(f"[red]rejected:[/] {r}")
        raise fail(f"{file}: nothing imported ({len(report.rejected)} problems)", code=1)
    console.print(
        f"imported {report.line_count} lines from {report.source_file} as version {report.version_id} "
        f"({report.mode}) in force from {report.valid_from}"
    )


enterprise_app = typer.Typer(help="Enterprises and their signing certificates.", no_args_is_help=True)


@enterprise_app.command("add")
def enterprise_add_command(
    code: Annotated[str, typer.Argument(help="Customs registration code (10) or credit code (18).")],
    name: Annotated[str, typer.Option("--name", help="Enterprise name.")],
    cert: Annotated[Path, typer.Option("--cert", help="Signing certificate (PEM or DER).")],
    db: DbOption = None,
) -> None:
    """Register an enterprise's signing certificate (several allowed, e.g. after renewal)."""
    from opencbec.store.enterprise_repo import add_enterprise

    if not cert.is_file():
        raise fail(f"no such certificate file: {cert}")
    application = bootstrap.build(db)
    try:
        record = add_enterprise(application.engine, code, name, cert.read_bytes())
    except ValueError as exc:
        raise fail(f"{cert}: {exc}") from None
    console.print(f"registered {record}")


@enterprise_app.command("list")
def enterprise_list_command(db: DbOption = None) -> None:
    """List registered enterprises."""
    from opencbec.store.enterprise_repo import list_enterprises

    for record in list_enterprises(bootstrap.build(db).engine):
        console.print(str(record))


class OfficerRole(enum.StrEnum):
    """Officer roles of the API, lowest first."""

    VIEWER = "viewer"
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


officer_app = typer.Typer(help="Customs officers' API access.", no_args_is_help=True)


@enterprise_app.command("token")
def enterprise_token(
    code: Annotated[str, typer.Argument(help="The enterprise's customs code (copCode).")],
    db: DbOption = None,
) -> None:
    """Issue an API token for enterprise CODE (printed once; only its hash is stored)."""
    from opencbec.api.auth import issue_enterprise_token

    try:
        token = issue_enterprise_token(bootstrap.build(db).engine, code)
    except ValueError as exc:
        raise fail(str(exc)) from None
    print(token)  # noqa: T201 - the token on stdout alone, for scripts


@officer_app.command("add")
def officer_add(
    name: Annotated[str, typer.Argument(help="The officer's user name.")],
    role: Annotated[OfficerRole, typer.Option("--role", help="viewer, inspector, supervisor or admin.")],
    db: DbOption = None,
) -> None:
    """Issue an API token for officer NAME with --role (printed once; only its hash is stored)."""
    from opencbec.api.auth import issue_officer_token

    try:
        token = issue_officer_token(bootstrap.build(db).engine, name, role.value)
    except ValueError as exc:
        raise fail(str(exc)) from None
    print(token)  # noqa: T201


db_app = typer.Typer(help="The database: schema migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade_command(db: DbOption = None) -> None:
    """Bring the database (SQLite file or PostgreSQL URL) to the latest schema revision."""
    from opencbec.store.migrations import upgrade_database

    before, after = upgrade_database(db or bootstrap.default_db())
    console.print(f"schema revision {before or 'none'} -> {after}")
