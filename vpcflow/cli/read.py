"""`vpcflow read`: the records of flow logs printed straight from their sources, not stored (vpcflow.read)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import typer
from rich.markup import escape

from ..jsonable import rows_of
from ..reader import read
from ..store.targets import AWS_SCHEMES
from .common import (
    FORMAT_OPTION,
    SINCE_OPTION,
    SOURCES_ARGUMENT,
    UNTIL_OPTION,
    AwsAccount,
    takes_aws,
    times,
)
from .output import OUTPUT_OPTION, Output, emit, err_console, progress_bar

TABLE_ROWS = 50  # a terminal table stops here unless --limit says otherwise; json and csv print every record
BAD_LINES_SHOWN = 20


@takes_aws
def read_command(
    paths: list[str] = SOURCES_ARGUMENT,
    format: str | None = FORMAT_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help=f"Stop after this many records (a table shows {TABLE_ROWS} unless given).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with an error at the first line that is not a record.")] = False,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Print the records of flow logs without storing them; lines that are not records are listed on stderr."""
    start, end = times(since, until)
    session = None
    if any(p.startswith(AWS_SCHEMES) for p in paths):
        session = account.session()  # boto3 loads only when AWS is read
    if limit is None and output is Output.table:
        limit = TABLE_ROWS
    printer, told = _Printer(output), _Told()
    left = limit
    bar = progress_bar()  # on stderr, only when it is a terminal, and not over records streaming to it
    bar.disable = bar.disable or (output is not Output.table and sys.stdout.isatty())
    with bar:
        task = bar.add_task("read", total=None, rate="")
        for part in read(paths, format=format, since=start, until=end, session=session,
                         on_error="raise" if strict else "report"):
            told.about(part)
            records = part.records if left is None else part.records.slice(0, left)
            printer.add(records)
            bar.update(task, description=f"read ...{part.source[-40:]}", rate=f"{printer.count:,} records")
            if left is not None:
                left -= records.num_rows
                if left <= 0:
                    break
    printer.close()
    if told.bad > BAD_LINES_SHOWN:
        err_console.print(f"... and {told.bad - BAD_LINES_SHOWN:,} more lines that are not records", highlight=False)
    if told.failed:
        raise typer.Exit(1)


class _Told:
    """What went to stderr: each line that is not a record (the first BAD_LINES_SHOWN), each failed source."""

    def __init__(self):
        self.bad = self.failed = 0

    def about(self, part) -> None:
        for line in part.quarantined:
            if self.bad < BAD_LINES_SHOWN:
                where = part.source if line.line is None else f"{part.source}:{line.line}"
                err_console.print(f"[yellow]not a record:[/yellow] {escape(where)}: {escape(line.reason)}",
                                  highlight=False, soft_wrap=True)
            self.bad += 1
        if part.error:
            self.failed += 1
            err_console.print(f"[red]error:[/red] {escape(part.error)}", highlight=False, soft_wrap=True)


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
        if self.writer is not None:
            self._csv(records)
            return
        rows = rows_of(records)
        if self.columns is None:
            self.columns = list(records.schema.names)
            if self.output is Output.json:
                sys.stdout.write("[")
        if self.output is Output.json:
            sys.stdout.write(("" if not self.count else ", ") + ", ".join(json.dumps(r, default=str) for r in rows))
        else:
            self.rows += rows
        self.count += len(rows)

    def _csv(self, records) -> None:
        """Written by Arrow, in C++: a Python row loop would be slower than the reading. Quotes only when a
        value needs them; times in ISO-8601 UTC with milliseconds, as CloudWatch writes them."""
        if self.columns is None:
            self.columns = list(records.schema.names)
            self.writer.writerow(self.columns)
        for i, col in enumerate(records.columns):
            if pa.types.is_timestamp(col.type):
                col = col.cast(pa.timestamp("ms", tz="UTC"), safe=False)
                records = records.set_column(i, records.schema.names[i], pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ"))
        needs = any(pc.any(pc.match_substring_regex(col, '[,"\r\n]')).as_py()
                    for col in records.columns if pa.types.is_string(col.type))
        sink = pa.BufferOutputStream()
        pacsv.write_csv(records, sink, pacsv.WriteOptions(include_header=False,
                                                           quoting_style="needed" if needs else "none"))
        sys.stdout.write(sink.getvalue().to_pybytes().decode())
        self.count += records.num_rows

    def close(self) -> None:
        if self.output is Output.table:  # a terminal is narrow: columns without a value are left out
            columns = [c for c in self.columns or [] if any(r.get(c) is not None for r in self.rows)]
            emit(self.rows, self.output, columns=columns, title=f"{self.count:,} records")
        elif self.output is Output.json:
            sys.stdout.write("]\n" if self.columns is not None else "[]\n")
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("read")(read_command)
