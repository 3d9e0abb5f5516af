"""Tell a source's format from its first line: a header, a leading timestamp, or the default's 14 tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import FormatError
from ..fields import BY_COLUMN, BY_NAME, DEFAULT, LogFormat

# Copied from the CloudWatch console ("18:34:26 2 ..."), or written by a CloudWatch export to S3
# ("2017-03-22T18:34:26.000Z 2 ...").
_CLOCK = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")

CLOCK = "clock"
ISO = "iso"


@dataclass(frozen=True)
class Layout:
    """How a source's lines are laid out: its format, a header line, a leading timestamp."""

    format: LogFormat | None  # None when it cannot be told
    header: tuple[str, ...] | None = None  # the header's tokens, when the source has one
    prefix: str | None = None  # CLOCK or ISO when each line starts with a timestamp
    why_unknown: str | None = None

    @property
    def stamped(self) -> bool:
        """Each line is led by an ISO-8601 timestamp, kept as the record's event_time."""
        return self.prefix == ISO


# Layouts told from header lines, by (line, given format): every object of one delivery has the same header
_HEADERS: dict[tuple[str, LogFormat | None], Layout] = {}
HEADERS_KEPT = 256  # distinct header lines remembered; past it the cache starts again


def is_header(tokens: list[str]) -> bool:
    """A header names fields: every token is a lower-case word and at least one is a known field."""
    return (bool(tokens) and all(_WORD.match(t) for t in tokens)
            and any(t in BY_NAME or t in BY_COLUMN for t in tokens))


def timestamp_prefix(token: str) -> str | None:
    if _ISO.match(token):
        return ISO
    if _CLOCK.match(token):
        return CLOCK
    return None


def sniff(first_line: str | None, given: LogFormat | None, location: str) -> Layout:
    """Decide the layout from the first non-blank line and the format given by the user, if any."""
    known = _HEADERS.get((first_line, given)) if first_line else None
    if known is not None:  # a header line seen before: the same layout (errors are never kept, so stay located)
        return known
    tokens = first_line.split() if first_line else []
    if tokens and is_header(tokens):
        try:
            header = LogFormat.parse(" ".join(tokens))
        except FormatError as exc:  # the header's own fault: located at its line, this source alone fails
            raise FormatError(f"header {exc.message}", location=f"{location}:1", hint=exc.hint) from exc
        if given is not None and header.columns != given.columns:
            raise FormatError(
                f"header disagrees with the given format: header has {len(header)} fields "
                f"({' '.join(header.names[:4])} ...), format has {len(given)} ({' '.join(given.names[:4])} ...)",
                location=f"{location}:1",
                hint="drop --format to use the header, or check that this file is the flow log you meant",
            )
        if len(_HEADERS) >= HEADERS_KEPT:
            _HEADERS.clear()
        layout = _HEADERS[(first_line, given)] = Layout(header, tuple(tokens))
        return layout
    prefix = timestamp_prefix(tokens[0]) if tokens else None
    if given is not None:
        if prefix and len(tokens) == len(given) + 1:
            return Layout(given, prefix=prefix)
        return Layout(given)
    body = tokens[1:] if prefix else tokens
    if len(body) == len(DEFAULT):
        return Layout(DEFAULT, prefix=prefix)
    if not tokens:
        return Layout(None, why_unknown="no records")
    return Layout(None, prefix=prefix, why_unknown=(
        f"cannot tell the format: no header line and {len(body)} fields where the default format has "
        f"{len(DEFAULT)}; pass --format"))
