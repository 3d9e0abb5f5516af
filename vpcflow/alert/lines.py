"""Record lines for filtering, through the shared readers: local files and directories (plain, gzip, or a
Firehose ZIP or Snappy object), stdin, `s3://BUCKET/PREFIX` objects and `cwl://LOG_GROUP[/STREAM]` events;
header and blank lines are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from ..fields import BY_COLUMN, BY_NAME
from ..parse.chunks import LineReader
from ..sources.base import PARQUET, Source
from ..sources.local import resolve

FILTER_CHUNK = 1 << 20  # small batches: a filter on a pipe prints matches as they come


@dataclass(frozen=True)
class Line:
    """One record line and where it came from (1-based line number in the decompressed text)."""

    source: str
    line: int | None
    message: str


def is_header(text: str) -> bool:
    """An S3 header line: every token is a field name (`version account-id ...`)."""
    tokens = text.split()
    return bool(tokens) and all(t in BY_NAME or t in BY_COLUMN for t in tokens)


def sources_of(paths: list[str], session_factory: Callable[[], object] | None = None) -> Iterator[tuple[str, Source]]:
    """(name to show, Source) for each path: `-` is stdin, directories are walked, URIs go to the AWS readers."""
    session = None
    for p in paths:
        if p.startswith(("s3://", "cwl://")):
            if session_factory is None:
                raise SourceError("reading AWS sources needs an AWS session", location=p)
            from ..aws.sources import resolve as aws_resolve

            session = session or session_factory()
            for src in aws_resolve(p, session):
                yield src.identity, src
            continue
        if "://" in p:
            raise SourceError("not a source filter can read", location=p,
                              hint="give files, directories, '-', s3://BUCKET/PREFIX or cwl://LOG_GROUP[/STREAM]")
        given = str(Path(p).resolve()) if p != "-" else None
        for src in resolve(p):
            yield (p if src.identity == given else src.identity), src


def read_lines(paths: list[str], session_factory: Callable[[], object] | None = None) -> Iterator[Line]:
    """Every record line of the sources, as written (a CloudWatch event's timestamp is left off)."""
    for name, src in sources_of(paths, session_factory):
        if src.kind == PARQUET:
            raise SourceError("filter reads text records, not Parquet", location=name,
                              hint="ingest it and filter the store with --db")
        stamped = src.identity.startswith("cwl://")  # lines are `TIMESTAMP message`
        reader = LineReader(src.opener(), name, first_line=src.first_line, chunk=FILTER_CHUNK)
        number = src.first_line - 1
        for batch in reader:
            for number, text in enumerate(batch.lines.to_pylist(), batch.first_line):
                if stamped:
                    text = text.partition(" ")[2]
                if not text.strip() or is_header(text):
                    continue
                yield Line(name, number, text)
        if reader.truncated:
            raise SourceError(f"cannot read past line {number}: {reader.truncated}", location=name,
                              hint="the file may be truncated, or not in the compression its first bytes claim")
