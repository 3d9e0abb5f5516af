"""What a reader hands to ingest: one source of records, with an identity that makes ingest exactly-once."""

from __future__ import annotations

from collections.abc import Callable
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

    def __str__(self) -> str:
        return self.identity
