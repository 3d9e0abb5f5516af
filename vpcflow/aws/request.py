"""What a user asks for: which resources, which destination, which traffic, interval and format."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import VpcFlowError
from ..fields import DEFAULT, LogFormat
from .analyses import detections_format

CLOUDWATCH = "cloud-watch-logs"
S3 = "s3"
FIREHOSE = "kinesis-data-firehose"
VENDED_PREFIX = "/aws/vendedlogs/"

# resource ID prefix -> CreateFlowLogs ResourceType
RESOURCE_TYPES = {"vpc-": "VPC", "subnet-": "Subnet", "eni-": "NetworkInterface"}
TRAFFIC_TYPES = ("ALL", "ACCEPT", "REJECT")
INTERVALS = (60, 600)


@dataclass(frozen=True)
class Destination:
    """Where records go: `cloudwatch://GROUP`, `s3://BUCKET[/PREFIX]` or `firehose://STREAM_ARN`."""

    kind: str
    uri: str
    log_group: str | None = None
    bucket: str | None = None
    prefix: str = ""
    stream_arn: str | None = None

    @classmethod
    def parse(cls, uri: str, *, vended: bool = False) -> Destination:
        scheme, _, rest = uri.partition("://")
        if scheme in ("cloudwatch", "cwl", "logs") and rest:
            group = "/" + rest.lstrip("/") if rest.startswith("/") else rest
            if vended and not group.startswith(VENDED_PREFIX):
                group = VENDED_PREFIX + group.lstrip("/")
            return cls(CLOUDWATCH, f"cloudwatch://{group}", log_group=group)
        if scheme == "s3" and rest:
            parts = urlsplit(uri)
            prefix = parts.path.strip("/")
            if prefix.split("/")[0] == "AWSLogs":
                raise VpcFlowError(
                    f"S3 prefix {prefix!r} starts with AWSLogs, which AWS reserves",
                    location=uri,
                    hint="choose another prefix; AWS adds AWSLogs/ itself",
                )
            return cls(S3, uri.rstrip("/"), bucket=parts.netloc, prefix=prefix)
        if scheme == "firehose" and rest.startswith("arn:") and ":deliverystream/" in rest:
            return cls(FIREHOSE, uri, stream_arn=rest)
        raise VpcFlowError(
            f"unknown destination {uri!r}",
            hint="use cloudwatch://LOG_GROUP, s3://BUCKET or s3://BUCKET/PREFIX, or firehose://STREAM_ARN",
        )

    def log_destination(self, partition: str, region: str, account: str) -> str:
        """The LogDestination ARN CreateFlowLogs takes (an S3 prefix ends in '/')."""
        if self.kind == CLOUDWATCH:
            return f"arn:{partition}:logs:{region}:{account}:log-group:{self.log_group}"
        if self.kind == S3:
            return f"arn:{partition}:s3:::{self.bucket}" + (f"/{self.prefix}/" if self.prefix else "")
        return self.stream_arn or ""


@dataclass(frozen=True)
class FlowLogRequest:
    resources: tuple[str, ...]
    destination: Destination
    traffic_type: str = "ALL"
    interval: int = 600
    format: LogFormat = DEFAULT
    file_format: str = "plain-text"
    hive: bool = False
    per_hour: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    retention_days: int = 90
    options: dict = field(default_factory=dict, compare=False)

    def destination_options(self) -> dict | None:
        if self.destination.kind != S3:
            return None
        return {
            "FileFormat": self.file_format,
            "HiveCompatiblePartitions": self.hive,
            "PerHourPartition": self.per_hour,
        }


def resource_type(resource_id: str) -> str:
    for prefix, kind in RESOURCE_TYPES.items():
        if resource_id.startswith(prefix):
            return kind
    raise VpcFlowError(
        f"cannot tell the resource type of {resource_id!r}",
        hint="give a VPC (vpc-...), subnet (subnet-...) or network interface (eni-...) ID",
    )


def parse_format(text: str | None) -> LogFormat:
    """`default`, `all`, a preset, a custom `${...}` string, or `detections` (what the analyses need)."""
    if not text:
        return DEFAULT
    if text.strip() == "detections":
        return detections_format()
    if text != text.rstrip():
        raise VpcFlowError("the format ends with a space, which CreateFlowLogs rejects", hint="remove it")
    return LogFormat.parse(text)


def make_request(
    resources: list[str],
    destination: str,
    *,
    traffic_type: str = "ALL",
    interval: int = 600,
    format: str | None = None,
    file_format: str = "text",
    hive: bool = False,
    per_hour: bool = False,
    tags: dict[str, str] | None = None,
    retention_days: int = 90,
    vended: bool = False,
) -> FlowLogRequest:
    """Check and normalise what the user asked for; every mistake is caught here, before AWS sees it."""
    if not resources:
        raise VpcFlowError("no resource given", hint="pass --resource vpc-... (or subnet-..., eni-...)")
    for r in resources:
        resource_type(r)
    traffic_type = traffic_type.upper()
    if traffic_type not in TRAFFIC_TYPES:
        raise VpcFlowError(f"traffic type {traffic_type!r} is not one of {', '.join(TRAFFIC_TYPES)}")
    if interval not in INTERVALS:
        raise VpcFlowError(f"aggregation interval {interval} is not 60 or 600 seconds")
    dest = Destination.parse(destination, vended=vended)
    file_format = {"text": "plain-text", "plain-text": "plain-text", "parquet": "parquet"}.get(file_format, "")
    if not file_format:
        raise VpcFlowError("file format must be text or parquet")
    if dest.kind != S3 and (file_format != "plain-text" or hive or per_hour):
        raise VpcFlowError("--file-format, --hive and --per-hour apply only to s3:// destinations", location=dest.uri)
    return FlowLogRequest(
        resources=tuple(dict.fromkeys(resources)),
        destination=dest,
        traffic_type=traffic_type,
        interval=interval,
        format=parse_format(format),
        file_format=file_format,
        hive=hive,
        per_hour=per_hour,
        tags=tuple(sorted((tags or {}).items())),
        retention_days=retention_days,
    )
