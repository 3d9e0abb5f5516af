"""Settings, resolved once at the edge: defaults, then ./vpcflow.toml, then VPCFLOW_* environment, then flags.

Library code never reads the environment; the CLI resolves Settings here and passes values down. The `[aws]`
section is the lowest layer under the AWS flags and environment (`vpcflow.aws.session.AwsSettings.resolve`).

    # vpcflow.toml
    db = "flows.duckdb"
    [aws]
    region = "eu-west-1"
    profile = "audit"
    endpoint_url = "http://127.0.0.1:5000"
    [serve]
    allow_host = ["flows.example.internal"]
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import VpcFlowError

CONFIG_FILE = "vpcflow.toml"
AWS_KEYS = ("profile", "region", "endpoint_url")


@dataclass(frozen=True)
class Settings:
    db: str = "vpcflow.duckdb"
    aws: dict = field(default_factory=dict)  # profile, region, endpoint_url
    cost: dict = field(default_factory=dict)  # region (of the price table), prices: {region: {price: value}}
    allow_host: tuple[str, ...] = ()  # Host names the dashboard serves besides loopback ones


def load(path: Path | None = None, env: Mapping[str, str] | None = None, **flags) -> Settings:
    """Merge the layers; a flag that is None leaves the lower layers' value."""
    env = os.environ if env is None else env
    values: dict = {"db": Settings.db, "aws": {}, "cost": {}, "allow_host": ()}
    path = path or Path(env.get("VPCFLOW_CONFIG", CONFIG_FILE))
    if path.exists():
        try:
            data = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise VpcFlowError(f"not valid TOML: {exc}", location=str(path)) from exc
        unknown = set(data) - {"db", "aws", "cost", "serve"}
        if unknown:
            raise VpcFlowError(f"unknown setting {sorted(unknown)[0]!r}", location=str(path),
                               hint="settings are: db, [aws] profile/region/endpoint_url, [cost], [serve] allow_host")
        values["db"] = data.get("db", values["db"])
        values["aws"].update(_aws_section(data.get("aws", {}), path))
        values["cost"].update(_cost_section(data.get("cost", {}), path))
        values["allow_host"] = _serve_section(data.get("serve", {}), path)
    if env.get("VPCFLOW_DB"):
        values["db"] = env["VPCFLOW_DB"]
    if env.get("VPCFLOW_ALLOW_HOST"):
        values["allow_host"] = tuple(env["VPCFLOW_ALLOW_HOST"].replace(",", " ").split())
    for key in ("db", "allow_host"):
        if flags.get(key) is not None:
            values[key] = flags[key]
    if env.get("VPCFLOW_COST_REGION"):
        values["cost"]["region"] = env["VPCFLOW_COST_REGION"]
    return Settings(db=str(values["db"]), aws=values["aws"], cost=values["cost"],
                    allow_host=tuple(values["allow_host"]))


def _aws_section(section: object, path: Path) -> dict[str, str]:
    if not isinstance(section, dict):
        raise VpcFlowError("[aws] must be a table", location=str(path), hint="write [aws] on its own line")
    for key, value in section.items():
        if key not in AWS_KEYS:
            raise VpcFlowError(f"unknown setting aws.{key}", location=str(path),
                               hint=f"[aws] settings are: {', '.join(AWS_KEYS)}")
        if not isinstance(value, str):
            raise VpcFlowError(f"aws.{key} must be a string", location=str(path))
    return dict(section)


def _cost_section(section: object, path: Path) -> dict:
    """[cost] region = "..." and [cost.prices.REGION] tables (the price fields are checked by vpcflow.cost)."""
    if not isinstance(section, dict) or not set(section) <= {"region", "prices"}:
        raise VpcFlowError("[cost] takes region and [cost.prices.REGION] tables", location=str(path),
                           hint="see docs/cost.md")
    if not all(isinstance(v, dict) for v in (section.get("prices") or {}).values()):
        raise VpcFlowError("[cost.prices.REGION] must be tables of prices", location=str(path))
    return dict(section)


def _serve_section(section: object, path: Path) -> tuple[str, ...]:
    """[serve] allow_host = ["name", ...]: the Host names the dashboard answers besides loopback ones."""
    if not isinstance(section, dict) or not set(section) <= {"allow_host"}:
        raise VpcFlowError("[serve] takes allow_host", location=str(path),
                           hint='for example: allow_host = ["flows.example.internal"]')
    hosts = section.get("allow_host", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise VpcFlowError("serve.allow_host must be a list of Host names", location=str(path))
    return tuple(hosts)
