"""What a reader hands to ingest: one source of records, with an identity that makes ingest exactly-once."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from ..fields import LogFormat
from .layouts import KeyInfo

TEXT = "text"
PARQUET = "parquet"


@dataclass
class Source:
    """One file, object or stream of flow-log records.

    `identity` names it (`/abs/path`, `s3://bucket/key`, `cwl://group/stream`) and `version` pins its content
    (a checksum, an ETag, the last event's token): the ledger keys on both, so the same content twice is a no-op.
    `opener` returns its raw bytes, gzip or not (ingest looks at the magic number). A Parquet source is read
    through `local_path` when it has one, else its bytes are spooled to a temporary file.
    `first_line` numbers its first line in what it was cut from (a CloudWatch piece: its first event's place).
    """

    identity: str
    opener: Callable[[], BinaryIO]
    size: int | None = None
    version: str | None = None
    kind: str = TEXT
    log_stream: str | None = None
    format: LogFormat | None = None  # known from outside (DescribeFlowLogs, --format); else told from the data
    key: KeyInfo = field(default_factory=KeyInfo)
    local_path: str | None = None
    first_line: int = 1
    whole: bool = False  # all of what `identity` names (a file): a new revision replaces the old one's rows

    def __str__(self) -> str:
        return self.identity

    @contextlib.contextmanager
    def local_file(self, suffix: str = ".parquet") -> Iterator[str]:
        """A path to its bytes: `local_path`, or a temporary copy (DuckDB reads Parquet from files) removed after."""
        if self.local_path is not None:
            yield self.local_path
            return
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as tmp, self.opener() as raw:
            shutil.copyfileobj(raw, tmp)
        try:
            yield tmp.name
        finally:
            os.unlink(tmp.name)


def failure(identity: str, exc: BaseException) -> str:
    """What a source that could not be read says: vpcflow's own error as it is, an OS error with the source."""
    from ..errors import VpcFlowError

    if isinstance(exc, VpcFlowError):
        return str(exc)
    return f"{identity}: cannot read: {getattr(exc, 'strerror', None) or exc}"
