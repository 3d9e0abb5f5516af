"""Interface to resource: from the emulator's topology or from the account's, described through boto3.

Rows go to the store's `enrich_interfaces` table; detections skip NAT gateway interfaces listed there (a NAT
gateway forwards its clients' traffic, so the same event would show a second time with the NAT as source).
"""

from __future__ import annotations

from ..aws.network import aws_topology
from ..detect.engine import ensure_tables, execute

_INSERT = "INSERT OR REPLACE INTO enrich_interfaces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def load_topology_interfaces(con, topology, source: str = "topology") -> int:
    """The interfaces of a network model (a `vpcflow.network.topology.Topology`): the emulator's, or the account's."""
    ensure_tables(con)
    rows = [[i.id, i.ip, i.kind, i.instance_id or i.id, i.name, i.subnet.id, i.subnet.vpc_id or topology.vpc_id,
             ",".join(g.id for g in i.groups), source] for i in topology.interfaces]
    if rows:
        con.executemany(_INSERT, rows)
    execute(con, "SELECT 1")
    return len(rows)


def load_aws_interfaces(con, session) -> int:
    """Every network interface the account's region shows, typed as `--aws` types them (InterfaceType, and the
    NAT gateways' and endpoints' own listings where the interface does not say), through an `AwsSession`."""
    return load_topology_interfaces(con, aws_topology(session), "aws")
