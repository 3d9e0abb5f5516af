"""Times as users write them: ISO-8601, a date, Unix seconds, or 'ago' spans like 90m, 24h, 7d."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .errors import VpcFlowError

_SPAN = re.compile(r"^(\d+)\s*(s|m|h|d|w)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str) -> timedelta:
    m = _SPAN.match(text.strip().lower())
    if not m:
        raise VpcFlowError(f"not a duration: {text!r}", hint="write it like 90s, 15m, 24h, 7d or 2w")
    return timedelta(**{_UNITS[m[2]]: int(m[1])})


def parse_time(text: str | None, now: datetime | None = None) -> datetime | None:
    """A point in time (UTC) from ISO-8601, a date, Unix seconds, or a span meaning that long ago."""
    if text is None or text == "":
        return None
    text = text.strip()
    if re.fullmatch(r"\d{9,10}", text):
        return datetime.fromtimestamp(int(text), UTC)
    if _SPAN.match(text.lower()):
        return (now or datetime.now(UTC)) - parse_span(text)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise VpcFlowError(f"not a time: {text!r}",
                           hint="use ISO-8601 (2026-11-23T10:00:00Z), a date, Unix seconds, or a span like 24h") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def iso(value: int | float | datetime | None) -> str | None:
    """ISO-8601 UTC with a Z, from Unix seconds or a datetime."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
