"""Commands that speak the ecosystem's languages: `insights` (Logs Insights queries) and `export` (OCSF, ECS, ...)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ..interop import export as exporting
from ..interop import insights
from .common import DB_OPTION, SINCE_OPTION, UNTIL_OPTION, db_path, open_store, store_window, times
from .output import OUTPUT_OPTION, Output, console, emit, emit_object, err_console


def run_insights(
    query: Annotated[str, typer.Argument(help="A CloudWatch Logs Insights query, e.g. 'stats count(*) by srcAddr'.")],
    show_sql: Annotated[bool, typer.Option("--show-sql", help="Print the SQL translation (and its parameters).")] = False,
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Run a CloudWatch Logs Insights query on the store (translated to SQL; @timestamp is the record's start)."""
    if show_sql and not Path(db_path(db)).exists():  # the translation alone needs no store (spans: from now)
        _print_sql(query, *times(since, until))
        return
    with open_store(db, read_only=True) as store:
        window = store_window(store, since, until)
        if show_sql:
            _print_sql(query, window.since, window.until)
            return
        rows = insights.run(store, query, window.since, window.until)
        emit(rows, output)
        window.say_if_none_in(store)


def _print_sql(query: str, since, until) -> None:
    sql, params = insights.translate(query, since, until)
    console.print(sql, highlight=False, soft_wrap=True, markup=False)
    console.print(f"-- params: {params}", highlight=False, soft_wrap=True, markup=False)


def run_export(
    kind: Annotated[str, typer.Argument(help="ocsf, ecs, parquet or csv.")],
    dest: Annotated[str, typer.Argument(help="The file to write: .jsonl/.json (JSON lines), .parquet or .csv.")],
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    log_format: Annotated[str | None, typer.Option("--format", help="parquet/csv columns: a preset or "
                                                   "'${srcaddr} ...' (default: every field with a value).")] = None,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Export the store's records as OCSF 1.1 Network Activity, ECS, or flat Parquet/CSV with AWS's columns.

    `export parquet DIR` (a folder: ends in '/', exists, or has no suffix) writes a lake partitioned by day
    (day=YYYY-MM-DD/), which `--engine spark --lake DIR` and Athena read.
    """
    if kind == "parquet" and _is_folder(dest):
        from ..engines.lake import export_lake

        with open_store(db, read_only=True) as store:
            window = store_window(store, since, until)
            result = export_lake(store, dest, window.since, window.until, log_format=log_format)
        emit_object(result.as_dict(), output, title="export")
        window.say_if_empty(result.records)
        return
    exporting.file_format(kind, dest)  # a bad kind or suffix fails before the store is opened
    with open_store(db, read_only=True) as store:
        window = store_window(store, since, until)
        columns = [TextColumn("export {task.fields[kind]}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TimeElapsedColumn()]
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("export", total=1.0, kind=kind)
            result = exporting.export(store, kind, dest, window.since, window.until, log_format=log_format,
                                      progress=lambda done: bar.update(task, completed=done))
    emit_object(result.as_dict(), output, title="export")
    window.say_if_empty(result.records)


def _is_folder(dest: str) -> bool:
    path = Path(dest)
    return dest.endswith(("/", os.sep)) or path.is_dir() or not path.suffix


def register(app: typer.Typer) -> None:
    app.command("insights")(run_insights)
    app.command("export")(run_export)
