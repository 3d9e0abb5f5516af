"""Interface to resource: from the emulator's topology or from the account's, described through boto3.

Rows go to the store's `enrich_interfaces` table; detections skip NAT gateway interfaces listed there (a NAT
gateway forwards its clients' traffic, so the same event would show a second time with the NAT as source).
"""

from __future__ import annotations

from ..aws.network import describe_network
from ..detect.engine import ensure_tables, execute
from ..network import described_topology
from ..network.topology import INSTANCE

_INSERT = "INSERT OR REPLACE INTO enrich_interfaces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def load_topology_interfaces(con, topology, source: str = "topology", types: dict[str, str] | None = None) -> int:
    """The interfaces of a network model (a `vpcflow.network.topology.Topology`): the emulator's, or the account's
    (`types`: an ordinary interface's own type where it has one, such as a Lambda function's)."""
    ensure_tables(con)
    types = types or {}
    rows = [[i.id, i.ip, types.get(i.id, i.kind) if i.kind == INSTANCE else i.kind, i.instance_id or i.id, i.name,
             i.subnet.id, i.subnet.vpc_id, ",".join(g.id for g in i.groups), source]
            for i in topology.interfaces]
    if rows:
        con.executemany(_INSERT, rows)
    execute(con, "SELECT 1")
    return len(rows)


def load_aws_interfaces(con, session) -> int:
    """Every network interface the account's region shows, through an `AwsSession`."""
    return load_described_interfaces(con, describe_network(session))


def load_described_interfaces(con, described: dict) -> int:
    """The interfaces of EC2's describe answers (`vpcflow.aws.network.describe_network`), typed as `--aws` types
    them (InterfaceType, and the NAT gateways' and endpoints' own listings where the interface does not say);
    an ordinary interface keeps its own InterfaceType (`lambda`, `efa`, ...)."""
    types = {n["NetworkInterfaceId"]: n["InterfaceType"] for n in described["NetworkInterfaces"]
             if n.get("InterfaceType") not in (None, "interface")}
    return load_topology_interfaces(con, described_topology(described), "aws", types)
