"""Commands over the store: ingest, query, top, stats, quarantine, sources, fields."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape

from ..analyze import KEYS, METRICS, top
from ..fields import FIELDS
from ..store.targets import AWS_SCHEMES
from .common import (
    DB_OPTION,
    FORMAT_OPTION,
    SINCE_OPTION,
    SOURCES_ARGUMENT,
    UNTIL_OPTION,
    AwsAccount,
    EngineChoice,
    empty_folders,
    open_store,
    store_window,
    takes_aws,
    takes_engine,
    times,
)
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console, progress_bar


@takes_aws
def ingest(
    paths: list[str] = SOURCES_ARGUMENT,
    db: str | None = DB_OPTION,
    format: str | None = FORMAT_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Read flow logs into the store, each source exactly once; bad lines go to the quarantine."""
    start, end = times(since, until)
    session = account.session() if any(p.startswith(AWS_SCHEMES) for p in paths) else None
    with open_store(db) as store, progress_bar() as bar:
        task = bar.add_task("ingest", total=None, rate="")
        got = [0, 0]  # objects or stream spans fetched, and their bytes

        def fetched(n: int, nbytes: int) -> None:
            got[0] += n
            got[1] += nbytes
            bar.update(task, description=f"fetched {got[0]:,} objects/streams, {got[1] / 1e6:,.1f} MB")

        per_source: dict[str, int] = {}
        started = time.perf_counter()

        def tick(source: str, records: int, raw_bytes: int) -> None:
            per_source[source] = records
            total = sum(per_source.values())
            rate = total / max(time.perf_counter() - started, 1e-6)
            bar.update(task, description=f"ingest ...{source[-40:]}", rate=f"{total:,} records, {rate:,.0f}/s")

        result = store.ingest(paths, format=format, since=start, until=end, session=session, progress=tick,
                              fetched=fetched)
    summary = result.as_dict()
    empty = [{"source": p, "warning": "no flow-log files found in it"} for p in empty_folders(paths)]
    summary["warnings"] = summary["warnings"] + empty
    if output is Output.json:
        emit_object(summary, output)
    else:
        emit_object({k: v for k, v in summary.items() if k not in ("errors", "warnings")}, output, title="ingest")
    for w in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(w.source)}: {escape(w.message)}", highlight=False,
                          soft_wrap=True)
    for w in empty:  # exit 0 all the same: a folder awaiting its first delivery is no failure for a script
        err_console.print(f"[yellow]warning:[/yellow] no flow-log files found in {escape(w['source'])}",
                          highlight=False, soft_wrap=True)
    if result.quarantined:
        err_console.print(f"{result.quarantined:,} line(s) quarantined: see `vpcflow quarantine`", highlight=False)
    for e in result.errors:
        err_console.print(f"[red]error:[/red] {escape(e.message)}", highlight=False, soft_wrap=True)
    if result.errors:
        raise typer.Exit(1)


@takes_engine
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement over the `flows` view (and `sources`, `quarantine`).")],
    db: str | None = DB_OPTION,
    output: Output = OUTPUT_OPTION,
    where: EngineChoice = EngineChoice(),
) -> None:
    """Run a read-only SQL query on the store (or, with --engine spark, on a lake or raw flow logs)."""
    if where.engine != "duckdb":
        from ..engines.engine import run_sql

        eng, close = where.open()
        try:
            emit(run_sql(eng, sql), output)
        finally:
            close()
        return
    with open_store(db, read_only=True) as store:
        emit(store.query(sql), output)


@takes_engine
def top_command(
    by: Annotated[str, typer.Option("--by", help=f"Group by: {', '.join(KEYS)}.")] = "pair",
    metric: Annotated[str, typer.Option("--metric", help=f"Rank by: {', '.join(METRICS)}.")] = "bytes",
    n: Annotated[int, typer.Option("-n", help="How many groups.")] = 10,
    action: Annotated[str | None, typer.Option("--action", help="Only ACCEPT or REJECT records.")] = None,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    db: str | None = DB_OPTION,
    output: Output = OUTPUT_OPTION,
    where: EngineChoice = EngineChoice(),
) -> None:
    """Top talkers: the largest groups by bytes, packets or flows, largest first."""
    eng, close = where.open(db)
    try:
        window = store_window(eng, since, until)
        rows = top(eng, by, metric, n, action=action, since=window.since, until=window.until)
        emit(rows, output, title=f"top {by} by {metric}")
        window.say_if_empty(rows.num_rows)
    finally:
        close()


def stats(db: str | None = DB_OPTION, output: Output = OUTPUT_OPTION) -> None:
    """What the store holds: records, time range, interfaces, sources, quarantine."""
    with open_store(db, read_only=True) as store:
        emit_object(store.stats(), output, title="store")


def quarantine(
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many lines.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only lines from this source.")] = None,
    db: str | None = DB_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Lines that did not fit their format, with source, line number and reason."""
    with open_store(db, read_only=True) as store:
        emit(store.quarantine(limit, source), output, title="quarantine")


def sources(db: str | None = DB_OPTION, output: Output = OUTPUT_OPTION) -> None:
    """The ledger: every ingested source, its checksum, records and quarantined lines."""
    with open_store(db, read_only=True) as store:
        emit(store.sources(), output, title="sources")


def fields(
    version: Annotated[int | None, typer.Option("--version", help="Only fields of this version.")] = None,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Every flow-log field vpcflow knows: AWS name, column, version, type, description."""
    rows = [{"name": f.name, "column": f.column, "version": f.version, "type": f.kind, "schema": f.schema,
             "description": f.description} for f in FIELDS if version is None or f.version == version]
    emit(rows, output, title="flow-log fields")


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(query)
    app.command("top")(top_command)
    app.command()(stats)
    app.command()(quarantine)
    app.command()(sources)
    app.command()(fields)

