"""Record lines from local files for filtering: plain or gzip, directories walked, header lines skipped.

A stopgap reader owned by alerts; once the shared readers in vpcflow/sources and vpcflow/parse are settled,
`filter` can take their Sources instead.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from ..fields import BY_COLUMN, BY_NAME

_GZIP_MAGIC = b"\x1f\x8b"


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


def files_of(paths: list[str]) -> Iterator[Path | None]:
    """Each file to read, directories walked in name order; None stands for stdin (`-`)."""
    for p in paths:
        if p == "-":
            yield None
            continue
        if "://" in p:
            raise SourceError("filter reads local files and the store (--db) for now",
                              location=p, hint="download the objects first, or ingest them and use --db")
        path = Path(p)
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif path.is_file():
            yield path
        else:
            raise SourceError("no such file or directory", location=p)


def read_lines(paths: list[str]) -> Iterator[Line]:
    """Every record line of the files, with header lines and blank lines left out."""
    for path in files_of(paths):
        name = "stdin" if path is None else str(path)
        raw = sys.stdin.buffer if path is None else open(path, "rb")
        try:
            yield from _lines_of(raw, name)
        finally:
            if path is not None:
                raw.close()


def _lines_of(raw, name: str) -> Iterator[Line]:
    buffered = io.BufferedReader(raw) if not hasattr(raw, "peek") else raw
    stream = gzip.GzipFile(fileobj=buffered) if buffered.peek(2)[:2] == _GZIP_MAGIC else buffered
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
    number = 0
    try:
        for number, line in enumerate(text, 1):  # noqa: B007  (number is reported on error)
            line = line.rstrip("\r\n")
            if not line.strip() or is_header(line):
                continue
            yield Line(name, number, line)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise SourceError(f"cannot read past line {number}: {exc}", location=name,
                          hint="the file may be truncated or not gzip") from exc
