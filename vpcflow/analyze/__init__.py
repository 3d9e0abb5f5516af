"""Analyses of traffic: top-N and the traffic summaries, named queries that run on any engine.

Importing this package registers its queries (the `vpcflow.analyses` entry point `analyze`).
"""

from . import traffic  # noqa: F401  (registers the traffic analyses)
from .top import KEYS, METRICS, top

__all__ = ["KEYS", "METRICS", "top"]
