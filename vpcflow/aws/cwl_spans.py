"""Which part of a CloudWatch Logs stream the store already holds, so an overlapping re-read is exactly once.

Each `cwl://` Source covers one span of one stream: every event with `lo <= timestamp < hi` (milliseconds)
that CloudWatch held when it was read. The span is its ledger revision (`lo..hi/events`), so the ledger
says which spans of a stream are in the store; a new read asks only for the gaps between them. A span ends
just after the last event read, not at `--until`: events still being delivered after it are read next time.
An event delivered later with a timestamp inside a span already read is not seen (as with `vpcflow watch`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

Span = tuple[int, int]  # [lo, hi) in milliseconds since the epoch
Held = Callable[[str], Iterable[str | None]]  # the ledger revisions held for one identity

END_OF_TIME = 2**53  # an open `--until`: later than any event timestamp
_REVISION = re.compile(r"^(\d+)\.\.(\d+)/(\d+)$")


def ms(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp() * 1000)


def wanted(since: datetime | None, until: datetime | None) -> Span:
    return (ms(since) or 0, END_OF_TIME if until is None else ms(until))


def revision(span: Span, events: int) -> str:
    return f"{span[0]}..{span[1]}/{events}"


def parse_revision(text: str | None) -> Span | None:
    """The span a ledger revision names; None for anything else (a follower's position, an older form)."""
    m = _REVISION.match(text or "")
    return (int(m[1]), int(m[2])) if m else None


def gaps(want: Span, held: Iterable[Span]) -> list[Span]:
    """The parts of `want` that no held span covers, in order."""
    lo, hi = want
    out = []
    for a, b in sorted(held):
        if b <= lo or a >= hi:
            continue
        if a > lo:
            out.append((lo, a))
        lo = max(lo, b)
        if lo >= hi:
            return out
    if lo < hi:
        out.append((lo, hi))
    return out


def held_spans(held: Held | None, identity: str) -> list[Span]:
    if held is None:
        return []
    return [s for s in map(parse_revision, held(identity)) if s is not None]


def store_ledger(store) -> Held:
    """`Held` over a vpcflow Store's ledger (the `sources` table)."""

    def held(identity: str) -> list[str | None]:
        rows = store.query("SELECT revision FROM sources WHERE identity = ? AND status <> 'loading'", [identity])
        return rows.column("revision").to_pylist()

    return held
