"""`cwl://LOG_GROUP[/STREAM]`: flow-log events from CloudWatch Logs, one Source per span of a stream (interface).

The format comes from `--format` or from DescribeFlowLogs for the group. Streams are read in parallel with
GetLogEvents (each stream forward from `since`), throttling is retried with backoff by botocore's standard
mode, and each event becomes a line `2017-03-22T18:34:26.000Z <message>`: the parser keeps that timestamp as
`event_time`. A long stream is handed over in pieces of a few MB as it is paged through, each piece a span
of its own whose lines are numbered on from the pieces before it, and pieces are handed over as they come
from any stream. Spans of a stream the ledger already holds are not read again (see cwl_spans).
"""

from __future__ import annotations

import bisect
import io
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import botocore.exceptions
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import FormatError, VpcFlowError
from ..fields import LogFormat
from ..sources.base import TEXT, Source
from .cwl_spans import END_OF_TIME, Held, Span, gaps, held_spans, ms, revision, wanted
from .errors import aws_call
from .plan import describe_flow_logs
from .prefetch import as_emitted, retry_body
from .session import AwsSession

# a long stream is handed over in pieces of this much text: memory stays bounded, and storing its first
# pieces starts while the rest is still paged through
PIECE_BYTES = 4 << 20
QUEUED_PIECES = 16  # pieces read ahead of the store, from all streams together


@dataclass(frozen=True)
class Piece:
    """The events of one stream with a timestamp in [span), as timestamped lines."""

    stream: str
    span: Span
    data: bytes
    events: int
    first_event: int  # its first event's place (1-based) in the read_span that emitted it


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
    # a name AWS would never accept as a group is no group
    with aws_call("logs:DescribeLogGroups", f"cwl://{name}", tolerate={"InvalidParameterException"}):
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
            if any(g["logGroupName"] == name for g in page["logGroups"]):
                return True
    return False


def group_format(session: AwsSession, group: str) -> LogFormat | None:
    """The LogFormat of the flow logs that deliver to the group; None when none does (any more)."""
    found = {
        fl.get("LogFormat") or ""
        for fl in describe_flow_logs(session, [{"Name": "log-group-name", "Values": [group]}])
        if fl.get("LogGroupName") == group
    }
    formats = {LogFormat.parse(f, unknown="keep").log_format() if f else "default" for f in found}
    if len(formats) > 1:
        raise FormatError(
            f"flow logs with {len(formats)} different formats deliver to this group",
            location=f"cwl://{group}",
            hint="name the one to read with --format",
        )
    return LogFormat.parse(formats.pop(), unknown="keep") if formats else None


def list_streams(
    session: AwsSession,
    group: str,
    prefix: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict]:
    logs = session.client("logs")
    kwargs = {"logGroupName": group, **({"logStreamNamePrefix": prefix} if prefix else {})}
    with aws_call("logs:DescribeLogStreams", f"cwl://{group}"):
        streams = [
            s for page in logs.get_paginator("describe_log_streams").paginate(**kwargs) for s in page["logStreams"]
        ]
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
        raise botocore.exceptions.ResponseStreamingError(error=f"GetLogEvents answer is not JSON: {exc}") from exc
    if "events" not in page:  # a body cut short that still parsed
        raise botocore.exceptions.ResponseStreamingError(error="GetLogEvents answer without events")
    return page


def _ms(when: datetime | None) -> int | None:
    return ms(when)


def iso_ms(timestamp_ms: int) -> str:
    return (
        datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"
    )


def stamped_lines(timestamps: list[int], messages: list[str]) -> bytes:
    """`2017-03-22T18:34:26.000Z <message>\\n` per event, built in Arrow: formatting each event in Python
    dominated reading large streams."""
    if not timestamps:
        return b""
    naive = pc.cast(pa.array(timestamps, pa.timestamp("ms")), pa.string())  # '2017-03-22 18:34:26.000'
    iso = pc.replace_substring(naive, " ", "T", max_replacements=1)
    lines = pc.binary_join_element_wise(iso, "Z ", pa.array(messages, pa.string()), "\n", "")
    used = pc.sum(pc.binary_length(lines)).as_py()  # a fresh array: its lines sit back to back from 0
    return lines.buffers()[2][:used].to_pybytes()


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


def read_span(session: AwsSession, group: str, stream: str, span: Span, emit: Callable[[Piece], None],
              stop: threading.Event | None = None) -> None:
    """Every event of the stream with a timestamp in the span, oldest first, handed to `emit` in Pieces of
    about PIECE_BYTES of messages. Events sharing a timestamp stay in one piece, so the pieces' spans abut
    exactly and each is a ledger revision of its own."""
    logs = _events_client(session)
    lo, hi = span
    kwargs = {"logGroupName": group, "logStreamName": stream, "startFromHead": True, "limit": 10000}
    if lo > 0:
        kwargs["startTime"] = lo
    if hi < END_OF_TIME:
        kwargs["endTime"] = hi
    stamps: list[int] = []
    messages: list[str] = []
    size, token = 0, None
    first = 1  # the place in this read of the next piece's first event
    while stop is None or not stop.is_set():
        call = dict(kwargs, **({"nextToken": token} if token else {}))
        with aws_call("logs:GetLogEvents", f"cwl://{group}/{stream}"):
            page = retry_body(lambda call=call: _page(logs.get_log_events(**call)))
        events = page["events"]
        # endTime is exclusive in AWS; moto includes it, so the span's end is enforced here too
        if events and not (lo <= events[0]["timestamp"] and events[-1]["timestamp"] < hi):
            events = [e for e in events if lo <= e["timestamp"] < hi]
        stamps += [e["timestamp"] for e in events]
        got = [e["message"] for e in events]
        messages += got
        size += sum(map(len, got))
        while size >= PIECE_BYTES and (cut := _piece_end(stamps, messages, PIECE_BYTES)):
            emit(Piece(stream, (lo, stamps[cut]), stamped_lines(stamps[:cut], messages[:cut]), cut, first))
            lo, stamps, messages, first = stamps[cut], stamps[cut:], messages[cut:], first + cut
            size = sum(map(len, messages))
        nxt = page.get("nextForwardToken")
        # AWS's end of the stream: the token passed in comes back (an empty page alone is not the end)
        if nxt is None or nxt == token:
            if stamps:  # up to the last event read: later ones may still arrive
                emit(Piece(stream, (lo, stamps[-1] + 1), stamped_lines(stamps, messages), len(stamps), first))
            break
        token = nxt


def _piece_end(stamps: list[int], messages: list[str], piece_bytes: int) -> int:
    """Where a piece of about `piece_bytes` ends: between two timestamps, never inside the last timestamp's
    events (the next page may hold more of them); 0 when there is no such place yet."""
    cut = bisect.bisect_left(list(itertools.accumulate(map(len, messages))), piece_bytes) + 1
    while cut < len(stamps) and stamps[cut] == stamps[cut - 1]:
        cut += 1
    if cut < len(stamps):
        return cut
    cut = len(stamps) - 1  # the run reaches the end: end the piece before it instead
    while cut > 0 and stamps[cut - 1] == stamps[cut]:
        cut -= 1
    return cut


def cwl_sources(
    session: AwsSession,
    path: str,
    since: datetime | None = None,
    until: datetime | None = None,
    format: LogFormat | None = None,
    *,
    held: Held | None = None,
    workers: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Source]:
    """One Source per stream of the group (or the streams whose names start with STREAM) and span not yet held.

    `held(identity)` gives the ledger's revisions for a stream; the spans they name are not read again, so
    re-reading an overlapping time range adds only the events that are new.
    """
    group, prefix = split_uri(session, path)
    fmt = format or group_format(session, group)
    want = wanted(since, until)
    reads = [
        (stream["logStreamName"], gap)
        for stream in list_streams(session, group, prefix, since, until)
        for gap in gaps(want, held_spans(held, f"cwl://{group}/{stream['logStreamName']}"))
    ]
    read = lambda r, emit, stop: read_span(session, group, r[0], r[1], emit, stop)  # noqa: E731
    for piece in as_emitted(read, reads, workers=workers, queued=QUEUED_PIECES):
        if progress is not None:
            progress(1, len(piece.data))
        yield Source(
            identity=f"cwl://{group}/{piece.stream}",
            opener=lambda data=piece.data: io.BytesIO(data),
            size=len(piece.data),
            version=revision(piece.span, piece.events),
            kind=TEXT,
            log_stream=piece.stream,
            format=fmt,
            first_line=piece.first_event,  # one line per event: quarantined lines are numbered across the read
        )
