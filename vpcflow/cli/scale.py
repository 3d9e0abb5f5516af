"""Scale-out commands: `vpcflow spark ...` (the named queries on Apache Spark) and `vpcflow athena ...`
(CREATE TABLE for a layout, the transpiled SQL of any analysis or detection, and running it).

The engine options (--engine, --lake, --raw, --spark-master) are declared once in cli/common.py.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..engines import engine as engines
from ..engines.queries import registry
from ..errors import VpcFlowError
from .common import (
    DB_OPTION,
    LAKE_OPTION,
    RAW_OPTION,
    SINCE_OPTION,
    SPARK_MASTER_OPTION,
    UNTIL_OPTION,
    AwsAccount,
    open_engine,
    open_store,
    takes_aws,
    takes_aws_regions,
    times,
)
from .output import OUTPUT_OPTION, Output, console, emit, emit_object, err_console

PARAM_OPTION = typer.Option(None, "--param", "-p", help="A query parameter, NAME=VALUE (repeatable).")
FORMAT_OPTION = typer.Option(None, "--format", help="Log format of headerless raw files (default: AWS's default).")

spark_app = typer.Typer(help="Run vpcflow's analyses and detections on Apache Spark.", no_args_is_help=True)
athena_app = typer.Typer(help="Athena: CREATE TABLE for your layout, transpiled queries, and runs.",
                         no_args_is_help=True)


def parse_params(pairs: list[str] | None) -> dict:
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise VpcFlowError(f"--param wants NAME=VALUE, not {pair!r}")
        out[name.strip()] = value
    return out


@spark_app.command("run")
def spark_run(
    name: Annotated[str, typer.Argument(help="An analysis or detection (vpcflow athena list shows them).")],
    lake: str | None = LAKE_OPTION,
    raw: list[str] | None = RAW_OPTION,
    format: str | None = FORMAT_OPTION,
    master: str = SPARK_MASTER_OPTION,
    param: list[str] | None = PARAM_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Run a named analysis or detection on Spark; prints the result like the local engine."""
    engine, close = open_engine("spark", lake=lake, raw=raw, format=format, master=master)
    try:
        emit(engines.run_query(engine, name, parse_params(param)), output, title=name)
    finally:
        close()


@spark_app.command("query")
def spark_query(
    sql: Annotated[str, typer.Argument(help="One SELECT over `flows`, in DuckDB's dialect (transpiled to Spark).")],
    lake: str | None = LAKE_OPTION,
    raw: list[str] | None = RAW_OPTION,
    master: str = SPARK_MASTER_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Run one DuckDB-dialect SELECT on Spark."""
    engine, close = open_engine("spark", lake=lake, raw=raw, master=master)
    try:
        emit(engines.run_sql(engine, sql), output)
    finally:
        close()


@spark_app.command("check")
def spark_check(
    raw: Annotated[list[str], typer.Argument(help="Raw flow logs: files or directories (local, s3a://).")],
    format: str | None = FORMAT_OPTION,
    master: str = SPARK_MASTER_OPTION,
    quarantine_out: Annotated[str | None, typer.Option("--quarantine-out", help="Write the bad lines here "
                                                       "(Parquet directory).")] = None,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Read raw flow logs on Spark with the store's checks: count records and bad lines, keep the bad aside."""
    from ..engines import raw as raw_mod
    from ..engines import spark as spark_mod

    report = raw_mod.read_raw(spark_mod.session(master), list(raw), format)
    bad = report.quarantine.cache()
    if quarantine_out:
        bad.write.mode("overwrite").parquet(quarantine_out)
    emit_object({"records": report.flows.count(), "quarantined": bad.count(), "failed_files": len(report.failed)},
                output, title="spark check")
    for path, why in report.failed:
        err_console.print(f"[red]error:[/red] {path}: {why}", highlight=False, soft_wrap=True)


@spark_app.command("lake")
def spark_lake(
    dest: Annotated[str, typer.Argument(help="An empty directory: one day=YYYY-MM-DD/ partition per day.")],
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Export the store as a Hive-partitioned Parquet lake with AWS's column names, for Spark and Athena."""
    from ..engines.lake import export_lake

    start, end = times(since, until)
    with open_store(db, read_only=True) as store:
        emit_object(export_lake(store, dest, start, end).as_dict(), output, title="lake")


@athena_app.command("list")
def athena_list(output: Output = OUTPUT_OPTION) -> None:
    """Every analysis and detection that `athena sql`, `athena run` and `spark run` know, with parameters."""
    rows = [{"name": q.name, "kind": q.kind, "title": q.title,
             "parameters": ", ".join(f"{k}={v}" for k, v in sorted(q.defaults.items()))} for q in registry().values()]
    emit(rows, output, title="named queries")


@athena_app.command("ddl")
@takes_aws_regions("A region to project (repeatable); default: the AWS settings' region.")
def athena_ddl(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket of the flow logs.")],
    prefix: Annotated[str, typer.Option("--prefix", help="The flow log's S3 prefix, if any.")] = "",
    account_id: Annotated[str | None, typer.Option("--account", help="The account in the key (AWSLogs/ACCOUNT/...); "
                                                   "default: the caller's, from STS.")] = None,
    layout: Annotated[str, typer.Option("--layout", help="default, per-hour, hive, hive-per-hour, or lake.")] = "default",
    file_format: Annotated[str, typer.Option("--file-format", help="text or parquet.")] = "text",
    log_format: Annotated[str, typer.Option("--format", help="The flow log's format: a preset or '${...}'.")] = "default",
    table: Annotated[str, typer.Option("--table", help="Table name.")] = "vpc_flow_logs",
    database: Annotated[str, typer.Option("--database", help="Glue database.")] = "default",
    since_day: Annotated[str, typer.Option("--since-day", help="First day of the projection, YYYY/MM/DD.")] = "2024/01/01",
    *,
    account: AwsAccount,
) -> None:
    """Print CREATE EXTERNAL TABLE (partition projection) for your flow logs' layout.

    The account and region in the S3 keys default to the caller's AWS identity and settings, never a placeholder.
    No --output: the answer is SQL text to paste into Athena or pipe to a file, not rows.
    """
    from ..athena.ddl import TableSpec, create_table
    from ..fields import LogFormat

    fmt = LogFormat.parse(log_format)  # a bad format fails before AWS is asked anything
    regions = account.regions
    if account_id is None or not regions:
        session = account.session()
        account_id = account_id or session.account_id()
        regions = regions or (session.region,)
    spec = TableSpec(bucket, prefix, account_id, regions, layout, file_format, fmt, table, database, since_day)
    console.print(create_table(spec), highlight=False, soft_wrap=True, markup=False, end="")


@athena_app.command("sql")
def athena_sql_command(
    name: Annotated[str, typer.Argument(help="An analysis or detection (vpcflow athena list).")],
    table: Annotated[str, typer.Option("--table", help="The Athena table to read (DATABASE.TABLE).")] = "vpc_flow_logs",
    param: list[str] | None = PARAM_OPTION,
) -> None:
    """Print the query NAME transpiled to Athena (Trino) SQL, parameters written in as quoted literals.

    No --output: the answer is SQL text, not rows (`athena run --output` prints the rows it returns).
    """
    from ..athena.run import athena_sql

    console.print(athena_sql(name, parse_params(param), table=table) + ";", highlight=False, soft_wrap=True,
                  markup=False)


@athena_app.command("run")
@takes_aws
def athena_run(
    name: Annotated[str, typer.Argument(help="An analysis or detection (vpcflow athena list).")],
    table: Annotated[str, typer.Option("--table", help="The Athena table to read.")] = "vpc_flow_logs",
    database: Annotated[str, typer.Option("--database", help="Glue database.")] = "default",
    output_location: Annotated[str | None, typer.Option("--output-location", help="s3:// for results "
                                                        "(unless the workgroup sets one).")] = None,
    workgroup: Annotated[str | None, typer.Option("--workgroup", help="Athena workgroup.")] = None,
    param: list[str] | None = PARAM_OPTION,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the query.")] = 600.0,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Run the query NAME on Athena and print the result like the local engine."""
    from ..athena.run import athena_sql, run
    session = account.session()
    sql = athena_sql(name, parse_params(param), table=table, pretty=False)
    emit(run(session.client("athena"), sql, database=database, output=output_location, workgroup=workgroup,
             timeout=timeout), output, title=name)


def register(app: typer.Typer) -> None:
    app.add_typer(spark_app, name="spark")
    app.add_typer(athena_app, name="athena")
