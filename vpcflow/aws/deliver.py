"""Deliver rendered flow-log records through the AWS API, as the service itself would.

CloudWatch Logs: one stream per interface (`<eni-id>-all`), event timestamp = the record's start, PutLogEvents
in chronological batches within AWS's limits (10,000 events, 1,048,576 bytes counting 26 bytes per event, a
24-hour span). CloudWatch refuses events older than 14 days (or the retention) and more than 2 hours ahead, so
old data is shifted, all records by the same offset, to end just before now (start/end in the text too).

S3: 5-minute objects of all interfaces under AWS's keys, gzip text with a header line or Parquet.
"""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..fields import DEFAULT, INT_32, INT_64, LogFormat
from ..sources.layouts import key_for, parse_key
from .errors import AwsError, aws_call
from .session import AwsSession

MAX_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_SPAN_MS = 24 * 3600 * 1000
MAX_AGE_MS = 14 * 86400 * 1000  # older events are rejected (tooOldLogEventEndIndex)


@dataclass(frozen=True)
class Rendered:
    """One record as AWS writes it: its text line, its start (event timestamp) and end, in Unix seconds."""

    interface_id: str
    start: int
    end: int
    line: str


def batches(events: list[tuple[int, str]]) -> Iterable[list[tuple[int, str]]]:
    """Chronological PutLogEvents batches, each within the event, byte and 24-hour limits."""
    events = sorted(events, key=lambda e: e[0])
    batch: list[tuple[int, str]] = []
    size = 0
    for ts, message in events:
        cost = len(message.encode()) + EVENT_OVERHEAD
        if batch and (len(batch) >= MAX_EVENTS or size + cost > MAX_BATCH_BYTES or ts - batch[0][0] >= MAX_SPAN_MS):
            yield batch
            batch, size = [], 0
        batch.append((ts, message))
        size += cost
    if batch:
        yield batch


def shift_for(starts: Iterable[int], ends: Iterable[int], now: float, keep_recent_ms: int = 3600_000) -> int:
    """Seconds to add so the data is recent enough for CloudWatch; 0 when it already is."""
    first, last = min(starts, default=None), max(ends, default=None)
    if first is None or last is None:
        return 0
    now_ms = int(now * 1000)
    if first * 1000 > now_ms - MAX_AGE_MS + keep_recent_ms and last * 1000 <= now_ms + 3600_000:
        return 0
    return int(now - 300) - last  # the newest record ends five minutes ago


def shift_line(line: str, seconds: int, start_at: int | None, end_at: int | None) -> str:
    if not seconds or (start_at is None and end_at is None):
        return line
    tokens = line.split(" ")
    for i in (start_at, end_at):
        if i is not None and i < len(tokens) and tokens[i].isdigit():
            tokens[i] = str(int(tokens[i]) + seconds)
    return " ".join(tokens)


class CloudWatchApiWriter:
    """Collects records per interface, then writes them with PutLogEvents on close()."""

    def __init__(
        self,
        session: AwsSession,
        log_group: str,
        *,
        format: LogFormat = DEFAULT,
        traffic_type: str = "ALL",
        shift: bool = True,
        create_group: bool = True,
        workers: int = 8,
        now: float | None = None,
    ):
        self.session, self.log_group, self.format = session, log_group, format
        self.suffix = {"ALL": "all", "ACCEPT": "accept", "REJECT": "reject"}[traffic_type]
        self.shift, self.create_group, self.workers = shift, create_group, workers
        self.now = now
        self.pending: dict[str, list[Rendered]] = {}
        self.events = 0
        self.batches = 0
        self.shifted_by = 0

    def write(self, records: Iterable[Rendered]) -> None:
        for r in records:
            self.pending.setdefault(self.stream_name(r.interface_id), []).append(r)

    def write_stream(self, stream: str, records: Iterable[Rendered]) -> None:
        """Records for a stream named by the caller (a replayed export keeps its stream names)."""
        self.pending.setdefault(stream, []).extend(records)

    def stream_name(self, interface_id: str) -> str:
        return f"{interface_id}-{self.suffix}"

    def close(self) -> None:
        logs = self.session.client("logs")
        if self.create_group:
            with aws_call("logs:CreateLogGroup", f"cwl://{self.log_group}", tolerate={"ResourceAlreadyExistsException"}):
                logs.create_log_group(logGroupName=self.log_group)
        everything = [r for rs in self.pending.values() for r in rs]
        now = self.now if self.now is not None else time.time()
        self.shifted_by = (
            shift_for((r.start for r in everything), (r.end for r in everything), now) if self.shift else 0
        )
        cols = self.format.names
        start_at = cols.index("start") if "start" in cols else None
        end_at = cols.index("end") if "end" in cols else None
        jobs = {
            stream: [
                ((r.start + self.shifted_by) * 1000, shift_line(r.line, self.shifted_by, start_at, end_at)) for r in rs
            ]
            for stream, rs in sorted(self.pending.items())
        }
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for done in pool.map(lambda item: self._put_stream(*item), jobs.items()):
                self.events += done[0]
                self.batches += done[1]
        self.pending.clear()

    def _put_stream(self, stream: str, events: list[tuple[int, str]]) -> tuple[int, int]:
        logs = self.session.client("logs")
        where = f"cwl://{self.log_group}/{stream}"
        with aws_call("logs:CreateLogStream", where, tolerate={"ResourceAlreadyExistsException"}):
            logs.create_log_stream(logGroupName=self.log_group, logStreamName=stream)
        written = count = 0
        for batch in batches(events):
            with aws_call("logs:PutLogEvents", where):
                response = logs.put_log_events(
                    logGroupName=self.log_group,
                    logStreamName=stream,
                    logEvents=[{"timestamp": ts, "message": m} for ts, m in batch],
                )
            rejected = response.get("rejectedLogEventsInfo")
            if rejected:
                raise AwsError(
                    f"CloudWatch Logs rejected events: {rejected}",
                    location=where,
                    hint="events older than 14 days or the retention, or more than 2 hours ahead",
                )
            written += len(batch)
            count += 1
        return written, count


class S3ApiWriter:
    """Groups records into 5-minute objects by their end time and puts them under AWS's keys."""

    def __init__(
        self,
        session: AwsSession,
        bucket: str,
        flow_log_id: str,
        *,
        account: str,
        region: str,
        format: LogFormat = DEFAULT,
        prefix: str = "",
        hive: bool = False,
        per_hour: bool = False,
        parquet: bool = False,
        workers: int = 8,
    ):
        self.session, self.bucket, self.flow_log_id = session, bucket, flow_log_id
        self.account, self.region, self.format = account, region, format
        self.prefix, self.hive, self.per_hour, self.parquet, self.workers = (
            prefix,
            hive,
            per_hour,
            parquet,
            workers,
        )
        self.pending: dict[int, list[str]] = {}
        self.keys: list[str] = []

    def write(self, records: Iterable[Rendered]) -> None:
        for r in records:
            self.pending.setdefault(r.end // 300 * 300, []).append(r.line)

    def body(self, lines: list[str]) -> bytes:
        if not self.parquet:
            text = self.format.header() + "\n" + "".join(line + "\n" for line in lines)
            return gzip.compress(text.encode(), compresslevel=1, mtime=0)
        out = io.BytesIO()
        pq.write_table(lines_to_table(lines, self.format), out, compression="gzip")
        return out.getvalue()

    def key(self, label: int, lines: list[str]) -> str:
        import hashlib

        digest = hashlib.sha256(f"{self.flow_log_id}/{label}/{len(lines)}".encode()).hexdigest()[:8]
        return key_for(
            self.account,
            self.region,
            self.flow_log_id,
            datetime.fromtimestamp(label, UTC),
            digest,
            hive=self.hive,
            per_hour=self.per_hour,
            prefix=self.prefix,
            parquet=self.parquet,
        )

    def close(self) -> None:
        s3 = self.session.client("s3")

        def put(item: tuple[int, list[str]]) -> str:
            key = self.key(*item)
            body = self.body(item[1])
            with aws_call("s3:PutObject", f"s3://{self.bucket}/{key}"):
                s3.put_object(Bucket=self.bucket, Key=key, Body=body)
            return key

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            self.keys += pool.map(put, sorted(self.pending.items()))
        self.pending.clear()


def lines_to_table(lines: list[str], fmt: LogFormat) -> pa.Table:
    """Text records as AWS's Parquet columns: typed, `-` as null."""
    columns = list(zip(*(line.split() for line in lines), strict=False)) if lines else [()] * len(fmt)
    arrays = []
    for f, values in zip(fmt.fields, columns, strict=True):
        if f.kind in (INT_32, INT_64):
            arrays.append(
                pa.array(
                    [None if v == "-" else int(v) for v in values],
                    type=pa.int32() if f.kind == INT_32 else pa.int64(),
                )
            )
        else:
            arrays.append(pa.array([None if v == "-" else v for v in values], type=pa.string()))
    return pa.Table.from_arrays(arrays, names=fmt.columns)


def upload_tree(session: AwsSession, root: Path, bucket: str, *, workers: int = 8) -> list[str]:
    """Put every flow-log file under `root` (a local delivery with AWS's keys) at the same key in the bucket."""
    s3 = session.client("s3")
    root = Path(root)
    files = sorted(p for p in root.rglob("*") if p.is_file() and parse_key(p.relative_to(root).as_posix()).flow_log_id)

    def put(path: Path) -> str:
        key = path.relative_to(root).as_posix()
        # PutObject, not upload_file: s3transfer wraps botocore's errors in its own
        with aws_call("s3:PutObject", f"s3://{bucket}/{key}"), path.open("rb") as body:
            s3.put_object(Bucket=bucket, Key=key, Body=body)
        return key

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(put, files))


def replay_cloudwatch_export(
    session: AwsSession,
    root: Path,
    log_group: str,
    *,
    format: LogFormat = DEFAULT,
    shift: bool = True,
    now: float | None = None,
) -> CloudWatchApiWriter:
    """PutLogEvents for a CloudWatch Logs export laid out locally (`<stream>/*.gz`, lines `ISO-time message`)."""
    writer = CloudWatchApiWriter(session, log_group, format=format, shift=shift, now=now)
    for stream_dir in sorted({p.parent for p in Path(root).rglob("*.gz")}):
        events = []
        for path in sorted(stream_dir.glob("*.gz")):
            with gzip.open(path, "rt") as lines:
                for line in lines:
                    stamp, _, message = line.rstrip("\n").partition(" ")
                    start = int(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp())
                    events.append(Rendered(stream_dir.name, start, start, message))
        writer.write_stream(stream_dir.name, events)
    writer.close()
    return writer

