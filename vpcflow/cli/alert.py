"""Alert commands: `filter` (CloudWatch filter patterns over files or the store), `alert` (rules)."""

from __future__ import annotations

import enum
import sys

import typer

from ..alert.filtering import filter_lines, filter_store
from ..alert.pattern import parse
from ..fields import DEFAULT, LogFormat
from .common import (
    DB_OPTION,
    FORMAT_OPTION,
    SINCE_OPTION,
    AwsAccount,
    open_store,
    takes_aws,
)
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console


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


@takes_aws
def filter_command(
    pattern: str = typer.Argument(..., help=PATTERN_HELP),
    paths: list[str] = typer.Argument(None, help="Files or directories (plain or .gz), - for stdin, "
                                      "s3://BUCKET/PREFIX, cwl://LOG_GROUP[/STREAM]."),
    db: str = typer.Option(None, "--db", help="Filter the records of this store instead of files."),
    log_format: str = typer.Option("default", "--format", help=FORMAT_HELP),
    output: FilterOutput = typer.Option(FilterOutput.text, "--output", "-o", help=OUTPUT_HELP),
    *,
    account: AwsAccount,
) -> None:
    """Print the records a filter pattern matches, like `aws logs filter-log-events`."""
    parsed = parse(pattern)
    fmt = LogFormat.parse(log_format) if log_format else DEFAULT
    if db:
        found = filter_store(parsed, db, fmt)
    elif paths:
        # the session is made on first use: boto3 loads only when an s3:// or cwl:// source needs it
        found = filter_lines(parsed, list(paths), account.session)
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


@takes_aws
def watch_command(
    source: str = typer.Argument(..., help="A directory to follow, s3://BUCKET/PREFIX (new objects) or cwl://LOG_GROUP[/STREAM] (new events)."),
    rules: str = typer.Option(..., "--rules", help="The rules file (YAML)."),
    db: str = DB_OPTION,
    poll: float = typer.Option(1.0, "--poll", help="Seconds between looks for new sources."),
    log_format: str = FORMAT_OPTION,
    name: str = typer.Option(None, "--name", help="The checkpoint's name (default: the source). One per rules file."),
    once: bool = typer.Option(False, "--once", help="Take in what is there, notify, and exit (for cron and scripts)."),
    settle: float = typer.Option(0.0, "--settle", help="Leave files modified within this many seconds for later."),
    since: str = SINCE_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print no line per source taken in."),
    report_every: float = typer.Option(30.0, "--report-every", help="Seconds between lag reports when idle."),
    *,
    account: AwsAccount,
) -> None:
    """Follow a directory, S3 prefix or CloudWatch Logs group: ingest new sources, evaluate the rules, notify; resumes where it stopped.

    Prints one line per source and a lag line (newest record, pending sources) to stderr; stops cleanly on
    SIGINT or SIGTERM after the source in hand is committed. No --output: it prints no data, only progress;
    what it finds goes to the rules file's notifiers, each with its own format (stdout, jsonl, webhook, sns, smtp).
    """
    import time
    from pathlib import Path

    from ..alert.follow import follower_for
    from ..alert.rules import load_rules
    from ..alert.watch import Watcher
    from ..timeutil import parse_time

    loaded = load_rules(rules)
    fmt = LogFormat.parse(log_format) if log_format else None

    follower = follower_for(source, session_factory=account.session, settle=settle, format=fmt,
                            since=parse_time(since))
    last: list[float | None] = [None]  # the first poll is always reported: the watcher is up

    def on_source(detail) -> None:
        if not quiet:
            what = f"{detail.records} records" if detail.status == "ingested" else f"{detail.status}: {detail.message}"
            err_console.print(f"{detail.source}: {what}", highlight=False, soft_wrap=True, markup=False)

    def report(status) -> None:
        now = time.monotonic()
        quiet_for = None if last[0] is None else now - last[0]
        if status.ingested or status.failed or status.notified or quiet_for is None or quiet_for >= report_every:
            err_console.print(status.line(), highlight=False, soft_wrap=True, markup=False)
            last[0] = now

    with open_store(db) as store:
        watcher = Watcher(store, follower, loaded, name=name, base=Path(rules).resolve().parent, format=fmt,
                          on_source=on_source)
        if watcher.reset_alarms:
            err_console.print(f"alarms defined anew since the checkpoint start afresh: {', '.join(watcher.reset_alarms)}",
                              highlight=False, markup=False)
        watcher.run(poll, once=once, report=report)
    err_console.print("watch: stopped", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("filter")(filter_command)
    app.command("alert")(alert_command)
    app.command("watch")(watch_command)
