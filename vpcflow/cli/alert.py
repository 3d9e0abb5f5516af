"""Alert commands: `filter` (CloudWatch filter patterns over files or the store), `alert` (rules)."""

from __future__ import annotations

import enum
import sys

import typer

from ..alert.filtering import filter_lines, filter_store
from ..alert.pattern import parse
from ..fields import DEFAULT, LogFormat
from .output import OUTPUT_OPTION, Output, emit, emit_object


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




def alert_command(
    paths: list[str] = typer.Argument(None, help="Files or directories (plain or .gz); - for stdin."),
    rules: str = typer.Option(..., "--rules", help="The rules file (YAML)."),
    db: str = typer.Option(None, "--db", help="Run the rules over this store's records instead of files."),
    output: Output = OUTPUT_OPTION,
) -> None:
    """Run alert rules over a batch of records: alarms period by period, notifications, top contributors."""
    from pathlib import Path

    from ..alert.rules import load_rules
    from ..alert.run import run_rules

    if not db and not paths:
        raise typer.BadParameter("give files to read, or --db STORE", param_hint="PATHS")
    loaded = load_rules(rules)
    result = run_rules(loaded, paths=list(paths or []), db=db, base=Path(rules).resolve().parent)
    changes = [{**c.as_dict(), "notified": ", ".join(f"{d.notifier}:{d.status}" for d in ds)}
               for c, ds in result.changes]
    columns = ["timestamp", "alarm", "previous_state", "state", "reason", "notified"]
    if output is Output.json:
        emit_object({"records": result.records, "changes": changes, "states": result.states,
                     "contributors": [vars(c) for c in result.contributors]}, output)
        return
    emit([{k: c[k] for k in columns} for c in changes], output, columns=columns, title="state changes")
    if result.contributors:
        emit([{"rule": c.rule, "period_start": c.period_start, "rank": c.rank, "key": " ".join(c.key),
               "value": c.value} for c in result.contributors], output, title="top contributors")


def register(app: typer.Typer) -> None:
    app.command("filter")(filter_command)
    app.command("alert")(alert_command)
