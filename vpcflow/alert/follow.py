"""What a follower follows: a growing directory or an S3 prefix, asked each poll for the sources it has not
taken in yet.

Both lean on the store's ledger: a source is new when its (identity, version) is not in it, so a follower
re-lists and never needs its own cursor. A file is expected to land whole (written elsewhere, then renamed
into place, as `aws s3 sync` does); a file that changes after it was taken in is a new version and is taken
in again, whole. `settle` holds back files modified within the last seconds, for writers that do not rename.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ..errors import SourceError
from ..fields import LogFormat
from ..sources.base import Source
from ..sources.local import resolve

Known = Callable[[str, str | None], bool]  # (identity, version) -> already taken in, or to be left alone


class Follower(Protocol):
    target: str

    def poll(self, known: Known) -> tuple[int, Iterator[Source]]:
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

    def poll(self, known: Known) -> tuple[int, Iterator[Source]]:
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

    def poll(self, known: Known) -> tuple[int, Iterator[Source]]:
        from urllib.parse import urlsplit

        from ..aws.s3_source import list_objects
        from ..aws.sources import resolve as aws_resolve

        parts = urlsplit(self.target)
        count = sum(
            1 for o in list_objects(self.session, parts.netloc, parts.path.lstrip("/"), self.since, None)
            if not known(o.identity, o.etag)
        )
        if not count:
            return 0, iter(())
        return count, iter(aws_resolve(self.target, self.session, self.since, None, self.format, seen=known))


def follower_for(target: str, *, session_factory: Callable[[], object] | None = None, settle: float = 0.0,
                 format: LogFormat | None = None, since: datetime | None = None) -> Follower:
    """The follower for a SOURCE argument: a directory, or s3://BUCKET/PREFIX."""
    if target.startswith("s3://"):
        if session_factory is None:
            raise SourceError("following S3 needs an AWS session", location=target)
        return S3Follower(target, session_factory(), format=format, since=since)
    if "://" in target:
        raise SourceError("watch follows a local directory or an s3:// prefix", location=target,
                          hint="CloudWatch Logs streams are not followed yet: export them to S3, or use "
                               "`vpcflow ingest cwl://...` on a schedule")
    return DirectoryFollower(target, settle=settle, since=since)
