"""Which of vpcflow's analyses a flow log can feed, judged from its fields and its aggregation interval.

Nothing is listed here: each analysis declares the fields it needs and uses and the coarsest aggregation
interval that still resolves it when it registers its named query (vpcflow.fields.needs holds what they
declared). `--format detections` asks for the union.
"""

from __future__ import annotations

from ..fields import BY_COLUMN, DEFAULT, FIELDS, LogFormat
from ..fields.needs import declared


def _name(column: str) -> str:
    """AWS's field name for a flow-log column (`tcp_flags` -> `tcp-flags`)."""
    return BY_COLUMN[column].name


def detections_format() -> LogFormat:
    """The default fields plus every field some analysis needs or uses, in AWS's canonical order."""
    wanted = {f.name for f in DEFAULT.fields} | {_name(c) for a in declared() for c in (*a.needs, *a.uses)}
    return LogFormat(tuple(f for f in FIELDS if f.name in wanted and f.version is not None and f.schema != "tgw"))


def coverage(fmt: LogFormat, interval: int | None) -> tuple[list[str], dict[str, str]]:
    """(analyses that can run fully, {analysis: why not, or why only degraded}) for this format and interval."""
    can, cannot = [], {}
    for a in declared():
        missing = [_name(c) for c in a.needs if not fmt.has(_name(c))]
        lacking = [_name(c) for c in a.uses if not fmt.has(_name(c))]
        if missing:
            cannot[a.name] = "format lacks " + ", ".join(missing)
        elif a.max_interval and interval and interval > a.max_interval:
            cannot[a.name] = f"{interval} s interval too coarse: {a.why_interval}"
        elif lacking:
            cannot[a.name] = "format lacks " + ", ".join(lacking) + " (runs degraded)"
        else:
            can.append(a.name)
    return can, cannot
