"""Flow logs that Amazon Data Firehose delivered to S3 (or that were copied from there to a local folder).

Firehose writes plain record lines, without a header, under its own layout:

    [prefix/]YYYY/MM/DD/HH/{stream}-{version}-YYYY-MM-DD-HH-MM-SS-{uuid}[.gz]

The date folders and the name's time are when the records reached Firehose (UTC), a little after their
capture windows ended, so a key is kept for [since, until) with the same hour of margin as AWS's own layouts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import SourceError
from .base import Source
from .layouts import KeyInfo

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_NAME = re.compile(
    r"^(?P<stream>[A-Za-z0-9_.-]+?)-(?P<version>\d+)-(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<h>\d{2})-\d{2}-\d{2}-"
    rf"{_UUID}(?P<suffix>\.[A-Za-z0-9.]+)?$"
)
# the date folders Firehose adds, at the end of a folder path: YYYY/, YYYY/MM/, YYYY/MM/DD/ or YYYY/MM/DD/HH/
_FOLDERS = re.compile(r"(?:^|/)(?P<y>\d{4})/(?:(?P<m>\d{2})/(?:(?P<d>\d{2})/(?:(?P<h>\d{2})/)?)?)?$")
_MARGIN = 3600  # seconds, as KeyInfo.may_hold keeps


def object_name(key: str) -> re.Match | None:
    """The parts of a Firehose object name (stream, version, date, hour, suffix), or None."""
    return _NAME.match(key.replace("\\", "/").rsplit("/", 1)[-1])


def is_firehose_object(key: str) -> bool:
    return object_name(key) is not None


def stream_of(key: str) -> str | None:
    """The delivery stream that wrote the object, from its name."""
    m = object_name(key)
    return m["stream"] if m else None


def key_info(key: str) -> KeyInfo | None:
    """The day and hour a Firehose object name says its records arrived; None for any other key."""
    m = object_name(key)
    if m is None:
        return None
    try:
        return KeyInfo(day=date(int(m["y"]), int(m["m"]), int(m["d"])), hour=int(m["h"]))
    except ValueError:
        return None


def _folder_span(folder: str) -> tuple[float, float] | None:
    """[lo, hi) in epoch seconds that a trailing YYYY[/MM[/DD[/HH]]]/ folder path covers; None otherwise."""
    m = _FOLDERS.search(folder.replace("\\", "/"))
    if m is None or "AWSLogs/" in folder:  # AWS's own layouts are parse_key's
        return None
    try:
        y = int(m["y"])
        if m["m"] is None:
            return datetime(y, 1, 1, tzinfo=UTC).timestamp(), datetime(y + 1, 1, 1, tzinfo=UTC).timestamp()
        mo = int(m["m"])
        if m["d"] is None:
            lo = datetime(y, mo, 1, tzinfo=UTC)
            return lo.timestamp(), datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=UTC).timestamp()
        lo = datetime(y, mo, int(m["d"]), int(m["h"] or 0), tzinfo=UTC).timestamp()
        return lo, lo + (3600 if m["h"] is not None else 86400)
    except ValueError:
        return None


def may_hold(key: str, since: datetime | None, until: datetime | None) -> bool:
    """False only when a Firehose object name or date folder (ending in '/') is wholly outside [since, until)."""
    if since is None and until is None:
        return True
    if key.endswith(("/", "\\")):
        span = _folder_span(key)
        if span is None:
            return True
        lo, hi = span
        return not (
            (since is not None and hi + _MARGIN <= since.timestamp())
            or (until is not None and lo - _MARGIN >= until.timestamp())
        )
    info = key_info(key)
    return True if info is None else info.may_hold(since, until)


def walk(path: str | Path, since: datetime | None = None, until: datetime | None = None) -> Iterator[Source]:
    """Sources for a local copy of a Firehose destination, in name order, pruned by the folders' dates."""
    from .local import file_source

    root = Path(path)
    if not root.is_dir():
        raise SourceError("not a directory", location=str(path), hint="give the folder Firehose's objects are in")
    for here, dirs, files in os.walk(root):
        dirs.sort()
        dirs[:] = [d for d in dirs if not d.startswith(".") and may_hold(str(Path(here) / d) + "/", since, until)]
        for name in sorted(files):
            info = key_info(name)
            if info is not None and info.may_hold(since, until):
                yield replace(file_source(Path(here) / name), key=info)
