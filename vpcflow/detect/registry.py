"""Detections by id. Each registered detection is also a named query of vpcflow.engines, so every engine,
`spark run`, Athena and the engines' test suite see it. The shipped ones register exactly as a plugin's
would: a plugin's package, named in the `vpcflow.analyses` entry-point group, calls `register` on import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..engines.queries import NamedQuery
from ..engines.queries import load as load_analyses
from ..engines.queries import register as register_query
from ..engines.sql import parameters
from ..errors import VpcFlowError
from .model import SEVERITIES, Detection

WINDOW = 600  # seconds per row of the shared aggregate `flow_windows`
FAR_FUTURE = 2**62
_REGISTRY: dict[str, Detection] = {}


def as_query(detection: Detection) -> NamedQuery:
    """The detection as a named query: its SQL, its parameters' defaults and the time window's."""
    q = NamedQuery(detection.id, detection.title, detection.sql, kind="detection", needs=detection.needs,
                   uses=detection.uses, max_interval=detection.max_interval, why_interval=detection.why_interval)
    names = set(parameters(q.statement()))
    defaults = {**detection.defaults(), "window": WINDOW, "since": 0, "until": FAR_FUTURE}
    return replace(q, defaults={k: v for k, v in defaults.items() if k in names})


def register(detection: Detection) -> Detection:
    if detection.severity not in SEVERITIES:
        raise VpcFlowError(f"detection {detection.id}: severity must be one of {', '.join(SEVERITIES)}")
    if detection.id in _REGISTRY and _REGISTRY[detection.id] is not detection:
        raise VpcFlowError(f"two detections share the id {detection.id!r}", hint="give the plugin's another id")
    if detection.id not in _REGISTRY:
        register_query(as_query(detection))
    _REGISTRY[detection.id] = detection
    return detection


def detections() -> list[Detection]:
    load_analyses()  # plugins' detections too
    return list(_REGISTRY.values())


def get(detection_id: str) -> Detection:
    load_analyses()
    if detection_id not in _REGISTRY:
        raise VpcFlowError(f"no detection {detection_id!r}", hint="vpcflow detect --list shows them")
    return _REGISTRY[detection_id]


def select(ids: Iterable[str] | None) -> list[Detection]:
    return detections() if not ids else [get(i) for i in ids]
