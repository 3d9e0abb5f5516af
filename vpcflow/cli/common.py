"""Options shared by many commands, declared once."""

from __future__ import annotations

import functools
import inspect
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from .. import config
from ..store import DEFAULT_PATH, Store
from ..timeutil import iso, parse_time

if TYPE_CHECKING:
    from ..aws.session import AwsSession

DB_OPTION = typer.Option(None, "--db", help=f"The store file (default: $VPCFLOW_DB or ./{DEFAULT_PATH}).")
SINCE_OPTION = typer.Option(None, "--since", help="From this time: ISO-8601, a date, Unix seconds, or a span (24h, "
                            "7d): for a command that reads the store, back from the store's newest record; for one "
                            "that reads sources (ingest, read, watch, serve --follow), back from now.")
UNTIL_OPTION = typer.Option(None, "--until", help="Up to this time (same forms as --since).")
SOURCES_ARGUMENT = typer.Argument(..., help="Files, directories, '-' for stdin, s3://BUCKET/PREFIX, cwl://GROUP[/STREAM].")
# The AWS account every command talks to (provisioning, s3:// and cwl:// sources, Athena, --aws configuration):
# a command decorated with `takes_aws` (or `takes_aws_regions`) receives them as one `account: AwsAccount`, whose
# session resolves them with the environment and vpcflow.toml.
AWS_OPTIONS = {  # parameter: (flag, help)
    "profile": ("--profile", "AWS profile (else $VPCFLOW_AWS_PROFILE, $AWS_PROFILE, vpcflow.toml's [aws] profile)."),
    "region": ("--region", "AWS region (else $VPCFLOW_AWS_REGION, $AWS_REGION, $AWS_DEFAULT_REGION, vpcflow.toml, "
               "the profile's)."),
    "endpoint_url": ("--endpoint-url", "AWS endpoint URL, e.g. a local emulator (else $VPCFLOW_AWS_ENDPOINT_URL, "
                     "$AWS_ENDPOINT_URL, vpcflow.toml)."),
}
# Where a query runs (`--engine`): the store, or Spark over a Parquet lake or raw flow logs.
ENGINE_OPTION = typer.Option("duckdb", "--engine", help="Where to run: duckdb (the store) or spark.")
SPARK_MASTER_OPTION = typer.Option("local[*]", "--spark-master", help="Spark master: local[N] or a cluster URL.")
LAKE_OPTION = typer.Option(None, "--lake", help="Spark reads this Parquet lake (vpcflow's export or AWS Parquet).")
RAW_OPTION = typer.Option(None, "--raw", help="Spark reads raw flow logs below this path (S3 text or Parquet).")
FORMAT_OPTION = typer.Option(None, "--format", help="Log format: a preset (default, v3, v4, v5, v8, all, tgw) or "
                             "'${version} ${account-id} ...'. Default: from the header line, else the default format.")


def db_path(db: str | None) -> str:
    """The store path: the flag, then $VPCFLOW_DB, then vpcflow.toml's `db`, then ./vpcflow.duckdb."""
    return config.load(db=db).db


def aws_session(profile: str | None, region: str | None, endpoint_url: str | None) -> AwsSession:
    """The AWS session from the flags, then the environment, then vpcflow.toml's [aws] (boto3 loads only here)."""
    from ..aws.session import AwsSession, AwsSettings

    settings = AwsSettings.resolve(os.environ, config.load().aws, profile=profile, region=region,
                                   endpoint_url=endpoint_url)
    return AwsSession(settings)


def open_store(db: str | None, read_only: bool = False) -> Store:
    return Store(db_path(db), read_only=read_only)


def empty_folders(paths: list[str]) -> list[str]:
    """The local folders among `paths` that hold no file a source would read (hidden ones are not looked in)."""
    from pathlib import Path

    from ..sources.local import walk

    return [p for p in paths if Path(p).is_dir() and next(walk(Path(p), errors=[]), None) is None]


def times(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """--since/--until for a command that reads sources: a span counts back from now."""
    return parse_time(since), parse_time(until)


@dataclass(frozen=True)
class StoreWindow:
    """--since/--until of a command that reads the store, and the range the store holds."""

    since: datetime | None
    until: datetime | None
    first: datetime | None  # the store's oldest capture-window start (None when it holds no records)
    last: datetime | None  # its newest capture-window end

    def say_if_empty(self, found: int) -> None:
        """When a windowed result is empty, say on stderr what range the store covers."""
        from .output import err_console

        if found or (self.since is None and self.until is None and self.first is not None):
            return
        if self.first is None:
            err_console.print("the store holds no records (ingest some first: vpcflow ingest PATH)",
                              highlight=False, markup=False, soft_wrap=True)
            return
        since, until = iso(self.since), iso(self.until)
        asked = f"no records from {since} to {until}" if since and until else \
            f"no records from {since} on" if since else f"no records before {until}" if until else "no records"
        err_console.print(f"{asked}; the store holds {iso(self.first)} .. {iso(self.last)}", highlight=False,
                          markup=False, soft_wrap=True)

    def say_if_none_in(self, source) -> None:
        """The same for an answer that has rows even without records (a count): count the window's records."""
        if self.since is not None or self.until is not None or self.first is None:
            self.say_if_empty(self.records(source))

    def records(self, source) -> int:
        """How many records overlap the window (to tell an empty window from an empty answer)."""
        from ..engines.engine import as_engine, run_sql

        lo = int(self.since.timestamp()) if self.since else 0
        hi = int(self.until.timestamp()) if self.until else 2**62
        return run_sql(as_engine(source), 'SELECT count(*) AS n FROM flows WHERE "end" >= $lo AND start < $hi',
                       {"lo": lo, "hi": hi}).to_pylist()[0]["n"]


def store_window(source, since: str | None, until: str | None) -> StoreWindow:
    """--since/--until for a command that reads the store (a Store, DuckDB connection or engine): a span counts
    back from the store's newest record, since a store of old logs has nothing in the last 24 hours of wall time
    (in a live store the two agree)."""
    from ..engines.engine import as_engine, run_sql

    row = run_sql(as_engine(source), 'SELECT min(start) AS first, max("end") AS last FROM flows').to_pylist()[0]
    first, last = (None if v is None else datetime.fromtimestamp(int(v), UTC) for v in (row["first"], row["last"]))
    now = last or datetime.now(UTC)
    return StoreWindow(parse_time(since, now=now), parse_time(until, now=now), first, last)


def open_engine(engine: str, *, db: str | None = None, lake: str | None = None, raw: list[str] | None = None,
                format: str | None = None, master: str = "local[*]"):
    """The engine a command asked for, and a callable that closes what it opened."""
    from ..engines import engine as engines
    from ..errors import VpcFlowError
    from .output import err_console

    if engine == "duckdb":
        store = open_store(db, read_only=True)
        return engines.DuckDBEngine(store), store.close
    if engine == "spark":
        spark_engine, report = engines.spark_engine(engines.SparkInput(lake, tuple(raw or ()), format, master))
        if report is not None and report.failed:
            for path, why in report.failed:
                err_console.print(f"[yellow]warning:[/yellow] {path}: {why}", highlight=False, soft_wrap=True)
        return spark_engine, lambda: None
    raise VpcFlowError(f"unknown engine {engine!r}", hint=f"use one of {', '.join(engines.ENGINES)}")


@dataclass(frozen=True)
class EngineChoice:
    """Where a command runs its queries: `--engine`, and for Spark `--lake`, `--raw` and `--spark-master`."""

    engine: str = "duckdb"
    lake: str | None = None
    raw: tuple[str, ...] = ()
    master: str = "local[*]"

    def open(self, db: str | None = None):
        """The engine (the store at `db` for duckdb) and a callable that closes what it opened."""
        return open_engine(self.engine, db=db, lake=self.lake, raw=list(self.raw), master=self.master)


@dataclass(frozen=True)
class AwsAccount:
    """`--profile`, `--region` and `--endpoint-url` of one command; a session is made only when asked for.

    With `takes_aws_regions`, `regions` holds every --region given and `region` the first (the session's)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    regions: tuple[str, ...] = ()

    def session(self) -> AwsSession:
        return aws_session(self.profile, self.region, self.endpoint_url)


# option groups as (parameter, type, option): one table each, read by every command that takes the group
ENGINE_PARAMETERS = (("engine", str, ENGINE_OPTION), ("lake", str | None, LAKE_OPTION),
                     ("raw", list[str] | None, RAW_OPTION), ("master", str, SPARK_MASTER_OPTION))
AWS_PARAMETERS = tuple((name, str | None, typer.Option(None, flag, help=text))
                       for name, (flag, text) in AWS_OPTIONS.items())


def option_group(name: str, parameters: tuple, build):
    """A decorator giving a command the options of `parameters`; it receives them as one `name` = build(**them).

    Typer reads a command's options from its signature, so the wrapper shows the command's own parameters
    (annotations evaluated) with the group's in place of `name`.
    """
    def decorate(command):
        own = inspect.signature(command, eval_str=True)
        added = [inspect.Parameter(option, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
                 for option, kind, default in parameters]

        @functools.wraps(command)
        def run(*args, **kwargs):
            given = {option: kwargs.pop(option) for option, _, _ in parameters}
            return command(*args, **{name: build(**given)}, **kwargs)

        run.__signature__ = own.replace(parameters=[p for p in own.parameters.values() if p.name != name] + added)
        run.__annotations__ = {p.name: p.annotation for p in run.__signature__.parameters.values()}
        return run
    return decorate


takes_engine = option_group("where", ENGINE_PARAMETERS,
                            lambda engine, lake, raw, master: EngineChoice(engine, lake, tuple(raw or ()), master))
takes_aws = option_group("account", AWS_PARAMETERS, AwsAccount)


def takes_aws_regions(region_help: str):
    """takes_aws for a command that works over several regions: --region is repeatable, with the command's help."""
    parameters = tuple((name, list[str] | None, typer.Option(None, "--region", help=region_help))
                       if name == "region" else (name, kind, option) for name, kind, option in AWS_PARAMETERS)

    def build(profile, region, endpoint_url) -> AwsAccount:
        regions = tuple(dict.fromkeys(region or ()))  # each region once, in the order given
        return AwsAccount(profile, regions[0] if regions else None, endpoint_url, regions)
    return option_group("account", parameters, build)
