"""Scenario files: a topology, flow logs, conversations and injected events (format in docs/emulator.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import yaml

from ..deliver.base import CLOUDWATCH, FIREHOSE, S3, TRAFFIC_TYPES, FlowLog
from ..errors import FormatError, NotFound
from ..fields import LogFormat
from ..network.topology import ScenarioError, Topology, derive_id

COMPRESSIONS = ("none", "gzip", "zip", "snappy", "hadoop-snappy")  # a Firehose stream's CompressionFormat
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def seconds(text, where: str = "duration") -> int:
    """`24h`, `7d`, `1d6h`, `90m`, `45s` or a number of seconds."""
    if isinstance(text, (int, float)):
        return int(text)
    m = _DURATION.match(str(text).strip())
    if not m or not any(m.groups()):
        raise ScenarioError(f"bad duration {text!r}", location=where, hint="write e.g. 24h, 7d, 1d6h, 90m or 45s")
    w, d, h, mi, s = (int(g or 0) for g in m.groups())
    return (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s


def parse_time(text, where: str = "start") -> int:
    """An ISO-8601 time (UTC unless it says otherwise) as unix seconds."""
    if isinstance(text, datetime):
        value = text
    else:
        try:
            value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        except ValueError:
            raise ScenarioError(f"bad time {text!r}", location=where, hint="write e.g. 2026-01-05T00:00:00Z") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


@dataclass
class Scenario:
    name: str
    spec: dict
    source: str

    @property
    def description(self) -> str:
        return str(self.spec.get("description", "")).strip()


def builtin_names() -> list[str]:
    folder = resources.files(__package__) / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def builtin_topology(name: str) -> dict | None:
    """The `topology:` of a built-in scenario, or None: registered as the network model's named topologies."""
    if name not in builtin_names():
        return None
    return load_scenario(name).spec.get("topology") or {}


def load_scenario(scenario) -> Scenario:
    """A scenario from a built-in name, a YAML file path, a mapping, or a Scenario."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario(str(scenario.get("name", "scenario")), scenario, "<mapping>")
    text = str(scenario)
    if text in builtin_names():
        body = (resources.files(__package__) / "scenarios" / f"{text}.yaml").read_text()
        source = f"built-in scenario {text}"
    else:
        path = Path(text)
        if not path.is_file():
            raise NotFound(f"no scenario {text!r}", hint=f"give a YAML file or one of: {', '.join(builtin_names())}")
        body, source = path.read_text(), str(path)
    try:
        spec = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"not valid YAML: {exc}", location=source) from None
    if not isinstance(spec, dict):
        raise ScenarioError("a scenario is a mapping", location=source, hint="see docs/emulator.md")
    return Scenario(str(spec.get("name", Path(text).stem)), spec, source)


def flow_logs(spec: list | None, topology: Topology, overrides: dict) -> list[FlowLog]:
    """The scenario's flow logs (one VPC-wide flow log if it names none), with command-line overrides."""
    logs = []
    for n, item in enumerate(spec or [{"resource": "vpc"}]):
        where = f"flow_logs[{n}]"
        item = {**item, **{k: v for k, v in overrides.items() if v is not None}}
        resource = str(item.get("resource", "vpc"))
        kind, _, name = resource.partition(":")
        if kind == "vpc":
            resource_id, members = topology.vpc_id, [i.index for i in topology.interfaces]
        elif kind == "subnet" and name in topology.subnets:
            subnet = topology.subnets[name]
            resource_id, members = subnet.id, [i.index for i in topology.interfaces if i.subnet is subnet]
        elif kind == "interface" and name in topology.roles:
            resource_id, members = topology.interface(name).id, [i.index for i in topology.roles[name]]
        else:
            raise ScenarioError(f"bad resource {resource!r}", location=where,
                                hint="write vpc, subnet:<name> or interface:<name>")
        traffic = str(item.get("traffic_type", "ALL")).upper()
        interval = int(item.get("interval", 600))
        destination = str(item.get("destination", CLOUDWATCH))
        file_format = str(item.get("file_format", "text"))
        compression = str(item.get("compression", "none")).lower().replace("_", "-")  # AWS's HADOOP_SNAPPY too
        compression = "none" if compression == "uncompressed" else compression
        checks = [(traffic in TRAFFIC_TYPES, "traffic_type must be ALL, ACCEPT or REJECT"),
                  (interval in (60, 600), "interval must be 60 or 600"),
                  (destination in (CLOUDWATCH, S3, FIREHOSE), "destination must be cloudwatch, s3 or firehose"),
                  (file_format in ("text", "parquet"), "file_format must be text or parquet"),
                  (compression in COMPRESSIONS, "compression must be none, gzip, zip, snappy or hadoop-snappy")]
        for ok, message in checks:
            if not ok:
                raise ScenarioError(message, location=where)
        try:
            log_format = LogFormat.parse(str(item.get("format", "default")))
        except FormatError as exc:
            raise ScenarioError(exc.message, location=where, hint=exc.hint) from None
        if log_format.unknown:
            raise ScenarioError(f"format names unknown field {log_format.unknown[0].name!r}", location=where)
        fl_id = str(item.get("id") or "fl-" + derive_id("x", topology.vpc_id, n)[3:20])
        logs.append(FlowLog(fl_id, resource_id, frozenset(members), traffic, interval, log_format, destination,
                            str(item.get("log_group", "vpc-flow-logs")), file_format, bool(item.get("hive", False)),
                            bool(item.get("per_hour", False)), str(item.get("prefix", "")),
                            str(item.get("stream", "vpc-flow-logs")), compression))
    return logs
