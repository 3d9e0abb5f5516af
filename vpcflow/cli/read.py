"""`vpcflow read`: the records of flow logs printed straight from their sources, not stored (vpcflow.read)."""

from __future__ import annotations

import csv
import json
import os
import sys
from typing import Annotated

import typer
from rich.markup import escape

from ..jsonable import rows_of
from ..reader import read
from .common import FORMAT_OPTION, SINCE_OPTION, UNTIL_OPTION, times
from .output import OUTPUT_OPTION, Output, emit, err_console

TABLE_ROWS = 50  # a terminal table stops here unless --limit says otherwise; json and csv print every record
BAD_LINES_SHOWN = 20


def read_command(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, '-' for stdin, s3://BUCKET/PREFIX, cwl://GROUP[/STREAM].")],
    format: str | None = FORMAT_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help=f"Stop after this many records (a table shows {TABLE_ROWS} unless given).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with an error at the first line that is not a record.")] = False,
    output: Output = OUTPUT_OPTION,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile, for s3:// and cwl://.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS region, for s3:// and cwl://.")] = None,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint URL (for example a local emulator).")] = None,
) -> None:
    """Print the records of flow logs without storing them; lines that are not records are listed on stderr."""
    start, end = times(since, until)
    session = None
    if any(p.startswith(("s3://", "cwl://")) for p in paths):
        from ..aws.session import AwsSession, AwsSettings  # boto3 loads only when AWS is read

        session = AwsSession(AwsSettings.resolve(os.environ, profile=profile, region=region, endpoint_url=endpoint_url))
    if limit is None and output is Output.table:
        limit = TABLE_ROWS
    printer = _Printer(output)
    bad, failed, left = 0, 0, limit
    for part in read(paths, format=format, since=start, until=end, session=session,
                     on_error="raise" if strict else "report"):
        for line in part.quarantined:
            if bad < BAD_LINES_SHOWN:
                where = part.source if line.line is None else f"{part.source}:{line.line}"
                err_console.print(f"[yellow]not a record:[/yellow] {escape(where)}: {escape(line.reason)}",
                                  highlight=False, soft_wrap=True)
            bad += 1
        if part.error:
            failed += 1
            err_console.print(f"[red]error:[/red] {escape(part.error)}", highlight=False, soft_wrap=True)
        records = part.records if left is None else part.records.slice(0, left)
        printer.add(records)
        if left is not None:
            left -= records.num_rows
            if left <= 0:
                break
    printer.close()
    if bad > BAD_LINES_SHOWN:
        err_console.print(f"... and {bad - BAD_LINES_SHOWN:,} more lines that are not records", highlight=False)
    if failed:
        raise typer.Exit(1)


class _Printer:
    """Records as they come: csv and json stream (json as one array), a table is printed at the end."""

    def __init__(self, output: Output):
        self.output = output
        self.columns: list[str] | None = None
        self.rows: list[dict] = []
        self.count = 0
        self.writer = csv.writer(sys.stdout, lineterminator="\n") if output is Output.csv else None

    def add(self, records) -> None:
        if not records.num_rows:
            return
        rows = rows_of(records)
        if self.columns is None:
            self.columns = list(records.schema.names)
            if self.writer is not None:
                self.writer.writerow(self.columns)
            elif self.output is Output.json:
                sys.stdout.write("[")
        if self.writer is not None:
            for r in rows:
                self.writer.writerow(["" if r.get(c) is None else r.get(c) for c in self.columns])
        elif self.output is Output.json:
            sys.stdout.write(("" if not self.count else ", ") + ", ".join(json.dumps(r, default=str) for r in rows))
        else:
            self.rows += rows
        self.count += len(rows)

    def close(self) -> None:
        if self.output is Output.table:  # a terminal is narrow: columns without a value are left out
            columns = [c for c in self.columns or [] if any(r.get(c) is not None for r in self.rows)]
            emit(self.rows, self.output, columns=columns, title=f"{self.count:,} records")
        elif self.output is Output.json:
            sys.stdout.write("]\n" if self.columns is not None else "[]\n")
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("read")(read_command)
