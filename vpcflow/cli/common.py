"""Options shared by many commands, declared once."""

from __future__ import annotations

from datetime import datetime

import typer

from .. import config
from ..store import DEFAULT_PATH, Store
from ..timeutil import parse_time

DB_OPTION = typer.Option(None, "--db", help=f"The store file (default: $VPCFLOW_DB or ./{DEFAULT_PATH}).")
SINCE_OPTION = typer.Option(None, "--since", help="From this time: ISO-8601, a date, Unix seconds, or 24h/7d ago.")
UNTIL_OPTION = typer.Option(None, "--until", help="Up to this time (same forms as --since).")
SOURCES_ARGUMENT = typer.Argument(..., help="Files, directories, '-' for stdin, s3://BUCKET/PREFIX, cwl://GROUP[/STREAM].")
# the AWS account that s3:// and cwl:// sources are read from
SOURCE_PROFILE_OPTION = typer.Option(None, "--profile", help="AWS profile, for s3:// and cwl://.")
SOURCE_REGION_OPTION = typer.Option(None, "--region", help="AWS region, for s3:// and cwl://.")
SOURCE_ENDPOINT_OPTION = typer.Option(None, "--endpoint-url", help="AWS endpoint URL (for example a local emulator).")
FORMAT_OPTION = typer.Option(None, "--format", help="Log format: a preset (default, v3, v4, v5, v8, all, tgw) or "
                             "'${version} ${account-id} ...'. Default: from the header line, else the default format.")


def db_path(db: str | None) -> str:
    """The store path: the flag, then $VPCFLOW_DB, then vpcflow.toml's `db`, then ./vpcflow.duckdb."""
    return config.load(db=db).db


def open_store(db: str | None, read_only: bool = False) -> Store:
    return Store(db_path(db), read_only=read_only)


def times(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    return parse_time(since), parse_time(until)
