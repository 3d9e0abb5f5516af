"""Detections by id. The shipped ones register exactly as a plugin's would; plugins come from the
`vpcflow.detections` entry-point group (each entry point names a Detection or an iterable of them)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata

from ..errors import VpcFlowError
from .model import SEVERITIES, Detection

ENTRY_POINT_GROUP = "vpcflow.detections"
_REGISTRY: dict[str, Detection] = {}
_loaded = False


def register(detection: Detection) -> Detection:
    if detection.severity not in SEVERITIES:
        raise VpcFlowError(f"detection {detection.id}: severity must be one of {', '.join(SEVERITIES)}")
    if detection.id in _REGISTRY and _REGISTRY[detection.id] is not detection:
        raise VpcFlowError(f"two detections share the id {detection.id!r}", hint="give the plugin's another id")
    _REGISTRY[detection.id] = detection
    return detection


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import catalog  # noqa: F401  (registers the shipped detections)

    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        for d in ([loaded] if isinstance(loaded, Detection) else list(loaded)):
            register(d)


def detections() -> list[Detection]:
    _load()
    return list(_REGISTRY.values())


def get(detection_id: str) -> Detection:
    _load()
    if detection_id not in _REGISTRY:
        raise VpcFlowError(f"no detection {detection_id!r}", hint="vpcflow detect --list shows them")
    return _REGISTRY[detection_id]


def select(ids: Iterable[str] | None) -> list[Detection]:
    return detections() if not ids else [get(i) for i in ids]
