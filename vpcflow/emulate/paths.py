"""Ground truth for cost: the bytes of every packet direction on the path it really took, counted once.

The capture hands each direction's hops and bytes here as it writes them. The copy that bills is the first
instance interface that sends it (egress, accepted), else an instance interface that receives it (ingress,
accepted); a NAT gateway's or endpoint's own records are the same bytes again. The path comes from the
topology (the peer's interface and AZ, the peer's route, whether a NAT gateway was on the way), never from
the records' fields, so a classifier that reads only the records can be checked against it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..network.topology import GATEWAY_ENDPOINT, INSTANCE, NAT_GATEWAY, PEERING, TRANSIT, VPC_ENDPOINT, Topology

PATH_LABELS = "path-labels.json"


class PathTruth:
    """Billed bytes per path for one capture (one aggregation interval)."""

    def __init__(self, topology: Topology):
        self.interfaces = topology.interfaces
        self.by_ip = topology.by_ip()
        self.peers = {ip: p for p in topology.peers.values() for ip in p.ips + p.ipv6}
        self.region = topology.region
        self.bytes: dict[str, int] = defaultdict(int)

    def observe(self, hops: tuple, nbytes: int) -> None:
        """One direction: hops are (interface index, srcaddr, dstaddr, _, _, (action, _, _, direction, _))."""
        billed = None
        for hop in hops:
            if self.interfaces[hop[0]].kind == INSTANCE and hop[5][0] == "ACCEPT":
                if hop[5][3] == "egress":
                    billed = hop
                    break
                billed = billed or hop
        if billed is not None:
            self.bytes[self.path(hops, billed)] += nbytes

    def path(self, hops: tuple, hop: tuple) -> str:
        iface = self.interfaces[hop[0]]
        egress = hop[5][3] == "egress"
        address = hop[2] if egress else hop[1]
        other = self.by_ip.get(address)
        if other is not None:
            if VPC_ENDPOINT in (iface.kind, other.kind):
                return "interface-endpoint"
            return "intra-az" if iface.subnet.az_id == other.subnet.az_id else "inter-az"
        peer = self.peers.get(address)
        if peer is None:
            return "unknown"
        if peer.via == GATEWAY_ENDPOINT:
            return "gateway-endpoint"
        if peer.via == TRANSIT:
            return "transit-gateway"
        if peer.via == PEERING:
            return "vpc-peering" if (peer.region or self.region) == self.region else "inter-region"
        if any(self.interfaces[h[0]].kind == NAT_GATEWAY for h in hops):
            return "nat-gateway"
        if peer.service:
            return "aws-service"
        return "internet-egress" if egress else "internet-ingress"

    def write(self, out: Path) -> Path:
        path = Path(out) / PATH_LABELS
        path.write_text(json.dumps({"billed_bytes": dict(sorted(self.bytes.items()))}, indent=1) + "\n")
        return path


def read_path_labels(out: Path) -> dict[str, int]:
    """The billed bytes per path a simulation wrote beside its flow logs."""
    return json.loads((Path(out) / PATH_LABELS).read_text())["billed_bytes"]
