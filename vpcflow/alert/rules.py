"""The rules file: metric filters, alarms, top-N contributor rules, notifiers; validated with located errors.

See docs/alerts.md for the file's shape. Every error names the file and the path of the offending key,
for example `rules.yaml: alarms[0].comparison: 'Above' is not one of ...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import VpcFlowError
from ..fields import DEFAULT, LogFormat
from .pattern import Pattern, PatternError, parse

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
COMPARISONS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
NOTIFIER_TYPES = ("stdout", "jsonl", "webhook", "sns", "smtp")


class RulesError(VpcFlowError):
    """A rules file that cannot be used."""


@dataclass(frozen=True)
class MetricFilter:
    name: str
    pattern: Pattern
    metric: str
    value: str  # "1" or "$name"
    default: float | None = None


@dataclass(frozen=True)
class Alarm:
    name: str
    metric: str
    statistic: str
    period: int
    threshold: float
    comparison: str
    evaluation_periods: int = 1
    datapoints_to_alarm: int = 1
    treat_missing_data: str = "missing"
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContributorRule:
    name: str
    keys: tuple[str, ...]
    value: str  # "count" or "$field"
    top: int
    period: int
    pattern: Pattern | None = None


@dataclass(frozen=True)
class NotifierConfig:
    name: str
    type: str
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    format: LogFormat
    cooldown: int
    metric_filters: tuple[MetricFilter, ...]
    alarms: tuple[Alarm, ...]
    contributors: tuple[ContributorRule, ...]
    notifiers: tuple[NotifierConfig, ...]
    detections: tuple[str, ...] = ()


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"cannot read: {exc.strerror}", location=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise RulesError(f"not valid YAML: {getattr(exc, 'problem', exc)}", location=where) from exc
    return rules_from(data, str(path))


def rules_from(data: Any, origin: str = "rules") -> Rules:
    """Validate rules given as plain data (a parsed YAML document)."""
    return _Reader(origin).rules(data)


class _Reader:
    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, where: str, message: str, hint: str | None = None):
        raise RulesError(f"{where}: {message}" if where else message, location=self.origin, hint=hint)

    def mapping(self, value, where: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, found {type(value).__name__}")
        unknown = sorted(set(value) - allowed)
        if unknown:
            self.fail(where, f"unknown key {unknown[0]!r}", hint=f"known keys: {', '.join(sorted(allowed))}")
        missing = sorted(required - set(value))
        if missing:
            self.fail(where, f"missing key {missing[0]!r}")
        return value

    def items(self, data: dict, key: str) -> list:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(key, "expected a list")
        return value

    def text(self, value, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "expected non-empty text")
        return value

    def number(self, value, where: str, *, integer=False, low: float | None = None) -> float | int:
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            self.fail(where, f"expected {'a whole number' if integer else 'a number'}, found {value!r}")
        if low is not None and value < low:
            self.fail(where, f"must be at least {low}, found {value}")
        return value

    def choice(self, value, where: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            self.fail(where, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def pattern(self, value, where: str) -> Pattern:
        try:
            return parse(self.text(value, where))
        except PatternError as exc:
            self.fail(where, str(exc))

    def rules(self, data) -> Rules:
        if data is None:
            data = {}
        data = self.mapping(
            data,
            "",
            {"format", "cooldown", "metric_filters", "alarms", "contributors", "notifiers", "detections"},
        )
        try:
            fmt = LogFormat.parse(str(data.get("format", "default")))
        except VpcFlowError as exc:
            self.fail("format", exc.message)
        cooldown = self.number(data.get("cooldown", 300), "cooldown", integer=True, low=0)
        notifiers = tuple(
            self.notifier(v, f"notifiers[{i}]") for i, v in enumerate(self.items(data, "notifiers"))
        )
        names = [n.name for n in notifiers]
        self.unique(names, "notifiers")
        filters = tuple(
            self.metric_filter(v, f"metric_filters[{i}]", fmt)
            for i, v in enumerate(self.items(data, "metric_filters"))
        )
        self.unique([f.name for f in filters], "metric_filters")
        metrics = {f.metric for f in filters}
        alarms = tuple(
            self.alarm(v, f"alarms[{i}]", metrics, names) for i, v in enumerate(self.items(data, "alarms"))
        )
        self.unique([a.name for a in alarms], "alarms")
        contributors = tuple(
            self.contributor(v, f"contributors[{i}]", fmt)
            for i, v in enumerate(self.items(data, "contributors"))
        )
        detections = tuple(
            self.text(v, f"detections[{i}]") for i, v in enumerate(self.items(data, "detections"))
        )
        return Rules(
            fmt if data.get("format") else DEFAULT,
            cooldown,
            filters,
            alarms,
            contributors,
            notifiers,
            detections,
        )

    def unique(self, names: list[str], where: str) -> None:
        seen = set()
        for i, n in enumerate(names):
            if n in seen:
                self.fail(f"{where}[{i}].name", f"{n!r} is used twice")
            seen.add(n)

    def metric_filter(self, v, where: str, fmt: LogFormat) -> MetricFilter:
        v = self.mapping(
            v, where, {"name", "pattern", "metric", "value", "default"}, {"name", "pattern", "metric"}
        )
        pattern = self.pattern(v["pattern"], f"{where}.pattern")
        value = str(v.get("value", "1"))
        if value != "1":
            if not value.startswith("$"):
                self.fail(f"{where}.value", f"{value!r} is neither 1 nor a $field", hint="for example $bytes")
            name = value[1:]
            if name not in pattern.names and not fmt.has(name):
                self.fail(
                    f"{where}.value", f"{value!r} is neither a name in the pattern nor a field of the format"
                )
        default = v.get("default")
        if default is not None:
            default = self.number(default, f"{where}.default")
        return MetricFilter(
            self.text(v["name"], f"{where}.name"),
            pattern,
            self.text(v["metric"], f"{where}.metric"),
            value,
            default,
        )

    def alarm(self, v, where: str, metrics: set[str], notifiers: list[str]) -> Alarm:
        keys = {
            "name",
            "metric",
            "statistic",
            "period",
            "threshold",
            "comparison",
            "evaluation_periods",
            "datapoints_to_alarm",
            "treat_missing_data",
            "notify",
        }
        v = self.mapping(v, where, keys, {"name", "metric", "threshold", "comparison", "period"})
        metric = self.text(v["metric"], f"{where}.metric")
        if metric not in metrics:
            self.fail(
                f"{where}.metric",
                f"no metric filter publishes {metric!r}",
                hint=f"metrics: {', '.join(sorted(metrics)) or 'none'}",
            )
        evaluation = self.number(
            v.get("evaluation_periods", 1), f"{where}.evaluation_periods", integer=True, low=1
        )
        to_alarm = self.number(
            v.get("datapoints_to_alarm", evaluation), f"{where}.datapoints_to_alarm", integer=True, low=1
        )
        if to_alarm > evaluation:
            self.fail(
                f"{where}.datapoints_to_alarm", f"{to_alarm} is more than evaluation_periods ({evaluation})"
            )
        notify = v.get("notify", notifiers)
        if isinstance(notify, str):
            notify = [notify]
        for i, n in enumerate(notify):
            if n not in notifiers:
                self.fail(
                    f"{where}.notify[{i}]",
                    f"no notifier named {n!r}",
                    hint=f"notifiers: {', '.join(notifiers) or 'none'}",
                )
        return Alarm(
            name=self.text(v["name"], f"{where}.name"),
            metric=metric,
            statistic=self.choice(v.get("statistic", "Sum"), f"{where}.statistic", STATISTICS),
            period=self.number(v["period"], f"{where}.period", integer=True, low=1),
            threshold=self.number(v["threshold"], f"{where}.threshold"),
            comparison=self.choice(v["comparison"], f"{where}.comparison", COMPARISONS),
            evaluation_periods=evaluation,
            datapoints_to_alarm=to_alarm,
            treat_missing_data=self.choice(
                v.get("treat_missing_data", "missing"), f"{where}.treat_missing_data", MISSING_DATA
            ),
            notify=tuple(notify),
        )

    def contributor(self, v, where: str, fmt: LogFormat) -> ContributorRule:
        v = self.mapping(v, where, {"name", "pattern", "keys", "value", "top", "period"}, {"name", "keys"})
        keys = v["keys"] if isinstance(v["keys"], list) else [v["keys"]]
        if not keys:
            self.fail(f"{where}.keys", "name at least one field")
        for i, k in enumerate(keys):
            if not isinstance(k, str) or not fmt.has(k):
                self.fail(f"{where}.keys[{i}]", f"{k!r} is not a field of the format ({fmt.header()})")
        value = str(v.get("value", "count"))
        if value != "count" and not (value.startswith("$") and fmt.has(value[1:])):
            self.fail(f"{where}.value", f"{value!r} is neither count nor a $field of the format")
        pattern = self.pattern(v["pattern"], f"{where}.pattern") if v.get("pattern") else None
        return ContributorRule(
            self.text(v["name"], f"{where}.name"),
            tuple(k.replace("-", "_") for k in keys),
            value.replace("-", "_"),
            self.number(v.get("top", 10), f"{where}.top", integer=True, low=1),
            self.number(v.get("period", 300), f"{where}.period", integer=True, low=1),
            pattern,
        )

    def notifier(self, v, where: str) -> NotifierConfig:
        if not isinstance(v, dict):
            self.fail(where, "expected a mapping")
        kind = self.choice(v.get("type"), f"{where}.type", NOTIFIER_TYPES)
        allowed, required = _NOTIFIER_KEYS[kind]
        v = self.mapping(v, where, allowed | {"name", "type"}, required | {"name"})
        return NotifierConfig(
            self.text(v["name"], f"{where}.name"),
            kind,
            {k: val for k, val in v.items() if k not in ("name", "type")},
        )


_NOTIFIER_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "stdout": (set(), set()),
    "jsonl": ({"path"}, {"path"}),
    "webhook": ({"url", "timeout", "retries", "backoff", "headers"}, {"url"}),
    "sns": ({"topic_arn", "region", "endpoint_url", "profile"}, {"topic_arn"}),
    "smtp": (
        {"host", "port", "sender", "to", "subject_prefix", "timeout", "starttls"},
        {"host", "sender", "to"},
    ),
}
