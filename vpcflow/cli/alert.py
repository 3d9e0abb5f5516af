"""Alert commands: `filter` (CloudWatch filter patterns over files or the store)."""

from __future__ import annotations

import enum
import sys

import typer

from ..alert.filtering import filter_lines, filter_store
from ..alert.pattern import parse
from ..fields import DEFAULT, LogFormat
from .output import emit


class FilterOutput(enum.StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    table = "table"


PATTERN_HELP = ("A CloudWatch Logs filter pattern: REJECT, \"a phrase\", ?a ?b, -term, %regex%, "
                "or [version, account, ..., action=REJECT, status].")
FORMAT_HELP = ("The records' format, for the store: positional names map to its fields in order. "
               "A preset or '${a} ${b} ...'.")
OUTPUT_HELP = "text prints matching lines as they were; json, csv or table print source, line and message."


def filter_command(
    pattern: str = typer.Argument(..., help=PATTERN_HELP),
    paths: list[str] = typer.Argument(None, help="Files or directories (plain or .gz); - for stdin."),
    db: str = typer.Option(None, "--db", help="Filter the records of this store instead of files."),
    log_format: str = typer.Option("default", "--format", help=FORMAT_HELP),
    output: FilterOutput = typer.Option(FilterOutput.text, "--output", "-o", help=OUTPUT_HELP),
) -> None:
    """Print the records a filter pattern matches, like `aws logs filter-log-events`."""
    parsed = parse(pattern)
    fmt = LogFormat.parse(log_format) if log_format else DEFAULT
    if db:
        found = filter_store(parsed, db, fmt)
    elif paths:
        found = filter_lines(parsed, list(paths))
    else:
        raise typer.BadParameter("give files to filter, or --db STORE", param_hint="PATHS")
    if output is FilterOutput.text:
        write = sys.stdout.write
        for match in found:
            write(match.message + "\n")
        return
    rows = [{"source": m.source, "line": m.line, "message": m.message} for m in found]
    emit(rows, output.value, columns=["source", "line", "message"])


def register(app: typer.Typer) -> None:
    app.command("filter")(filter_command)
