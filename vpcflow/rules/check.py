"""check(): the window's records replayed against proposed rules with the network model's one evaluator.

What the proposal would have rejected that was accepted (`newly_rejected`), and accepted what was rejected
(`newly_accepted`), by interface, peer, address, service port and protocol, before anyone applies it.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from pathlib import Path

from ..errors import VpcFlowError
from ..network import Evaluator, Rule, Topology
from ..network.topology import port_range, protocol_number
from ..timeutil import iso
from .audit import PLATFORM_REJECTS, acls, protocol_name


class ProposalError(VpcFlowError):
    """A proposal file that cannot be replayed."""


def load_proposal(path: str | Path) -> list[dict]:
    """The rows of a proposal file (what `rules suggest` prints: a JSON list, or an object with `proposal`)."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ProposalError(f"cannot read the proposal: {exc.strerror}", location=where) from None
    except json.JSONDecodeError as exc:
        raise ProposalError(f"not JSON: {exc.msg}", location=f"{where}:{exc.lineno}:{exc.colno}",
                            hint="give the JSON `vpcflow rules suggest` prints") from None
    rows = data.get("proposal") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ProposalError("a proposal is a JSON list of rules", location=where,
                            hint="give the JSON `vpcflow rules suggest` prints")
    return rows


def proposed_topology(model: Topology, rows: list[dict], where: str = "proposal") -> Topology:
    """A copy of `model` whose groups and ACLs named in `rows` have exactly those rules (others unchanged)."""
    proposed = copy.deepcopy(model)
    groups = {g.id: g for g in proposed.groups.values()}
    network_acls = {a.id: a for a in acls(proposed)}
    names = {g.id: g.name for g in proposed.groups.values()}
    rules: dict[tuple, list[Rule]] = {}
    for n, row in enumerate(rows):
        at = f"{where}[{n}]"
        if not isinstance(row, dict):
            raise ProposalError("each rule is an object with kind, id, direction, protocol, ports, peer, action",
                                location=at)
        kind, owner = row.get("kind"), row.get("id")
        if kind == "security-group" and owner not in groups or kind == "network-acl" and owner not in network_acls:
            raise ProposalError(f"unknown {kind} {owner!r}", location=at, hint="the configuration has no such id")
        if kind not in ("security-group", "network-acl"):
            raise ProposalError(f"kind is {kind!r}", location=at, hint="use security-group or network-acl")
        if row.get("direction") not in ("inbound", "outbound"):
            raise ProposalError(f"direction is {row.get('direction')!r}", location=at, hint="inbound or outbound")
        rules.setdefault((kind, owner, row["direction"] == "inbound"), []).append(
            _rule(row, kind == "network-acl", names, proposed, at))
    for (kind, owner, inbound), found in rules.items():
        target = groups[owner] if kind == "security-group" else network_acls[owner]
        found = sorted(found, key=lambda r: r.number) if kind == "network-acl" else found
        setattr(target, "inbound" if inbound else "outbound", found)
    return proposed


def _rule(row: dict, acl: bool, names: dict, model: Topology, at: str) -> Rule:
    try:
        protocol = protocol_number(row.get("protocol", "all"))
        low, high = port_range(row.get("ports", "all"))
    except (VpcFlowError, ValueError) as exc:
        raise ProposalError(str(getattr(exc, "message", exc)), location=at) from None
    peer = str(row.get("peer", ""))
    action = row.get("action", "allow")
    if action not in ("allow", "deny") or (action == "deny" and not acl):
        raise ProposalError(f"action is {action!r}", location=at, hint="allow (or deny, in a network ACL)")
    number = row.get("rule")
    if acl and (not isinstance(number, int) or not 1 <= number <= 32766):
        raise ProposalError(f"rule is {number!r}", location=at, hint="an ACL entry needs a number from 1 to 32766")
    if peer.startswith("sg-"):
        if acl or peer not in names:
            raise ProposalError(f"unknown group peer {peer!r}", location=at)
        return Rule(protocol, low, high, group=names[peer], id=row.get("rule"))
    if peer.startswith("pl-") or peer.startswith("com.amazonaws."):
        found = model.prefix_lists.get(peer) or next((p for p in model.prefix_lists.values() if p.name == peer), None)
        if found is None:
            raise ProposalError(f"unknown prefix list {peer!r}", location=at,
                                hint="read the configuration with --aws so its prefix lists are known")
        return Rule(protocol, low, high, id=row.get("rule"), prefix_list=found.id, prefixes=found.cidrs)
    try:
        cidr = ipaddress.ip_network(peer, strict=False)
    except ValueError:
        raise ProposalError(f"peer is {peer!r}", location=at, hint="a CIDR, a group id or a prefix list") from None
    return Rule(protocol, low, high, cidr, number=number if acl else None, allow=action == "allow",
                id=None if acl else row.get("rule"))


def check(model: Topology, proposed: Topology, usage: list[dict]) -> dict:
    """Each usage row's verdict under the proposal against what the records say happened."""
    evaluator = Evaluator(proposed)
    changed: dict[str, dict[tuple, dict]] = {"newly_rejected": {}, "newly_accepted": {}}
    same = {"accepted": 0, "rejected": 0}
    for row in usage:
        iface = evaluator.interface(row["interface_id"])
        if iface is None or row["inbound"] is None or row["reject_reason"] in PLATFORM_REJECTS:
            continue
        decided = evaluator.decide(iface, row["inbound"], row["protocol"], row["port"], row["peer"], bool(row["reply"]))
        if decided is not None and row["reply"] is None:  # undecided: a request, or the reply of its reverse
            decided = evaluator.decide(iface, row["inbound"], row["protocol"], row["port"], row["peer"], True)
        was = row["action"] == "ACCEPT"
        if was == (decided is None):
            same["accepted" if was else "rejected"] += row["flows"]
            continue
        bucket = changed["newly_rejected" if was else "newly_accepted"]
        key = (iface.id, row["inbound"], row["peer"], row["address"], row["service_port"], row["protocol"])
        item = bucket.get(key)
        if item is None:
            item = bucket[key] = {"interface_id": iface.id, "direction": "inbound" if row["inbound"] else "outbound",
                                  "peer": row["peer"], "address": row["address"], "port": row["service_port"],
                                  "protocol": protocol_name(row["protocol"]), "flows": 0, "first_seen": None,
                                  "last_seen": None, "by": decided[1] if decided else None}
        item["flows"] += row["flows"]
        item["first_seen"] = min(filter(None, (item["first_seen"], row["first_seen"])))
        item["last_seen"] = max(filter(None, (item["last_seen"], row["last_seen"])))
    out = {name: sorted(items.values(), key=lambda i: (-i["flows"], i["interface_id"], i["peer"], i["port"] or 0))
           for name, items in changed.items()}
    for items in out.values():
        for i in items:
            i["first_seen"], i["last_seen"] = iso(i["first_seen"]), iso(i["last_seen"])
    return out | {"unchanged_flows": same}
