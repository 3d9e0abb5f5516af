"""The lab: real packets through network namespaces, nftables as security groups and network ACLs, and a
capture agent per interface that writes the flow-log records AWS would (see docs/lab.md)."""

from .netns import DEFAULT_STATE_DIR, LabError, can_run
from .network import Lab, down, up
from .run import run
from .scenario import builtin_names, load

__all__ = ["DEFAULT_STATE_DIR", "Lab", "LabError", "builtin_names", "can_run", "down", "load", "run", "up"]
