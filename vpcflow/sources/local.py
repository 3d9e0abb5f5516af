"""Local files, directories (recursive, flow-log bucket layouts recognised) and stdin, as Sources."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ..errors import SourceError
from . import firehose
from .base import PARQUET, TEXT, Source
from .layouts import parse_key

SUFFIXES = (".log", ".txt", ".gz", ".parquet")
_STREAM = re.compile(r"^eni-[0-9a-f]+-(all|accept|reject)$")


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.startswith("."):
        return None
    if name.endswith(".parquet"):
        return PARQUET
    if name.endswith(SUFFIXES) or "." not in name:  # Firehose objects often have no suffix
        return TEXT
    if firehose.is_firehose_object(name):  # .zip, .snappy, .hsnappy or a custom extension: told by the bytes
        return TEXT
    return None


def _stream_of(path: Path) -> str | None:
    """The CloudWatch stream a file holds, when it sits in a folder named like one (an export to S3)."""
    for part in reversed(path.parts[:-1]):
        if _STREAM.match(part):
            return part
    return None


def file_source(path: Path, kind: str | None = None, *, pipes: bool = True, canonical: str | None = None) -> Source:
    """A file as a Source; a named pipe (`<(zcat f.gz)`) or a device is read once as a stream when `pipes`,
    else refused: in a folder it would block the walk until something writes to it. `canonical` is the path
    resolved, when the caller knows it (a walk from a resolved folder), unless the file itself is a link."""
    try:
        st = os.lstat(path) if canonical is not None else path.stat()
        if stat.S_ISLNK(st.st_mode):  # a link in a walked folder: its identity is its target's path
            st, canonical = path.stat(), None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", location=str(path)) from exc
    if not stat.S_ISREG(st.st_mode):
        if not pipes:
            raise SourceError("not a regular file (a pipe, socket or device): left alone", location=str(path))
        return Source(identity=str(path), opener=lambda: open(path, "rb"), kind=kind or _kind(path) or TEXT,
                      log_stream=_stream_of(path))
    resolved = canonical or str(path.resolve())
    return Source(
        identity=resolved,
        opener=lambda: open(resolved, "rb"),
        size=st.st_size,
        version=f"{st.st_size}:{st.st_mtime_ns}",
        kind=kind or _kind(path) or TEXT,
        log_stream=_stream_of(path),
        key=parse_key(resolved),
        local_path=resolved,
        whole=True,
    )


def stdin_source() -> Source:
    return Source(identity="stdin", opener=lambda: sys.stdin.buffer, kind=TEXT)


def _may_hold(key: str, since: datetime | None, until: datetime | None) -> bool:
    """By the date in the path: AWS's own S3 layouts, or Firehose's date folders and object names."""
    if since is None and until is None:  # no range: every path may (and telling its date is a regex and a strptime)
        return True
    return parse_key(key).may_hold(since, until) and firehose.may_hold(key, since, until)


def walk(path: Path, since: datetime | None = None, until: datetime | None = None,
         errors: list[SourceError] | None = None) -> Iterator[Source]:
    """Sources under a directory in name order, pruning folders and files whose date is outside the range."""
    def onerror(exc: OSError) -> None:
        if errors is not None:
            errors.append(SourceError(f"cannot list: {exc.strerror}", location=exc.filename))

    # resolved once: os.walk does not follow links to folders, so each folder it enters under `top` is resolved
    # too, and a file that is not a link needs no resolving of its own (a dozen lstat calls each)
    top = path.resolve()
    for root, dirs, files in os.walk(path, onerror=onerror):
        dirs.sort()
        rel = Path(root)
        canonical = os.path.normpath(os.path.join(top, os.path.relpath(root, path)))
        dirs[:] = [d for d in dirs if not d.startswith(".") and _may_hold(str(rel / d) + "/", since, until)]
        for name in sorted(files):
            p = rel / name
            kind = _kind(p)
            if kind is None or not _may_hold(str(p), since, until):
                continue
            try:
                yield file_source(p, kind, pipes=False, canonical=os.path.join(canonical, name))
            except SourceError as exc:
                if errors is None:
                    raise
                errors.append(exc)


def resolve(target: str, since: datetime | None = None, until: datetime | None = None,
            errors: list[SourceError] | None = None) -> Iterator[Source]:
    """Sources for a path argument: '-' is stdin, a directory is walked, a file is itself."""
    if target == "-":
        yield stdin_source()
        return
    path = Path(target)
    if path.is_dir():
        yield from walk(path, since, until, errors)
    elif path.exists():
        yield file_source(path)
    else:
        raise SourceError("no such file or directory", location=target,
                          hint="give a file, a directory, '-' for stdin, or an s3:// or cwl:// URI")
