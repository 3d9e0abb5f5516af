"""The alert engine: records in; datapoints and top-N contributors kept; alarms moved; notifications out.

`observe` takes record lines in the rules' format; `advance(until)` evaluates every complete period up to
`until` in order, so a batch run and a follow run reach the same state changes for the same records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .alarms import AlarmState, Bucket, Series, StateChange
from .evaluate import as_number, compile_predicate, split_fields
from .notify import Delivery, Dispatcher, build_notifier
from .pattern import Pattern
from .rules import Rules


@dataclass(frozen=True)
class Contribution:
    rule: str
    period_start: int
    rank: int
    key: tuple[str, ...]
    value: float


def _index_of(name: str, pattern: Pattern | None, columns: list[str]) -> int | None:
    """Where `name` sits in a record's fields: by the pattern's positional names first, else the format."""
    if pattern is not None and pattern.kind == "delimited" and name in pattern.names:
        before = [s.name for s in pattern.before]
        if name in before:
            return before.index(name)
        after = [s.name for s in pattern.after]
        return after.index(name) - len(after)
    column = name.replace("-", "_")
    return columns.index(column) if column in columns else None


class AlertEngine:
    def __init__(self, rules: Rules, dispatcher: Dispatcher | None = None, base: Path | None = None):
        self.rules = rules
        self.dispatcher = dispatcher or Dispatcher(
            {n.name: build_notifier(n, base) for n in rules.notifiers}, rules.cooldown
        )
        columns = rules.format.columns
        self.time_index = columns.index("start") if "start" in columns else None
        self.filters = []
        for mf in rules.metric_filters:
            value_index = None if mf.value == "1" else _index_of(mf.value[1:], mf.pattern, columns)
            self.filters.append((mf, compile_predicate(mf.pattern), value_index))
        self.series: dict[str, Series] = {}
        self.states: dict[str, AlarmState] = {}
        self.next_end: dict[str, int | None] = {}
        by_metric = defaultdict(list)
        for alarm in rules.alarms:
            default = next(mf.default for mf in rules.metric_filters if mf.metric == alarm.metric)
            self.series[alarm.name] = Series(alarm.period, default)
            self.states[alarm.name] = AlarmState(alarm)
            self.next_end[alarm.name] = None
            by_metric[alarm.metric].append(alarm.name)
        self.alarms_of = dict(by_metric)
        self.contrib = []
        for rule in rules.contributors:
            keys = [columns.index(k) for k in rule.keys]
            value = None if rule.value == "count" else columns.index(rule.value[1:])
            predicate = compile_predicate(rule.pattern) if rule.pattern else None
            self.contrib.append((rule, predicate, keys, value, defaultdict(Counter)))
        self.latest: float | None = None

    # ---- records in ----------------------------------------------------------------------------------------

    def observe(self, message: str, now: float) -> None:
        """One record line; `now` stamps it when the format has no `start`."""
        fields = split_fields(message)
        ts = now
        if self.time_index is not None and self.time_index < len(fields):
            start = as_number(fields[self.time_index])
            if start is not None:
                ts = start
        self.latest = ts if self.latest is None else max(self.latest, ts)
        for alarm_names in self.alarms_of.values():
            for name in alarm_names:
                self._first_period(name, ts)
                self.series[name].saw(ts)
        for mf, predicate, value_index in self.filters:
            if not predicate(message):
                continue
            if value_index is None:
                value = 1.0
            else:
                value = as_number(fields[value_index]) if -len(fields) <= value_index < len(fields) else None
                if value is None:
                    continue  # CloudWatch publishes nothing for a non-numeric metric value
            for name in self.alarms_of.get(mf.metric, ()):
                self.series[name].add(ts, value)
        for rule, predicate, keys, value_index, periods in self.contrib:
            if predicate is not None and not predicate(message):
                continue
            if max(keys + ([value_index] if value_index is not None else [])) >= len(fields):
                continue
            value = 1 if value_index is None else as_number(fields[value_index])
            if value is None:
                continue
            periods[int(ts // rule.period) * rule.period][tuple(fields[k] for k in keys)] += value

    def observe_all(self, messages: Iterable[str], now: float) -> None:
        for m in messages:
            self.observe(m, now)

    def _first_period(self, name: str, ts: float) -> None:
        if self.next_end[name] is None:
            series = self.series[name]
            self.next_end[name] = series.start_of(ts) + series.period

    # ---- alarms out ----------------------------------------------------------------------------------------

    def advance(self, until: float) -> list[tuple[StateChange, list[Delivery]]]:
        """Evaluate each alarm at every period end up to `until`, notifying on each change of state."""
        out = []
        for alarm in self.rules.alarms:
            end = self.next_end[alarm.name]
            series = self.series[alarm.name]
            while end is not None and end <= until:
                change = self.states[alarm.name].evaluate(series, end)
                if change is not None:
                    out.append((change, self.dispatcher.dispatch(change, alarm.notify)))
                series.forget_before(end - (alarm.evaluation_periods - 1) * alarm.period)
                end += alarm.period
            self.next_end[alarm.name] = end
        out.sort(key=lambda pair: (pair[0].at, pair[0].alarm))
        return out

    def finish(self) -> list[tuple[StateChange, list[Delivery]]]:
        """End of a batch: evaluate through the period after the last record's."""
        if self.latest is None:
            return []
        longest = max((a.period for a in self.rules.alarms), default=0)
        return self.advance(self.latest + longest)

    def states_now(self) -> dict[str, str]:
        return {name: s.state for name, s in self.states.items()}

    def top_contributors(self) -> list[Contribution]:
        out = []
        for rule, _, _, _, periods in self.contrib:
            for start in sorted(periods):
                ranked = sorted(periods[start].items(), key=lambda kv: (-kv[1], kv[0]))[: rule.top]
                out += [
                    Contribution(rule.name, start, i + 1, key, value) for i, (key, value) in enumerate(ranked)
                ]
        return out

    # ---- checkpoints ---------------------------------------------------------------------------------------

    def forget_contributors_before(self, ts: float) -> None:
        """Drop top-N periods that ended before `ts`: a follower's memory and checkpoint stay bounded."""
        for rule, _, _, _, periods in self.contrib:
            for start in [s for s in periods if s + rule.period <= ts]:
                del periods[start]

    def snapshot(self) -> dict:
        """Everything the engine remembers, as JSON-able data; `restore` takes it back."""
        alarms = {}
        for alarm in self.rules.alarms:
            series = self.series[alarm.name]
            alarms[alarm.name] = {
                "definition": repr(alarm),
                "state": self.states[alarm.name].state,
                "next_end": self.next_end[alarm.name],
                "buckets": [[s, b.count, b.total, b.low, b.high] for s, b in sorted(series.buckets.items())],
                "seen": sorted(series.seen),
            }
        contributors = {
            rule.name: [[start, [[list(k), v] for k, v in sorted(c.items())]] for start, c in sorted(p.items())]
            for rule, _, _, _, p in self.contrib
        }
        last_sent = [[a, st, at] for (a, st), at in sorted(self.dispatcher.last_sent.items())]
        return {"latest": self.latest, "alarms": alarms, "contributors": contributors, "last_sent": last_sent}

    def restore(self, data: dict) -> list[str]:
        """Take back a snapshot; an alarm whose definition changed since starts afresh. Returns those names."""
        self.latest = data.get("latest")
        fresh = []
        for alarm in self.rules.alarms:
            saved = data.get("alarms", {}).get(alarm.name)
            if saved is None or saved["definition"] != repr(alarm):
                fresh.append(alarm.name)
                continue
            self.states[alarm.name].state = saved["state"]
            self.next_end[alarm.name] = saved["next_end"]
            series = self.series[alarm.name]
            series.buckets = {s: Bucket(c, t, lo, hi) for s, c, t, lo, hi in saved["buckets"]}
            series.seen = set(saved["seen"])
        for rule, _, _, _, periods in self.contrib:
            for start, counts in data.get("contributors", {}).get(rule.name, []):
                periods[start] = Counter({tuple(k): v for k, v in counts})
        names = {a.name for a in self.rules.alarms}
        self.dispatcher.last_sent = {(a, st): at for a, st, at in data.get("last_sent", []) if a in names}
        return fresh
