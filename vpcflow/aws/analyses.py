"""Which of vpcflow's analyses a flow log can feed, judged from its fields and its aggregation interval.

A table of data: each analysis names the fields it needs and, when it counts events in short windows, the
coarsest aggregation interval that still resolves them. `--format detections` asks for the union.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import DEFAULT, LogFormat, field


@dataclass(frozen=True)
class AnalysisNeeds:
    name: str
    fields: tuple[str, ...]
    max_interval: int | None = None  # seconds; None: any interval works
    why_interval: str = ""


_BASE = ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end")

ANALYSES: tuple[AnalysisNeeds, ...] = (
    AnalysisNeeds("top-talkers", ("srcaddr", "dstaddr", "bytes", "packets")),
    AnalysisNeeds("rejected-traffic", (*_BASE, "action")),
    AnalysisNeeds("reject-layer", (*_BASE, "action", "interface-id", "tcp-flags", "flow-direction")),
    AnalysisNeeds("port-scan", (*_BASE, "action", "tcp-flags"), 60, "a scan's burst of ports fits in a minute"),
    AnalysisNeeds("brute-force", (*_BASE, "action", "tcp-flags"), 60, "attempts are counted per minute"),
    AnalysisNeeds("exfiltration", (*_BASE, "flow-direction", "pkt-dstaddr")),
    AnalysisNeeds("beaconing", (*_BASE,), 60, "beacon periods under 10 minutes vanish in 600 s windows"),
    AnalysisNeeds("dos", (*_BASE, "flow-direction"), 60, "floods are measured per minute"),
    AnalysisNeeds("unusual-ports", (*_BASE, "action", "flow-direction")),
    AnalysisNeeds("known-bad-peers", (*_BASE, "pkt-srcaddr", "pkt-dstaddr")),
    AnalysisNeeds("traffic-over-time", ("bytes", "packets", "start", "end")),
)


def detections_format() -> LogFormat:
    """The default fields plus every field some analysis needs, in AWS's canonical order."""
    wanted = {f.name for f in DEFAULT.fields} | {n for a in ANALYSES for n in a.fields}
    from ..fields import FIELDS

    return LogFormat(tuple(f for f in FIELDS if f.name in wanted and f.version is not None and f.schema != "tgw"))


def coverage(fmt: LogFormat, interval: int | None) -> tuple[list[str], dict[str, str]]:
    """(analyses that can run, {analysis: why not}) for a flow log with this format and interval."""
    can, cannot = [], {}
    for a in ANALYSES:
        missing = [n for n in a.fields if not fmt.has(field(n).name)]
        if missing:
            cannot[a.name] = "format lacks " + ", ".join(missing)
        elif a.max_interval and interval and interval > a.max_interval:
            cannot[a.name] = f"{interval} s interval too coarse: {a.why_interval}"
        else:
            can.append(a.name)
    return can, cannot
