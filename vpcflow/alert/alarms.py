"""Metric datapoints per period and alarms with CloudWatch's semantics.

A metric filter adds a value to the period its record falls in (the record's `start`, as CloudWatch stamps a
flow-log event). An alarm looks at its last `evaluation_periods` complete periods, takes its statistic of
each, and is ALARM when at least `datapoints_to_alarm` of them breach the threshold. Missing periods count
as `treat_missing_data` says: breaching, notBreaching, or (missing, ignore) not at all; when every period is
missing, `missing` gives INSUFFICIENT_DATA and `ignore` keeps the current state. Each alarm starts in
INSUFFICIENT_DATA, like a new CloudWatch alarm.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from .rules import Alarm

OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"

_COMPARE = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, ">="),
    "GreaterThanThreshold": (lambda v, t: v > t, ">"),
    "LessThanThreshold": (lambda v, t: v < t, "<"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "<="),
}


@dataclass
class Bucket:
    """The values one period received."""

    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def statistic(self, name: str) -> float:
        return {
            "SampleCount": lambda: float(self.count),
            "Sum": lambda: self.total,
            "Average": lambda: self.total / self.count,
            "Minimum": lambda: self.low,
            "Maximum": lambda: self.high,
        }[name]()


@dataclass
class Series:
    """One metric bucketed by one period length; `seen` holds periods that received any record at all."""

    period: int
    default: float | None = None
    buckets: dict[int, Bucket] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)

    def start_of(self, ts: float) -> int:
        return int(ts // self.period) * self.period

    def add(self, ts: float, value: float) -> None:
        self.buckets.setdefault(self.start_of(ts), Bucket()).add(value)

    def saw(self, ts: float) -> None:
        self.seen.add(self.start_of(ts))

    def datapoint(self, start: int, statistic: str) -> float | None:
        bucket = self.buckets.get(start)
        if bucket is None and self.default is not None and start in self.seen:
            bucket = Bucket()
            bucket.add(self.default)
        return None if bucket is None else bucket.statistic(statistic)

    def forget_before(self, start: int) -> None:
        """Drop periods no alarm will look at again: memory stays bounded while following."""
        for s in [s for s in self.buckets if s < start]:
            del self.buckets[s]
        self.seen = {s for s in self.seen if s >= start}


@dataclass(frozen=True)
class StateChange:
    """An alarm moved from one state to another at the end of a period."""

    alarm: str
    metric: str
    previous: str
    state: str
    at: int  # unix seconds: the end of the last period evaluated
    reason: str
    datapoints: tuple[float | None, ...]
    threshold: float
    comparison: str
    statistic: str
    period: int

    def as_dict(self) -> dict:
        return {
            "alarm": self.alarm,
            "metric": self.metric,
            "state": self.state,
            "previous_state": self.previous,
            "timestamp": dt.datetime.fromtimestamp(self.at, dt.UTC).isoformat().replace("+00:00", "Z"),
            "reason": self.reason,
            "datapoints": list(self.datapoints),
            "threshold": self.threshold,
            "comparison": self.comparison,
            "statistic": self.statistic,
            "period": self.period,
        }


class AlarmState:
    """One alarm's state, moved forward one period end at a time."""

    def __init__(self, alarm: Alarm, state: str = INSUFFICIENT_DATA):
        self.alarm = alarm
        self.state = state

    def evaluate(self, series: Series, end: int) -> StateChange | None:
        """Evaluate the periods ending at `end` (a multiple of the period); a change of state, or None."""
        a = self.alarm
        starts = [end - (k + 1) * a.period for k in reversed(range(a.evaluation_periods))]
        points = tuple(series.datapoint(s, a.statistic) for s in starts)
        test, sign = _COMPARE[a.comparison]
        breaching = sum(1 for p in points if p is not None and test(p, a.threshold))
        missing = sum(1 for p in points if p is None)
        if a.treat_missing_data == "breaching":
            breaching += missing
        if breaching >= a.datapoints_to_alarm:
            new = ALARM
        elif missing == len(points) and a.treat_missing_data == "missing":
            new = INSUFFICIENT_DATA
        elif missing == len(points) and a.treat_missing_data == "ignore":
            new = self.state
        else:
            new = OK
        if new == self.state:
            return None
        shown = ", ".join("-" if p is None else f"{p:g}" for p in points)
        reason = (
            f"{breaching} of the last {len(points)} datapoints [{shown}] {sign} {a.threshold:g} "
            f"({a.statistic} over {a.period}s; {a.datapoints_to_alarm} needed to alarm; "
            f"missing data treated as {a.treat_missing_data})"
        )
        change = StateChange(
            a.name,
            a.metric,
            self.state,
            new,
            end,
            reason,
            points,
            a.threshold,
            a.comparison,
            a.statistic,
            a.period,
        )
        self.state = new
        return change
