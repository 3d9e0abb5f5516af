"""Athena CREATE TABLE for a flow-log layout, derived from the field table (types as in AWS's own DDL).

Layouts: text (gzip, header line, space-delimited) or Parquet; S3 prefixes default, per-hour, Hive, or
Hive per-hour; partitions by projection (no MSCK REPAIR, no ADD PARTITION) or, for Hive prefixes,
discovered with MSCK REPAIR TABLE; and vpcflow's own lake (`day=YYYY-MM-DD/`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import VpcFlowError
from ..fields import INT_32, INT_64, LogFormat

LAYOUTS = ("default", "per-hour", "hive", "hive-per-hour", "lake")
FILE_FORMATS = ("text", "parquet")
# Athena's DDL types: int for INT_32 fields, bigint for INT_64; AWS's DDL widens protocol to bigint
WIDENED = {"protocol": "bigint"}
_SAFE = re.compile(r"[A-Za-z0-9_./-]{1,255}")
_RESERVED = {"end", "date", "type", "region", "version", "start", "bytes", "action"}


@dataclass(frozen=True)
class TableSpec:
    """Where the flow logs are and how they are laid out."""

    bucket: str
    prefix: str = ""
    account: str = "123456789012"
    regions: tuple[str, ...] = ("us-east-1",)
    layout: str = "default"
    file_format: str = "text"
    log_format: LogFormat = LogFormat.parse("default")
    table: str = "vpc_flow_logs"
    database: str = "default"
    since_day: str = "2024/01/01"  # first day of the projection range

    def check(self) -> None:
        if self.layout not in LAYOUTS:
            raise VpcFlowError(f"unknown layout {self.layout!r}", hint=f"use one of {', '.join(LAYOUTS)}")
        if self.file_format not in FILE_FORMATS:
            raise VpcFlowError(f"unknown file format {self.file_format!r}", hint="use text or parquet")
        if self.layout == "lake" and self.file_format != "parquet":
            raise VpcFlowError("vpcflow's lake is Parquet", hint="use --file-format parquet with --layout lake")
        # these go into the DDL's text: only the characters S3 keys, regions and Glue names use here
        for name, value in (("bucket", self.bucket), ("table", self.table), ("database", self.database),
                            ("account", self.account), ("prefix", self.prefix or "x"), *(("region", r) for r in self.regions)):
            if not _SAFE.fullmatch(value):
                raise VpcFlowError(f"invalid {name} {value!r}", hint="letters, digits, '-', '_', '.', '/' only")


def ident(name: str) -> str:
    """A column name for Athena DDL: backticked when Hive reserves it (as AWS's DDL does for `end`)."""
    return f"`{name}`" if name in _RESERVED or "-" in name else name


def column_type(f) -> str:
    return WIDENED.get(f.column) or {INT_32: "int", INT_64: "bigint"}.get(f.kind, "string")


def _location(spec: TableSpec) -> str:
    base = f"s3://{spec.bucket}/" + (spec.prefix.strip("/") + "/" if spec.prefix.strip("/") else "")
    if spec.layout == "lake":
        return base
    if spec.layout.startswith("hive"):
        return f"{base}AWSLogs/aws-account-id={spec.account}/aws-service=vpcflowlogs/"
    return f"{base}AWSLogs/{spec.account}/vpcflowlogs/"


def _partitions(spec: TableSpec) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Partition columns and projection properties for a layout."""
    regions = ",".join(spec.regions)
    start = spec.since_day
    if spec.layout == "lake":
        dash = start.replace("/", "-")
        return [("day", "string")], {
            "projection.day.type": "date", "projection.day.range": f"{dash},NOW",
            "projection.day.format": "yyyy-MM-dd", "projection.day.interval": "1",
            "projection.day.interval.unit": "DAYS"}
    if spec.layout in ("default", "per-hour"):
        # the partition is aws_region, not region: the v5 field `region` stays a column in its place
        cols = [("aws_region", "string"), ("day", "string")]
        props = {"projection.aws_region.type": "enum", "projection.aws_region.values": regions,
                 "projection.day.type": "date", "projection.day.range": f"{start},NOW",
                 "projection.day.format": "yyyy/MM/dd", "projection.day.interval": "1",
                 "projection.day.interval.unit": "DAYS"}
        template = "${aws_region}/${day}"
        if spec.layout == "per-hour":
            cols.append(("hour", "string"))
            props.update({"projection.hour.type": "integer", "projection.hour.range": "0,23",
                          "projection.hour.digits": "2"})
            template += "/${hour}"
        props["storage.location.template"] = _location(spec) + template + "/"
        return cols, props
    cols = [("aws_region", "string"), ("year", "string"), ("month", "string"), ("day", "string")]
    props = {"projection.aws_region.type": "enum", "projection.aws_region.values": regions,
             "projection.year.type": "integer", "projection.year.range": f"{start[:4]},2100",
             "projection.month.type": "integer", "projection.month.range": "1,12", "projection.month.digits": "2",
             "projection.day.type": "integer", "projection.day.range": "1,31", "projection.day.digits": "2"}
    template = "aws-region=${aws_region}/year=${year}/month=${month}/day=${day}"
    if spec.layout == "hive-per-hour":
        cols.append(("hour", "string"))
        props.update({"projection.hour.type": "integer", "projection.hour.range": "0,23",
                      "projection.hour.digits": "2"})
        template += "/hour=${hour}"
    props["storage.location.template"] = _location(spec) + template + "/"
    return cols, props


def create_table(spec: TableSpec) -> str:
    """CREATE EXTERNAL TABLE with partition projection for the layout."""
    spec.check()
    parts, props = _partitions(spec)
    clash = {name for name, _ in parts} & set(spec.log_format.columns)
    if clash:  # a text table's columns are positional: leaving a field out would shift every later column
        raise VpcFlowError(f"the format's field {sorted(clash)[0]!r} has a partition's name")
    cols = [f"  {ident(f.column)} {column_type(f)}" for f in spec.log_format.fields]
    lines = [f"CREATE EXTERNAL TABLE IF NOT EXISTS {spec.database}.{spec.table} (", ",\n".join(cols), ")",
             "PARTITIONED BY (" + ", ".join(f"{ident(n)} {t}" for n, t in parts) + ")"]
    if spec.file_format == "text":
        lines += ["ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '", "STORED AS TEXTFILE"]
        props = {"skip.header.line.count": "1", **props}
    else:
        lines += ["STORED AS PARQUET"]
        props = {"parquet.compression": "GZIP" if spec.layout != "lake" else "ZSTD", **props}
    lines.append(f"LOCATION '{_location(spec)}'")
    props = {"projection.enabled": "true", **props}
    lines.append("TBLPROPERTIES (\n" + ",\n".join(f"  '{k}' = '{v}'" for k, v in props.items()) + "\n)")
    return "\n".join(lines) + ";\n"
