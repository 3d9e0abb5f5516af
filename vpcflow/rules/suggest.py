"""suggest(): the least-privilege rule set the window's accepted traffic needs, as rows a person can edit.

Unused rules are dropped, broader-than-traffic ones narrowed to the audit's prefixes, shadowed ACL entries and
redundant group rules dropped, and rules that differ only in adjacent or overlapping ports merged into one range. Deny entries and
the rules traffic used as written are kept. Each row has the audit's keys: kind, id, direction, protocol,
ports, peer, action, and rule (the entry number) for ACL entries.
"""

from __future__ import annotations

from ..network.topology import port_range, ports_text
from .audit import Audit

KEYS = ("kind", "id", "rule", "direction", "protocol", "ports", "peer", "action")


def suggest(audit: Audit) -> list[dict]:
    """The proposal: the complete rule set to keep for every group and ACL the audit covers."""
    out: list[dict] = []
    for row in audit.rows:
        if row["rule"] == "*" or row["status"] in ("shadowed", "redundant"):
            continue
        if row["status"] == "unused" and row["action"] == "allow":
            continue
        peers = row["suggest"].split(", ") if row["status"] == "broader-than-traffic" else [row["peer"]]
        for k, peer in enumerate(peers):
            kept = {key: row[key] for key in KEYS} | {"peer": peer}
            if row["kind"] == "security-group":
                kept["rule"] = row["rule"] if len(peers) == 1 and peer == row["peer"] else None
            else:
                kept["rule"] = row["rule"] + k
            out.append(kept)
    merged = _merge_ports(out)
    _check_numbers(merged)
    return merged


def _merge_ports(rows: list[dict]) -> list[dict]:
    """Security-group rules that differ only in adjacent or overlapping TCP/UDP ports become one range."""
    out: list[dict] = []
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["kind"] == "security-group" and row["protocol"] in ("tcp", "udp"):
            groups.setdefault((row["id"], row["direction"], row["protocol"], row["peer"]), []).append(row)
        else:
            out.append(row)
    for same in groups.values():
        same.sort(key=lambda r: port_range(r["ports"]))
        current = dict(same[0])
        for row in same[1:]:
            low, high = port_range(current["ports"])
            nlow, nhigh = port_range(row["ports"])
            if nlow <= high + 1:
                current["ports"], current["rule"] = ports_text(low, max(high, nhigh)), None
            else:
                out.append(current)
                current = dict(row)
        out.append(current)
    order = {(r["kind"], r["id"]): n for n, r in enumerate(rows)}
    return sorted(out, key=lambda r: (order[(r["kind"], r["id"])], r["direction"] != "inbound",
                                      r["rule"] if r["kind"] == "network-acl" else 0))


def _check_numbers(rows: list[dict]) -> None:
    """A narrowed ACL entry takes the numbers after its own; where one is taken, the later entries shift."""
    by_acl: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["kind"] == "network-acl":
            by_acl.setdefault((row["id"], row["direction"]), []).append(row)
    for entries in by_acl.values():
        last = 0
        for row in entries:  # already in rule order; keep the order, make numbers strictly increasing
            row["rule"] = max(row["rule"], last + 1)
            last = row["rule"]
