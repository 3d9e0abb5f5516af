"""Internet egress by calendar month: the free allowance, then the volume tiers, blended back onto the bytes.

AWS prices data transfer out to the internet per calendar month (docs/cost.md): the account's free allowance
first, then tiers that get cheaper with volume. A byte's price therefore depends on every other byte sent out that
month, so vpcflow prices each month's billed internet bytes together and gives every byte the month's blended rate
(the month's USD over its bytes): each group pays its share, and the groups add up to the month's total.

A month the records cover only in part is priced at its pace: its bytes scaled up to the whole month decide the
tier and the free allowance, and the records' bytes pay the same blended rate (so the allowance counts in
proportion to the part of the month covered). That assumes the records are all of the account's internet egress,
sent at an even pace; `notes()` says so when a month is partial.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime

from .prices import BYTES_PER_GB, Prices, internet_egress_usd


@dataclass(frozen=True)
class EgressMonth:
    """One calendar month's billed internet bytes in the records, and what they pay."""

    month: str  # "2026-01"
    bytes: int
    covered: float  # the share of the month's seconds the records span (1.0: the whole month)
    usd: float

    @property
    def usd_per_gb(self) -> float:
        return self.usd / (self.bytes / BYTES_PER_GB) if self.bytes else 0.0


def month_of(epoch: int) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[int, int]:
    """[first second, first second of the next month) of a "YYYY-MM" month, in Unix seconds."""
    year, mon = (int(x) for x in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    return int(start.timestamp()), int(start.timestamp()) + monthrange(year, mon)[1] * 86400


def months_between(first: int, last: int) -> list[str]:
    """Every calendar month that [first, last) touches, in order."""
    out, t = [], int(first)
    while True:
        month = month_of(t)
        out.append(month)
        t = month_bounds(month)[1]
        if t >= last:
            return out


def covered_share(month: str, first: int, last: int) -> float:
    """The share of a month's seconds inside [first, last)."""
    low, high = month_bounds(month)
    overlap = min(high, last) - max(low, first)
    return min(max(overlap, 1) / (high - low), 1.0)


def price_months(prices: Prices, bytes_by_month: dict[str, int], first: int, last: int) -> list[EgressMonth]:
    """Each month's internet bytes priced at its pace through the free allowance and the tiers."""
    months = []
    for month in months_between(first, max(last, first + 1)):
        nbytes = int(bytes_by_month.get(month, 0))
        covered = covered_share(month, first, max(last, first + 1))
        paced_gb = nbytes / BYTES_PER_GB / covered  # the whole month at this pace
        months.append(EgressMonth(month, nbytes, covered, internet_egress_usd(prices, paced_gb) * covered))
    return months


def egress_notes(months: list[EgressMonth], prices: Prices) -> list[str]:
    """What the pricing of internet egress assumed, in a line each."""
    if not any(m.bytes for m in months):
        return []
    out = [f"internet egress is priced per calendar month: the first {prices.internet_egress_free_gb:g} GB free "
           "(the account's allowance, across services and regions: set internet_egress_free_gb = 0 in "
           "vpcflow.toml if other traffic uses it), then the volume tiers; each group pays the month's blended rate ("
           + ", ".join(f"{m.month}: ${m.usd_per_gb:.4f}/GB" for m in months if m.bytes) + ")"]
    partial = [m for m in months if m.covered < 0.999]
    if partial:
        shown = ", ".join(f"{m.month} ({m.covered:.2%})" for m in partial)
        out.append(f"the records cover part of {shown}: such a month is priced at the records' pace, as if the "
                   "whole month ran at it and nothing else went out (the free allowance counts in proportion)")
    return out
