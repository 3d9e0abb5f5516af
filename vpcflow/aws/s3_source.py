"""`s3://BUCKET/PREFIX`: flow-log objects in any of AWS's key layouts, or a Firehose destination, as Sources.

A PREFIX that is an object's whole key names that object; otherwise it is a folder. One that holds no flow-log
object is an error for read and ingest (list_objects itself, which watch polls, just gives nothing).

A prefix of up to 1,000 keys is listed in one call. A larger one is walked one folder level at a time
(Delimiter '/'), descending only into folders whose date (and hour) may hold records in [since, until), so a
year of logs is not listed to read an hour. Objects download
in parallel, ahead of the consumer; a Source is identified by `s3://bucket/key` and versioned by its ETag.
Firehose's objects carry no header: their format is `--format`, else the one of the flow log that delivers to
that stream (DescribeFlowLogs), else told from the lines.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime

import botocore.exceptions

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..sources import firehose
from ..sources.base import PARQUET, TEXT, Source
from ..sources.layouts import KeyInfo, parse_key
from .errors import aws_call
from .plan import describe_flow_logs
from .prefetch import ordered_map, retry_body
from .request import FIREHOSE
from .s3_get import SignedGetter
from .session import AwsSession

WHOLE_LISTING = 1000  # keys in one ListObjectsV2 answer (S3's most): a prefix that fits is not walked
_SUFFIXES = (".log.gz", ".log.parquet", ".gz", ".parquet", ".log", ".txt")
# year and month folders carry no day, which KeyInfo needs; prune them by month here
# (identity, ETag) pairs listed -> those of them a ledger holds, skipped before they are downloaded
Seen = Callable[[list[tuple[str, str]]], Collection[tuple[str, str]]]
_MONTH = re.compile(r"(?:^|/)(?:year=)?(\d{4})/(?:month=)?(\d{2})/$")
_YEAR = re.compile(r"(?:^|/)(?:year=)?(\d{4})/$")


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    etag: str
    size: int

    @property
    def identity(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def _is_flow_log(key: str) -> bool:
    return key.endswith(_SUFFIXES) or firehose.is_firehose_object(key)


def _flow_logs(bucket: str, page: dict) -> list[S3Object]:
    """The flow-log objects of one ListObjectsV2 answer."""
    return [
        S3Object(bucket, o["Key"], o["ETag"].strip('"'), o["Size"]) for o in page.get("Contents", []) if _is_flow_log(o["Key"])
    ]


def key_info(key: str) -> KeyInfo:
    return firehose.key_info(key) or parse_key(key)


def _folder_may_hold(prefix: str, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    if not firehose.may_hold(prefix, since, until):
        return False
    m = _MONTH.search(prefix)
    if m and _looks_like_date_folder(prefix):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            return True
        lo = datetime(y, mo, 1, tzinfo=UTC)
        hi = datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=UTC)
        return _overlaps(lo, hi, since, until)
    y = _YEAR.search(prefix)
    if y and _looks_like_date_folder(prefix) and parse_key(prefix).day is None:
        year = int(y[1])
        return _overlaps(datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC), since, until)
    return parse_key(prefix).may_hold(since, until)


def _looks_like_date_folder(prefix: str) -> bool:
    return "/vpcflowlogs/" in prefix or "aws-region=" in prefix


def _overlaps(lo: datetime, hi: datetime, since: datetime | None, until: datetime | None) -> bool:
    margin = 3600  # a record is filed by its window's end; keep an hour either side, as KeyInfo.may_hold does
    if since is not None and hi.timestamp() + margin <= since.timestamp():
        return False
    return not (until is not None and lo.timestamp() - margin >= until.timestamp())


def list_objects(
    session: AwsSession,
    bucket: str,
    prefix: str,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    workers: int = 8,
) -> Iterator[S3Object]:
    """Every flow-log object under the prefix that may hold records in [since, until), folders in parallel;
    a prefix that is an object's whole key is that object alone, whatever its name or date (as a named file is)."""
    for listed in listed_objects(session, bucket, prefix, since, until, workers=workers):
        yield from listed


def listed_objects(
    session: AwsSession,
    bucket: str,
    prefix: str,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    workers: int = 8,
) -> Iterator[list[S3Object]]:
    """list_objects, one list per listing answer (per folder when the prefix is walked), so a caller can look
    up a whole answer's objects at once."""
    s3 = session.client("s3")
    if prefix and not prefix.endswith("/") and (named := _object_named(s3, bucket, prefix)) is not None:
        yield [named]
        return
    start = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def list_folder(folder: str) -> tuple[list[S3Object], list[str]]:
        objects, folders = [], []
        with aws_call("s3:ListBucket", f"s3://{bucket}/{folder}"):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder, Delimiter="/"):
                folders += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
                objects += _flow_logs(bucket, page)
        return objects, folders

    # a small prefix comes whole in one answer, where the walk would list level after level
    with aws_call("s3:ListBucket", f"s3://{bucket}/{start}"):
        first = s3.list_objects_v2(Bucket=bucket, Prefix=start, MaxKeys=WHOLE_LISTING)
    if not first.get("IsTruncated"):
        yield _in_window(_flow_logs(bucket, first), since, until)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vpcflow-list") as pool:
        running = {pool.submit(list_folder, start)}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=id):
                objects, folders = fut.result()
                yield _in_window(sorted(objects, key=lambda o: o.key), since, until)
                running |= {pool.submit(list_folder, f) for f in folders if _folder_may_hold(f, since, until)}


def _in_window(objects: list[S3Object], since: datetime | None, until: datetime | None) -> list[S3Object]:
    """The objects whose keys may hold records in [since, until); with no window no key is parsed for its date."""
    if since is None and until is None:
        return objects
    return [o for o in objects if key_info(o.key).may_hold(since, until)]


def _object_named(s3, bucket: str, key: str) -> S3Object | None:
    """The object whose key is exactly `key`, if any: it is the first key listed under itself as a prefix."""
    with aws_call("s3:ListBucket", f"s3://{bucket}/{key}"):
        first = s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1).get("Contents", [])
    if not first or first[0]["Key"] != key:
        return None
    return S3Object(bucket, key, first[0]["ETag"].strip('"'), first[0]["Size"])


def _nothing_found(session: AwsSession, bucket: str, prefix: str) -> VpcFlowError | None:
    """Why a listing that gave no object is an error, or None when the prefix does hold flow logs (outside the
    window): an S3 prefix exists only through its keys, so one that holds none is a wrong name, not an empty folder."""
    start = prefix.strip("/") + "/" if prefix.strip("/") else ""
    where = f"s3://{bucket}/{start}"
    with aws_call("s3:ListBucket", where):
        first = session.client("s3").list_objects_v2(Bucket=bucket, Prefix=start, MaxKeys=WHOLE_LISTING)
    keys = [o["Key"] for o in first.get("Contents", [])]
    hint = f"check the bucket and prefix: aws s3 ls {where}; a flow log's objects appear under AWSLogs/ once it delivers"
    if not keys:
        return VpcFlowError("no object has this key, and none is under it", location=where, hint=hint)
    if not first.get("IsTruncated") and not any(_is_flow_log(k) for k in keys):
        return VpcFlowError(f"none of the {len(keys)} object(s) under it is a flow-log file ({', '.join(_SUFFIXES)})",
                            location=where, hint=hint)
    return None


def _or_nothing_found(listed: Iterator[list[S3Object]], session: AwsSession, bucket: str,
                      prefix: str) -> Iterator[list[S3Object]]:
    """The listing's answers; no object at all raises, located: a one-shot read or ingest of a name that holds
    nothing says so."""
    found = False
    for objects in listed:
        found = found or bool(objects)
        yield objects
    if not found and (error := _nothing_found(session, bucket, prefix)) is not None:
        raise error


def _unseen(listed: Iterator[list[S3Object]], seen: Seen | None) -> Iterator[S3Object]:
    """The listed objects less those `seen` holds, asked once per listing answer."""
    for objects in listed:
        held = seen([(o.identity, o.etag) for o in objects]) if seen is not None and objects else ()
        yield from (o for o in objects if (o.identity, o.etag) not in held)


def download(session: AwsSession, obj: S3Object, fast: SignedGetter | None = None) -> bytes:
    """The object's bytes, at the listed ETag; a dropped connection mid-body is read again. With `fast`, a
    header-signed GET (s3_get) is tried first, and whatever it does not answer whole goes through GetObject."""
    if fast is not None and (body := fast.get(obj.bucket, obj.key, obj.etag)) is not None:
        return body
    s3 = session.client("s3")

    def fetch() -> bytes:
        response = s3.get_object(Bucket=obj.bucket, Key=obj.key, IfMatch=f'"{obj.etag}"')
        data = response["Body"].read()
        expected = response.get("ContentLength", len(data))
        if len(data) != expected:
            raise botocore.exceptions.IncompleteReadError(actual_bytes=len(data), expected_bytes=expected)
        return data

    with aws_call("s3:GetObject", obj.identity):
        return retry_body(fetch)


def s3_sources(
    session: AwsSession,
    bucket: str,
    prefix: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    format: LogFormat | None = None,
    *,
    seen: Seen | None = None,
    workers: int = 16,
    window: int = 256,
    budget: int = 256 << 20,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Source]:
    """One Source per flow-log object (or the one object the prefix names); `seen` skips what the ledger already
    holds, asked once per listing answer. A prefix that holds no flow-log object raises VpcFlowError."""
    listed = _or_nothing_found(listed_objects(session, bucket, prefix, since, until), session, bucket, prefix)
    yield from object_sources(session, _unseen(listed, seen), format, workers=workers, window=window,
                              budget=budget, progress=progress)


def object_sources(
    session: AwsSession,
    objects: Iterable[S3Object],
    format: LogFormat | None = None,
    *,
    workers: int = 16,
    window: int = 256,
    budget: int = 256 << 20,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Source]:
    """One Source per listed object, downloaded in parallel ahead of the consumer and handed over in order:
    for a caller that listed already (a follower counts what is new, then takes it, on one listing)."""
    delivered_by = _firehose_formats(session) if format is None else None
    fast = SignedGetter(session)
    downloads = ordered_map(
        lambda o: download(session, o, fast), objects, workers=workers, window=window, cost=lambda o: o.size, budget=budget
    )
    for obj, data in downloads:
        if progress is not None:
            progress(1, len(data))
        yield Source(
            identity=obj.identity,
            opener=lambda data=data: io.BytesIO(data),
            size=obj.size,
            version=obj.etag,
            kind=PARQUET if obj.key.endswith(".parquet") else TEXT,
            format=format or (delivered_by(firehose.stream_of(obj.key)) if delivered_by else None),
            key=key_info(obj.key),
            whole=True,  # an object is written whole: one rewritten under its key (a new ETag) replaces its rows
        )


def _firehose_formats(session: AwsSession) -> Callable[[str | None], LogFormat | None]:
    """The format of the flow log delivering to a Firehose stream, asked once on the first Firehose object."""
    formats: dict[str, LogFormat] | None = None

    def format_of(stream: str | None) -> LogFormat | None:
        nonlocal formats
        if stream is None:
            return None
        if formats is None:
            formats = {}
            try:
                flow_logs = describe_flow_logs(session)
            except VpcFlowError:  # reading S3 needs no EC2 permission: then --format or the lines tell
                flow_logs = []
            for fl in flow_logs:
                name = (fl.get("LogDestination") or "").rpartition(":deliverystream/")[2]
                if fl.get("LogDestinationType") == FIREHOSE and name and fl.get("LogFormat"):
                    formats.setdefault(name, LogFormat.parse(fl["LogFormat"], unknown="keep"))
        return formats.get(stream)

    return format_of
