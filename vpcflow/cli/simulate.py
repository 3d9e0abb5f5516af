"""`vpcflow simulate`: emulate a VPC scenario and write its flow logs in AWS's layouts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from ..errors import VpcFlowError
from .output import OUTPUT_OPTION, Output, emit, emit_object


class Destination(StrEnum):
    cloudwatch = "cloudwatch"
    s3 = "s3"
    firehose = "firehose"


class Compression(StrEnum):
    none = "none"
    gzip = "gzip"
    zip = "zip"
    snappy = "snappy"
    hadoop_snappy = "hadoop-snappy"


class FileFormat(StrEnum):
    text = "text"
    parquet = "parquet"


def simulate_command(
    scenario: str = typer.Argument(None, help="A built-in scenario name (see --list) or a scenario YAML file."),
    out: Path = typer.Option(None, "--out", help="Folder to write the flow logs and labels.jsonl into."),
    seed: int = typer.Option(None, "--seed", help="Random seed; the same seed gives byte-identical output."),
    start: str = typer.Option(None, "--start", help="Start time, ISO-8601 UTC (default: the scenario's)."),
    duration: str = typer.Option(None, "--duration", help="How long to emulate: 24h, 7d, 90m ..."),
    destination: Destination = typer.Option(None, "--destination", help="cloudwatch, s3 or firehose."),
    file_format: FileFormat = typer.Option(None, "--file-format", help="S3 objects as text (.log.gz) or parquet."),
    compression: Compression = typer.Option(None, "--compression",
                                            help="Firehose objects: none, gzip, zip, snappy or hadoop-snappy."),
    hive: bool = typer.Option(None, "--hive/--no-hive", help="S3 Hive-compatible partitions."),
    per_hour: bool = typer.Option(None, "--per-hour/--no-per-hour", help="S3 per-hour partitions."),
    log_format: str = typer.Option(None, "--format", help="Log format: default, v3, v5, v8, all or '${...}'."),
    interval: int = typer.Option(None, "--interval", help="Aggregation interval, 60 or 600 seconds."),
    list_: bool = typer.Option(False, "--list", help="List the built-in scenarios and exit."),
    output: Output = OUTPUT_OPTION,
) -> None:
    """Emulate a VPC scenario: write the flow logs AWS would write, and ground-truth labels of its events."""
    from ..emulate import builtin_names, load_scenario, simulate

    if list_:
        emit([{"scenario": n, "description": load_scenario(n).description} for n in builtin_names()], output)
        return
    if scenario is None or out is None:
        raise VpcFlowError("simulate needs a SCENARIO and --out DIR", hint="run vpcflow simulate --list for names")
    summary = simulate(scenario, out, seed=seed, start=start, duration=duration,
                       destination=destination.value if destination else None,
                       file_format=file_format.value if file_format else None, hive=hive, per_hour=per_hour,
                       format=log_format, interval=interval, compression=compression.value if compression else None)
    emit_object(summary.as_dict(), output, title="simulation")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
