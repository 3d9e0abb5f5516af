"""The detections' SQL, read from vpcflow.detect's registry, as NamedQuery for the other engines.

vpcflow.detect owns the detections; this module only adapts what its registry declares (an id, a title,
the SQL over `flows` with `$name` parameters, parameter defaults). Missing package: no detections.
"""

from __future__ import annotations

import importlib

from .queries import NamedQuery


def _items(module) -> list:
    for attr in ("REGISTRY", "DETECTIONS", "registry", "detections", "all_detections"):
        value = getattr(module, attr, None)
        if value is None:
            continue
        value = value() if callable(value) and not isinstance(value, type) else value
        if isinstance(value, dict):
            return list(value.values())
        if isinstance(value, (list, tuple)):
            return list(value)
    return []


def _defaults(detection) -> dict:
    params = getattr(detection, "params", None) or getattr(detection, "parameters", None) or {}
    if callable(params):
        params = params()
    if isinstance(params, dict):
        return {k: getattr(v, "default", v) for k, v in params.items()}
    return {p.name: getattr(p, "default", None) for p in params}


def load() -> dict[str, NamedQuery]:
    try:
        module = importlib.import_module("vpcflow.detect")
    except ImportError:
        return {}
    out: dict[str, NamedQuery] = {}
    for d in _items(module):
        name = getattr(d, "id", None) or getattr(d, "name", None)
        sql = getattr(d, "sql", None)
        sql = sql() if callable(sql) else sql
        if not name or not isinstance(sql, str):
            continue
        out[name] = NamedQuery(name, getattr(d, "title", name), sql, _defaults(d), kind="detection")
    return out
