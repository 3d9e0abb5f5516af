"""`cwl://LOG_GROUP[/STREAM]`: flow-log events from CloudWatch Logs, one Source per stream (interface).

The format comes from `--format` or from DescribeFlowLogs for the group. Streams are read in parallel with
GetLogEvents (each stream forward from `since`), throttling is retried with backoff by botocore's standard
mode, and each event becomes a line `2017-03-22T18:34:26.000Z <message>`: the parser keeps that timestamp as
`event_time`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import FormatError, VpcFlowError
from ..fields import LogFormat
from ..sources.base import TEXT, Source
from .errors import error_code, explain
from .plan import describe_flow_logs
from .prefetch import ordered_map, retry_body
from .session import AwsSession


@dataclass(frozen=True)
class StreamRead:
    data: bytes
    events: int
    last_timestamp: int | None


def split_uri(session: AwsSession, path: str) -> tuple[str, str]:
    """(group, stream prefix) from `GROUP[/STREAM]`; group names may hold '/', so ask which part exists."""
    path = path.strip()
    if not path:
        raise VpcFlowError("cwl:// needs a log group name", hint="use cwl://LOG_GROUP or cwl://LOG_GROUP/STREAM")
    if _group_exists(session, path):
        return path, ""
    group, _, stream = path.rpartition("/")
    if group and _group_exists(session, group):
        return group, stream
    raise VpcFlowError(
        f"log group {path!r} not found in {session.region}",
        location=f"cwl://{path}",
        hint="check the name (`aws logs describe-log-groups`) and --region",
    )


def _group_exists(session: AwsSession, name: str) -> bool:
    logs = session.client("logs")
    try:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
            if any(g["logGroupName"] == name for g in page["logGroups"]):
                return True
    except Exception as exc:
        if error_code(exc) == "InvalidParameterException":
            return False
        raise explain(exc, f"cwl://{name}", "logs:DescribeLogGroups") from exc
    return False


def group_format(session: AwsSession, group: str) -> LogFormat | None:
    """The LogFormat of the flow logs that deliver to the group; None when none does (any more)."""
    found = {
        fl.get("LogFormat") or ""
        for fl in describe_flow_logs(session, [{"Name": "log-group-name", "Values": [group]}])
        if fl.get("LogGroupName") == group
    }
    formats = {LogFormat.parse(f).log_format() if f else "default" for f in found}
    if len(formats) > 1:
        raise FormatError(
            f"flow logs with {len(formats)} different formats deliver to this group",
            location=f"cwl://{group}",
            hint="name the one to read with --format",
        )
    return LogFormat.parse(formats.pop()) if formats else None


def list_streams(
    session: AwsSession,
    group: str,
    prefix: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict]:
    logs = session.client("logs")
    kwargs = {"logGroupName": group, **({"logStreamNamePrefix": prefix} if prefix else {})}
    try:
        streams = [
            s for page in logs.get_paginator("describe_log_streams").paginate(**kwargs) for s in page["logStreams"]
        ]
    except Exception as exc:
        raise explain(exc, f"cwl://{group}", "logs:DescribeLogStreams") from exc
    lo, hi = _ms(since), _ms(until)
    # streams that ended before `since` or began after `until` hold nothing for us
    return [
        s
        for s in streams
        if not (lo is not None and s.get("lastEventTimestamp") is not None and s["lastEventTimestamp"] < lo)
        and not (hi is not None and s.get("firstEventTimestamp") is not None and s["firstEventTimestamp"] >= hi)
    ]


def _page(response: dict) -> dict:
    raw = response.get("RawBody")
    try:
        page = json.loads(raw) if raw is not None else response
    except ValueError as exc:
        raise ConnectionError(f"GetLogEvents answer is not JSON: {exc}") from exc
    if "events" not in page:  # a body cut short that still parsed
        raise ConnectionError("GetLogEvents answer without events")
    return page


def _ms(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp() * 1000)


def iso_ms(timestamp_ms: int) -> str:
    return (
        datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"
    )


def _keep_raw_events(operation_model, response_dict, customized_response_dict, **_) -> None:
    """Hand GetLogEvents' JSON over undecoded: json.loads is several times faster than botocore's walk over
    every event's shape, which dominated reading large streams."""
    if operation_model.name == "GetLogEvents" and response_dict.get("status_code") == 200:
        customized_response_dict["RawBody"] = response_dict["body"]
        response_dict["body"] = b"{}"


def _events_client(session: AwsSession):
    return session.client(
        "logs",
        variant="raw-events",
        # on the generic event, so it runs after the session's cut-body check (handlers run most specific first)
        setup=lambda c: c.meta.events.register("before-parse", _keep_raw_events),
    )


def read_stream(
    session: AwsSession, group: str, stream: str, since: datetime | None = None, until: datetime | None = None
) -> StreamRead:
    """Every event of the stream in [since, until), oldest first, as timestamped lines."""
    logs = _events_client(session)
    kwargs = {"logGroupName": group, "logStreamName": stream, "startFromHead": True, "limit": 10000}
    if since is not None:
        kwargs["startTime"] = _ms(since)
    if until is not None:
        kwargs["endTime"] = _ms(until)
    out, events, last, token = io.StringIO(), 0, None, None
    cache: dict[int, str] = {}  # flow-log timestamps repeat a lot: one conversion per second
    while True:
        call = dict(kwargs, **({"nextToken": token} if token else {}))
        try:
            page = retry_body(lambda call=call: _page(logs.get_log_events(**call)))
        except Exception as exc:
            raise explain(exc, f"cwl://{group}/{stream}", "logs:GetLogEvents") from exc
        for e in page["events"]:
            ts = e["timestamp"]
            stamp = cache.get(ts)
            if stamp is None:
                stamp = cache[ts] = iso_ms(ts)
            out.write(f"{stamp} {e['message'].rstrip()}\n")
            events += 1
            last = ts
        nxt = page.get("nextForwardToken")
        if not page["events"] or nxt is None or nxt == token:
            break
        token = nxt
    return StreamRead(out.getvalue().encode(), events, last)


def cwl_sources(
    session: AwsSession,
    path: str,
    since: datetime | None = None,
    until: datetime | None = None,
    format: LogFormat | None = None,
    *,
    workers: int = 8,
    window: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Source]:
    """One Source per stream of the group (or the streams whose names start with STREAM)."""
    group, prefix = split_uri(session, path)
    fmt = format or group_format(session, group)
    streams = list_streams(session, group, prefix, since, until)
    reads = ordered_map(
        lambda s: read_stream(session, group, s["logStreamName"], since, until),
        streams,
        workers=workers,
        window=window,
    )
    for stream, read in reads:
        if progress is not None:
            progress(1, len(read.data))
        if not read.events:
            continue
        name = stream["logStreamName"]
        yield Source(
            identity=f"cwl://{group}/{name}",
            opener=lambda data=read.data: io.BytesIO(data),
            size=len(read.data),
            version=f"{read.last_timestamp}/{read.events}" + (f"@{_ms(since)}" if since else ""),
            kind=TEXT,
            log_stream=name,
            format=fmt,
        )
