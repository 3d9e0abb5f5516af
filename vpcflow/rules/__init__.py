"""Which security-group rules and network-ACL entries traffic used; least-privilege proposals; a replay.

Importing this package registers its named query (the `vpcflow.analyses` entry point `rules`).
"""

from .usage import USAGE  # noqa: F401  (registers rule-usage)
