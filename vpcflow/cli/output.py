"""Printing data: --output table|json|csv, the same for every command that prints rows."""

from __future__ import annotations

import csv
import enum
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ..jsonable import jsonable, rows_of


class Output(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


OUTPUT_OPTION = typer.Option(Output.table, "--output", "-o", help="How to print the result: table, json or csv.")

# Data is printed as text: no emoji codes (":100:") and no markup read from values ("[red]", "[/]").
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)


def emit(data: Any, output: Output | str, *, columns: Iterable[str] | None = None, title: str | None = None) -> None:
    """Print rows in the chosen format; json is an array of objects, csv has a header row."""
    output = Output(output)
    rows = rows_of(data)
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else _schema_names(data))
    if output is Output.json:
        sys.stdout.write(json.dumps(rows, indent=None, default=str) + "\n")
    elif output is Output.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    else:
        table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
        for c in cols:
            table.add_column(Text(str(c)), overflow="fold")
        for r in rows:
            table.add_row(*[_cell(r.get(c)) for c in cols])
        console.print(table)
        if not rows:
            console.print("(no rows)", markup=False)


def emit_object(obj: Mapping, output: Output | str, *, title: str | None = None) -> None:
    """Print one object: JSON as an object, table and csv as key/value rows."""
    output = Output(output)
    plain = {k: jsonable(v) for k, v in obj.items()}
    if output is Output.json:
        sys.stdout.write(json.dumps(plain, default=str) + "\n")
        return
    emit([{"key": k, "value": v if not isinstance(v, (list, dict)) else json.dumps(v)} for k, v in plain.items()],
         output, title=title)


def _cell(value: Any) -> Text:
    if value is None:
        return Text("-")
    if isinstance(value, float):
        return Text(f"{value:,.2f}")
    if isinstance(value, (list, dict)):
        return Text(json.dumps(value))
    return Text(str(value))


def _schema_names(data: Any) -> list[str]:
    schema = getattr(data, "schema", None)
    return list(schema.names) if schema is not None else []


def progress_bar() -> Progress:
    """Long work's bar, on stderr and only when it is a terminal, gone when done: a task's `rate` field says how far."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[rate]}"),
                    TimeElapsedColumn(), console=err_console, transient=True, disable=not err_console.is_terminal)
