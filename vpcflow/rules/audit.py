"""audit(): one row per security-group rule and network-ACL entry, with the traffic that used it and a status.

The traffic comes from the `rule-usage` named query; which rule it used is the network model's evaluator's
answer, with AWS's semantics: a security group is stateful (replies match no rule, and every rule of the
interface's groups that allows a request counts it), a network ACL is stateless (requests and replies alike,
each decided by its lowest-numbered matching entry, `*` last, and only when the traffic leaves the subnet).
A REJECT whose reject-reason is BPA or EC was decided by VPC Block Public Access or encryption controls, not by
a rule, and is counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..engines.engine import as_engine, run_query
from ..network import Evaluator, NetworkAcl, Rule, Topology
from ..network.topology import NO_GROUPS
from ..timeutil import epoch, iso
from .cover import covering, redundant
from .narrow import DEFAULTS, narrow
from .usage import INTERFACES, PORT_RANGES, USAGE, interface_addresses, port_ranges, provided

STATUSES = {
    "used": "Traffic in the window matched it. A world-open rule reached from many unrelated networks stays `used`.",
    "unused": "No traffic in the window matched it (`suggest`: remove).",
    "broader-than-traffic": "Its peers fit in at most `--max-cidrs` prefixes no wider than `--max-prefix`, while it "
                            "allows more; `suggest` lists them (AWS prefix lists for AWS-service peers).",
    "shadowed": "An ACL entry that earlier-numbered entries always decide: together they match every packet it "
                "matches, though each may hold only part of its ports or CIDR (`suggest` names them).",
    "redundant": "A security-group rule that other rules of its group and direction allow already, alone or "
                 "together (`suggest` names them; of two equal rules the first stays). Its traffic counts for "
                 "them too.",
}
COLUMNS = ("kind", "id", "rule", "direction", "protocol", "ports", "peer", "action", "flows", "bytes", "peers",
           "first_seen", "last_seen", "status", "suggest", "note")
PLATFORM_REJECTS = {"BPA": "VPC Block Public Access", "EC": "VPC encryption controls"}
PROTOCOL_NAMES = {None: "all", 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}


@dataclass
class Hits:
    """The traffic one rule matched."""

    flows: int = 0
    bytes: int = 0
    peers: dict = field(default_factory=dict)  # address -> AWS service or None
    first: int | None = None
    last: int | None = None

    def add(self, row: dict) -> None:
        self.flows += row["flows"]
        self.bytes += row["bytes"] or 0
        self.peers.setdefault(row["peer"], row["service"])
        self.first = row["first_seen"] if self.first is None else min(self.first, row["first_seen"])
        self.last = row["last_seen"] if self.last is None else max(self.last, row["last_seen"])


@dataclass
class Audit:
    """The rows, and what the records held that no rule decided (each note: what, flows, and where)."""

    rows: list[dict]
    notes: list[dict]


def protocol_name(number: int | None) -> str:
    return PROTOCOL_NAMES.get(number, str(number))


def traffic(engine_or_store, model: Topology, since: datetime | None = None, until: datetime | None = None,
            proposed: Topology | None = None) -> list[dict]:
    """The `rule-usage` rows of the window, with the model's interfaces and ACL port ranges as side tables
    (and a proposal's port ranges too, when its replay will read the rows)."""
    engine = as_engine(engine_or_store)
    params = {k: epoch(v) for k, v in (("since", since), ("until", until)) if v is not None}
    models = (model,) if proposed is None else (model, proposed)
    with provided(engine, INTERFACES, interface_addresses(model)), \
            provided(engine, PORT_RANGES, port_ranges(*models)):
        return run_query(engine, USAGE, params).to_pylist()


class Attribution:
    """Which rules each usage row hit, by the model's one evaluator."""

    def __init__(self, model: Topology):
        self.model = model
        self.evaluator = Evaluator(model)
        self.hits: dict[tuple, Hits] = {}
        self.notes: dict[tuple, int] = {}
        self.seen_interfaces: set[str] = set()

    def note(self, what: str, where: str, flows: int) -> None:
        self.notes[(what, where)] = self.notes.get((what, where), 0) + flows

    def add(self, row: dict) -> None:
        iface = self.evaluator.interface(row["interface_id"])
        if iface is None:
            self.note("records of an interface the configuration does not have", row["interface_id"], row["flows"])
            return
        self.seen_interfaces.add(iface.id)
        if row["inbound"] is None:
            self.note("records whose direction is unknown (neither address is the interface's)", iface.id,
                      row["flows"])
            return
        if row["action"] == "REJECT" and row["reject_reason"] in PLATFORM_REJECTS:
            self.note(f"rejected by {PLATFORM_REJECTS[row['reject_reason']]}, not by a rule", iface.id, row["flows"])
            return
        inbound, protocol, port, peer = row["inbound"], row["protocol"], row["port"], row["peer"]
        group_rules = [] if row["reply"] or iface.kind in NO_GROUPS else self.evaluator.rules.group_rules(
            iface, inbound, protocol, port if protocol in (6, 17) else -1, peer)
        if row["action"] == "ACCEPT":
            for group, rule in group_rules:
                self._hit(("security-group", group.id, rule.id), row)
            if not group_rules and row["reply"] is False and iface.kind not in NO_GROUPS:
                self.note("accepted requests no security-group rule allows (is the configuration current?)",
                          iface.id, row["flows"])
        # the ACL meets traffic leaving the subnet; an outbound request a security group dropped never reaches it
        reaches_acl = inbound or row["reply"] is not False or row["action"] == "ACCEPT" or bool(group_rules) or \
            iface.kind in NO_GROUPS
        if reaches_acl and self.evaluator.crosses(iface, peer):
            acl = iface.subnet.acl
            entry = self.evaluator.rules.acl_entry(acl, inbound, protocol, port, peer)
            self._hit(("network-acl", acl.id, inbound, entry.number if entry else "*"), row)

    def _hit(self, key: tuple, row: dict) -> None:
        hits = self.hits.get(key)
        if hits is None:
            hits = self.hits[key] = Hits()
        hits.add(row)


def audit(engine_or_store, model: Topology, since: datetime | None = None, until: datetime | None = None, *,
          max_cidrs: int = DEFAULTS["max_cidrs"], max_prefix: int = DEFAULTS["max_prefix"],
          max_prefix6: int = DEFAULTS["max_prefix6"]) -> Audit:
    """Every security-group rule and network-ACL entry of `model`, with the window's traffic and its status."""
    return judge(model, traffic(engine_or_store, model, since, until), max_cidrs=max_cidrs, max_prefix=max_prefix,
                 max_prefix6=max_prefix6)


def judge(model: Topology, usage: list[dict], *, max_cidrs: int = DEFAULTS["max_cidrs"],
          max_prefix: int = DEFAULTS["max_prefix"], max_prefix6: int = DEFAULTS["max_prefix6"]) -> Audit:
    """The audit of usage rows already read (the query's rows)."""
    attribution = Attribution(model)
    for row in usage:
        attribution.add(row)
    limits = {"max_cidrs": max_cidrs, "max_prefix": max_prefix, "max_prefix6": max_prefix6}
    rows = []
    for group in model.groups.values():
        quiet = not any(group in i.groups and i.id in attribution.seen_interfaces for i in model.interfaces)
        for inbound, rules in ((True, group.inbound), (False, group.outbound)):
            covered = redundant(rules)
            for k, rule in enumerate(rules):
                hits = attribution.hits.get(("security-group", group.id, rule.id), Hits())
                row = _row(model, "security-group", group.id, rule.id, inbound, rule, hits, limits, quiet)
                if k in covered:
                    names = ", ".join(str(r.id) for r in covered[k])
                    row["status"] = "redundant"
                    row["suggest"] = f"remove: {names} allow{'s' if len(covered[k]) == 1 else ''} it already"
                rows.append(row)
    for acl in acls(model):
        quiet = not any(i.subnet.acl is acl and i.id in attribution.seen_interfaces for i in model.interfaces)
        for inbound, entries in ((True, acl.inbound), (False, acl.outbound)):
            for k, entry in enumerate(entries):
                hits = attribution.hits.get(("network-acl", acl.id, inbound, entry.number), Hits())
                row = _row(model, "network-acl", acl.id, entry.number, inbound, entry, hits, limits, quiet)
                earlier = covering(entries[:k], entry)
                if earlier:
                    numbers = ", ".join(str(e.number) for e in earlier)
                    row["status"] = "shadowed"
                    row["suggest"] = f"remove: {'entries' if len(earlier) > 1 else 'entry'} {numbers} always decide" \
                                     f"{'' if len(earlier) > 1 else 's'} first"
                rows.append(row)
            hits = attribution.hits.get(("network-acl", acl.id, inbound, "*"), Hits())
            rows.append(_row(model, "network-acl", acl.id, "*", inbound, None, hits, limits, quiet))
    notes = [{"note": what, "where": where, "flows": flows} for (what, where), flows in sorted(attribution.notes.items())]
    return Audit(rows, notes)


def acls(model: Topology) -> list[NetworkAcl]:
    """The model's network ACLs, the ones only a subnet names (a default ACL) included, each once."""
    found = {a.id: a for a in model.acls.values()}
    for s in model.subnets.values():
        found.setdefault(s.acl.id, s.acl)
    return list(found.values())


def peer_of(model: Topology, rule: Rule | None) -> str:
    if rule is None:
        return "0.0.0.0/0"
    if rule.prefix_list:
        return rule.prefix_list
    if rule.group:
        return model.groups[rule.group].id
    return str(rule.cidr)


def _row(model: Topology, kind: str, owner: str, rule_key, inbound: bool, rule: Rule | None, hits: Hits,
         limits: dict, quiet: bool) -> dict:
    allow = rule.allow if rule is not None else False
    status, suggest = ("used" if hits.flows else "unused"), ""
    if hits.flows and allow and rule is not None and rule.cidr is not None:
        narrower = narrow(hits.peers, rule.cidr, region=model.region, prefix_lists=model.prefix_lists, **limits)
        if narrower is not None:
            status, suggest = "broader-than-traffic", ", ".join(narrower)
    if status == "unused" and allow:
        suggest = "remove"
    note = (f"no interface of this {'group' if kind == 'security-group' else 'ACL'} appears in the records: "
            f"is a flow log on?") if quiet else ""
    return {"kind": kind, "id": owner, "rule": rule_key, "direction": "inbound" if inbound else "outbound",
            "protocol": protocol_name(rule.protocol if rule else None), "ports": rule.ports if rule else "all",
            "peer": peer_of(model, rule), "action": "allow" if allow else "deny", "flows": hits.flows,
            "bytes": hits.bytes, "peers": len(hits.peers), "first_seen": iso(hits.first) if hits.first else None,
            "last_seen": iso(hits.last) if hits.last else None, "status": status, "suggest": suggest, "note": note}

