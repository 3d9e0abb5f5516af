"""What a follower follows: a growing directory, an S3 prefix or CloudWatch Logs streams, asked each poll for
the sources it has not taken in yet.

All lean on the store's ledger, which commits with the records: a file or object is new when its
(identity, version) is not in it, so those followers re-list and need no cursor of their own; a stream's
position is the newest version the ledger holds for it. A file is expected to land whole (written elsewhere, then renamed
into place, as `aws s3 sync` does); a file that changes after it was taken in is a new version and is taken
in again, whole. `settle` holds back files modified within the last seconds, for writers that do not rename.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ..errors import SourceError
from ..fields import LogFormat
from ..sources.base import TEXT, Source
from ..sources.local import resolve

Known = Callable[[str, str | None], bool]  # (identity, version) -> already taken in, or to be left alone
Ledger = Iterable[tuple[str, str | None]]  # every (identity, version) the store has taken in


class Follower(Protocol):
    target: str
    errors: list[SourceError]  # what the last poll could not list (a FIFO, a broken link), with its location

    def poll(self, known: Known, ledger: Ledger = ()) -> tuple[int, Iterator[Source]]:
        """How many new sources there are, and the sources, oldest name first."""
        ...


class DirectoryFollower:
    def __init__(self, path: str | Path, *, settle: float = 0.0, since: datetime | None = None):
        self.path = Path(path)
        if not self.path.is_dir():
            raise SourceError("not a directory", location=str(path), hint="follow a directory of flow-log files")
        self.target = str(self.path.resolve())
        self.settle = settle
        self.since = since
        self.errors: list[SourceError] = []

    def poll(self, known: Known, ledger: Ledger = ()) -> tuple[int, Iterator[Source]]:
        errors: list[SourceError] = []
        cutoff = time.time() - self.settle
        new = [
            s for s in resolve(str(self.path), self.since, None, errors)
            if not known(s.identity, s.version) and (self.settle <= 0 or _mtime(s) <= cutoff)
        ]
        self.errors = errors
        return len(new), iter(new)


def _mtime(src: Source) -> float:
    try:
        return os.stat(src.local_path).st_mtime if src.local_path else 0.0
    except OSError:
        return 0.0


class S3Follower:
    """New objects under an S3 prefix; each poll lists (pruned by `since`) and downloads only what is new."""

    def __init__(self, uri: str, session, *, format: LogFormat | None = None, since: datetime | None = None):
        from ..aws.sources import handles

        if not (handles(uri) and uri.startswith("s3://")):
            raise SourceError("not an s3:// URI", location=uri, hint="use s3://BUCKET/PREFIX")
        self.target = uri
        self.session = session
        self.format = format
        self.since = since
        self.errors: list[SourceError] = []

    def poll(self, known: Known, ledger: Ledger = ()) -> tuple[int, Iterator[Source]]:
        from urllib.parse import urlsplit

        from ..aws.s3_source import list_objects, object_sources

        parts = urlsplit(self.target)
        # one listing both counts and feeds the downloads: listing twice cost a second ListObjectsV2 walk per poll
        # and could count objects the second listing no longer had (or miss ones it added)
        new = [o for o in list_objects(self.session, parts.netloc, parts.path.lstrip("/"), self.since, None)
               if not known(o.identity, o.etag)]
        if not new:
            return 0, iter(())
        return len(new), object_sources(self.session, new, self.format)


class CwlFollower:
    """New events of the streams of a log group (or of the streams whose names start with STREAM).

    Each poll reads every stream forward from its position, the (timestamp, count at that timestamp) of the
    last event taken in, kept as the version of the stream's newest ledger row; the events new since become
    one Source. CloudWatch's lastEventTimestamp lags by up to an hour, so every stream is read each poll.
    An event put later with a timestamp older than the stream's position is not seen.
    """

    def __init__(self, uri: str, session, *, format: LogFormat | None = None, since: datetime | None = None,
                 workers: int = 8):
        if not uri.startswith("cwl://"):
            raise SourceError("not a cwl:// URI", location=uri, hint="use cwl://LOG_GROUP[/STREAM]")
        self.target = uri
        self.session = session
        self.format = format
        self.since = since
        self.workers = workers
        self.errors: list[SourceError] = []
        self._group: tuple[str, str, LogFormat | None] | None = None

    def _resolve(self) -> tuple[str, str, LogFormat | None]:
        if self._group is None:
            from ..aws.cwl_source import group_format, split_uri

            group, prefix = split_uri(self.session, self.target[len("cwl://"):])
            self._group = (group, prefix, self.format or group_format(self.session, group))
        return self._group

    def positions(self, group: str, ledger: Ledger) -> dict[str, tuple[int, int]]:
        """Each stream's (last timestamp in ms, events taken at it), from the ledger's versions."""
        head = f"cwl://{group}/"
        out: dict[str, tuple[int, int]] = {}
        for identity, version in ledger:
            if identity.startswith(head) and version and "+" in version:
                ts, _, n = version.partition("+")
                if ts.isdigit() and n.isdigit():
                    stream = identity[len(head):]
                    out[stream] = max(out.get(stream, (0, 0)), (int(ts), int(n)))
        return out

    def poll(self, known: Known, ledger: Ledger = ()) -> tuple[int, Iterator[Source]]:
        from ..aws.cwl_source import list_streams
        from ..aws.prefetch import ordered_map

        group, prefix, fmt = self._resolve()
        at = self.positions(group, ledger)
        floor = None if self.since is None else int(self.since.timestamp() * 1000)
        streams = [s["logStreamName"] for s in list_streams(self.session, group, prefix)]
        reads = ordered_map(lambda name: self._read(group, name, at.get(name), floor), streams,
                            workers=self.workers, window=self.workers * 2)
        new = []
        for name, (data, version) in reads:
            identity = f"cwl://{group}/{name}"
            if data and not known(identity, version):
                new.append(Source(identity=identity, opener=lambda data=data: io.BytesIO(data), size=len(data),
                                  version=version, kind=TEXT, log_stream=name, format=fmt))
        return len(new), iter(new)

    def _read(self, group: str, stream: str, position: tuple[int, int] | None,
              floor: int | None) -> tuple[bytes, str | None]:
        """The stream's events after `position`, as timestamped lines, and the position after them."""
        from ..aws.cwl_source import iso_ms
        from ..aws.errors import aws_call
        from ..aws.prefetch import retry_body

        logs = self.session.client("logs")
        last, count = position or (floor or 0, 0)
        skip = count  # events at `last` already taken in
        kwargs = {"logGroupName": group, "logStreamName": stream, "startFromHead": True, "startTime": last}
        out, token = io.StringIO(), None
        while True:
            call = dict(kwargs, **({"nextToken": token} if token else {}))
            with aws_call("logs:GetLogEvents", f"cwl://{group}/{stream}"):
                page = retry_body(lambda call=call: logs.get_log_events(**call))
            for e in page["events"]:
                ts = e["timestamp"]
                if ts == last and skip:
                    skip -= 1
                    continue
                count = count + 1 if ts == last else 1
                last = ts
                out.write(f"{iso_ms(ts)} {e['message'].rstrip()}\n")
            nxt = page.get("nextForwardToken")
            if not page["events"] or nxt is None or nxt == token:
                break
            token = nxt
        data = out.getvalue().encode()
        return data, (f"{last}+{count}" if data else None)


def follower_for(target: str, *, session_factory: Callable[[], object] | None = None, settle: float = 0.0,
                 format: LogFormat | None = None, since: datetime | None = None) -> Follower:
    """The follower for a SOURCE argument: a directory, s3://BUCKET/PREFIX or cwl://LOG_GROUP[/STREAM]."""
    if target.startswith("s3://"):
        if session_factory is None:
            raise SourceError("following S3 needs an AWS session", location=target)
        return S3Follower(target, session_factory(), format=format, since=since)
    if target.startswith("cwl://"):
        if session_factory is None:
            raise SourceError("following CloudWatch Logs needs an AWS session", location=target)
        return CwlFollower(target, session_factory(), format=format, since=since)
    if "://" in target:
        raise SourceError("watch follows a directory, s3://BUCKET/PREFIX or cwl://LOG_GROUP[/STREAM]",
                          location=target)
    return DirectoryFollower(target, settle=settle, since=since)
