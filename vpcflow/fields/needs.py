"""Which flow-log fields each analysis needs, and the coarsest aggregation interval that still resolves it.

Declared by the analyses themselves when they register their named queries (vpcflow.engines.queries), and
read by what sits below them, such as `aws plan --format detections` and `aws status`. The analysis packages
are found through the `vpcflow.analyses` entry-point group: vpcflow's own are declared in pyproject.toml
exactly as a plugin's would be, and importing one registers its queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

ENTRY_POINT_GROUP = "vpcflow.analyses"


@dataclass(frozen=True)
class FieldNeeds:
    """`needs`: columns without which it cannot run; `uses`: columns it is better with (degraded without)."""

    name: str
    needs: tuple[str, ...]
    uses: tuple[str, ...] = ()
    max_interval: int | None = None  # seconds; None: any aggregation interval works
    why_interval: str = ""


NEEDS: dict[str, FieldNeeds] = {}
_state = {"loaded": False, "loading": False}


def declare(needs: FieldNeeds) -> FieldNeeds:
    NEEDS[needs.name] = needs
    return needs


def load_analyses() -> None:
    """Import every package of the `vpcflow.analyses` entry-point group once: importing registers.

    A package that fails to import raises here, and again on the next call: a broken analysis is never
    silently left out.
    """
    if _state["loaded"] or _state["loading"]:  # loading: a package being imported asked for the registry
        return
    _state["loading"] = True
    try:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            ep.load()
        _state["loaded"] = True
    finally:
        _state["loading"] = False


def declared() -> list[FieldNeeds]:
    """Every analysis's field needs, in the order the analyses registered."""
    load_analyses()
    return list(NEEDS.values())
