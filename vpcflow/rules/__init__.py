"""Which security-group rules and network-ACL entries traffic used; least-privilege proposals; a replay.

Importing this package registers its named query (the `vpcflow.analyses` entry point `rules`).
"""

from .audit import COLUMNS, STATUSES, Audit, audit, judge, traffic
from .change import CHANGE_FORMATS, render
from .check import ProposalError, check, load_proposal, proposed_topology
from .encryption import encryption
from .narrow import DEFAULTS
from .suggest import suggest
from .usage import USAGE

__all__ = ["CHANGE_FORMATS", "COLUMNS", "DEFAULTS", "STATUSES", "USAGE", "Audit", "ProposalError", "audit", "check",
           "encryption", "judge", "load_proposal", "proposed_topology", "render", "suggest", "traffic"]
