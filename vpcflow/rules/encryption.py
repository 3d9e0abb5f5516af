"""Encryption-controls readiness: which flows the platform did not encrypt in transit, per interface and peer.

`encryption-status` (flow-log version 10+): 0 not encrypted, 1 encrypted by the Nitro platform, 2 encrypted
by the application only, 3 both. A VPC's encryption controls in enforce mode require the platform's
encryption; traffic through an internet, NAT or virtual private gateway, a peering connection and a few
services is held to it too unless that exclusion is enabled (VpcEncryptionControlConfiguration in the EC2 API
reference). So an unencrypted flow (0 or 2) with a peer inside the VPC `would_block`; one with a peer outside
it `needs_exclusion` (of the gateway it goes through). A record without the field (older formats) is counted
as unknown, never as ready.
"""

from __future__ import annotations

import ipaddress

from ..network import Topology
from ..timeutil import iso

STATUS = {0: "not_encrypted", 1: "platform", 2: "application_only", 3: "platform", -1: "unknown"}
COLUMNS = ("interface_id", "peer", "direction", "flows", "not_encrypted", "application_only", "platform",
           "unknown", "would_block", "needs_exclusion", "first_seen", "last_seen")


def encryption(model: Topology, usage: list[dict]) -> list[dict]:
    """One row per interface and peer that had traffic which the platform did not encrypt, or did not say."""
    out: dict[tuple, dict] = {}
    for row in usage:
        if row["inbound"] is None or row["action"] != "ACCEPT":
            continue
        key = (row["interface_id"], row["peer"], row["inbound"])
        item = out.get(key)
        if item is None:
            item = out[key] = {"interface_id": row["interface_id"], "peer": row["peer"],
                               "direction": "inbound" if row["inbound"] else "outbound", "flows": 0,
                               "not_encrypted": 0, "application_only": 0, "platform": 0, "unknown": 0,
                               "would_block": False, "needs_exclusion": False, "first_seen": row["first_seen"], "last_seen": row["last_seen"]}
        status = STATUS.get(row["encryption_status"], "unknown")
        item[status] += row["flows"]
        item["flows"] += row["flows"]
        item["first_seen"] = min(item["first_seen"], row["first_seen"])
        item["last_seen"] = max(item["last_seen"], row["last_seen"])
        if status in ("not_encrypted", "application_only"):
            item["would_block" if _inside(model, row["peer"]) else "needs_exclusion"] = True
    rows = [r for r in out.values() if r["flows"] > r["platform"]]
    for r in rows:
        r["first_seen"], r["last_seen"] = iso(r["first_seen"]), iso(r["last_seen"])
    return sorted(rows, key=lambda r: (not r["would_block"], -r["flows"], r["interface_id"], r["peer"]))


def _inside(model: Topology, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in model.cidr
    except (ValueError, TypeError):
        return False
