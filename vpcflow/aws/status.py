"""`vpcflow aws status`: the account's flow logs, their delivery health, and what vpcflow can do with each."""

from __future__ import annotations

from typing import Any

from ..errors import FormatError
from ..fields import DEFAULT, LogFormat
from . import policies as P
from .analyses import coverage
from .plan import describe_flow_logs, options_tag, tags_of
from .session import AwsSession


def destination_uri(fl: dict) -> str:
    kind = fl.get("LogDestinationType", "cloud-watch-logs")
    if kind == "cloud-watch-logs":
        group = fl.get("LogGroupName") or (fl.get("LogDestination") or "").split(":log-group:", 1)[-1]
        return f"cloudwatch://{group.removesuffix(':*')}"
    if kind == "s3":
        return "s3://" + (fl.get("LogDestination") or "").split(":::", 1)[-1].rstrip("/")
    return "firehose://" + (fl.get("LogDestination") or "")


def status(session: AwsSession) -> list[dict[str, Any]]:
    """One row per flow log: resource, destination, format, interval, delivery, and analyses it can feed."""
    rows = []
    for fl in describe_flow_logs(session):
        try:
            fmt = LogFormat.parse(fl["LogFormat"], unknown="keep") if fl.get("LogFormat") else DEFAULT
            fields_note = ""
        except FormatError as exc:
            fmt, fields_note = LogFormat(()), str(exc)
        interval = int(fl.get("MaxAggregationInterval") or 600)
        can, cannot = coverage(fmt, interval)
        tags = tags_of(fl)
        options = fl.get("DestinationOptions")
        rows.append(
            {
                "flow_log_id": fl.get("FlowLogId"),
                "resource": fl.get("ResourceId"),
                "traffic_type": fl.get("TrafficType"),
                "destination": destination_uri(fl),
                "file_format": (options_tag(options) if options else tags.get(P.OPTIONS_TAG))
                if fl.get("LogDestinationType") == "s3"
                else None,
                "format": fl.get("LogFormat") or DEFAULT.log_format(),
                "version": fmt.version if fmt.fields else None,
                "interval": interval,
                "delivery_status": fl.get("DeliverLogsStatus"),
                "error": fl.get("DeliverLogsErrorMessage") or fields_note or None,
                "managed_by_vpcflow": tags.get(P.MANAGED_TAG) == "true",
                "analyses_ok": can,
                "analyses_not": [f"{name}: {why}" for name, why in cannot.items()],
            }
        )
    return rows
