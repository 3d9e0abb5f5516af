"""diagnose(): rows of (request, interface) with the layer that decided, the rule and the fix when known.

Requests alike but for their destination port are one row per contiguous port range (a scan of 1,024 ports is
one row), and traffic a detection flagged gets no fix: a fix would open a rule to the attack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..network import Evaluator, load_topology
from .pairing import is_request, legs, own_addresses, when

VERDICTS = ("security-group", "network-acl", "security-group-or-network-acl", "block-public-access",
            "encryption-controls", "allowed")
# a REJECT whose reject-reason (v8+) names the platform's control was no rule's doing
PLATFORM_REJECTS = {"BPA": "block-public-access", "EC": "encryption-controls"}
_PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}
ROW_KEYS = ("src", "dst", "dst_port", "dst_port_end", "protocol", "interface_id", "direction", "verdict", "rule",
            "records", "first_seen", "last_seen", "fix", "flagged_by")


def _fix(layer: str, rule: str | None, inbound: bool, protocol: int, ports: tuple[int, int] | None, remote: str,
         reply: bool) -> str | None:
    proto = _PROTOCOLS.get(protocol, str(protocol))
    what = proto if ports is None else f"{proto} port {ports[0]}" if ports[0] == ports[1] else \
        f"{proto} ports {ports[0]}-{ports[1]}"
    if layer == "security-group" and rule:
        groups = rule.rsplit(" ", 1)[0]
        side = "inbound" if inbound else "outbound"
        peer = "from" if inbound else "to"
        return f"add an {side} rule to {groups} allowing {what} {peer} {remote}/32 (or its CIDR)"
    if layer == "network-acl":
        side = "inbound" if inbound else "outbound"
        which = f"the subnet's network ACL {rule.split(' ')[0]}" if rule else "the subnet's network ACL"
        if reply:
            target = f"{proto} replies {'from' if inbound else 'to'} {remote}"
            if protocol in (6, 17):
                target += " on ephemeral ports 1024-65535"
        else:
            target = f"{what} {'from' if inbound else 'to'} {remote}"
        if rule and not rule.endswith("rule *"):
            number = rule.rsplit(" ", 1)[1]
            return f"in {which}, add an {side} allow rule for {target} numbered below {number} (or remove rule {number})"
        return f"in {which}, add an {side} allow rule for {target}"
    if layer == "block-public-access":
        return "VPC Block Public Access rejected it, not a rule: exclude the VPC or subnet from BPA if it must be reached"
    if layer == "encryption-controls":
        return ("VPC encryption controls rejected it, not a rule: the traffic was not encrypted in transit by the "
                "platform (a Nitro instance type encrypts it), or exclude the resource")
    return None


def diagnose(con, src: str | None = None, dst: str | None = None, port: int | None = None, topology=None,
             *, slack: int = 120, flagged: Iterable = (), since: datetime | None = None,
             until: datetime | None = None) -> list[dict]:
    """Each rejected (or, when filtered, any) request with its verdict; see docs/detections.md#diagnose.

    `con` is the store (a DuckDB connection or Store) or a vpcflow engine such as Spark's: the pairing's
    queries run there, the verdicts here. `topology` is an emulator Topology, scenario name or file, or None
    (then only the possible layers). `flagged` are the detections' findings (vpcflow.detect.Finding, or dicts
    with detector, src, dst, dst_port) over the same records: a request from a finding's source to its
    destination (any, when the finding names many) gets `flagged_by` and no fix. `since`/`until` keep the
    records whose capture windows overlap that range.
    """
    evaluator = Evaluator(load_topology(topology)) if topology is not None else None
    filtered = src is not None or dst is not None or port is not None
    rows = legs(con, src, dst, port, filtered, slack, int(since.timestamp()) if since else 0,
                int(until.timestamp()) if until else 2**62)
    own = own_addresses(con, sorted({r["interface_id"] for r in rows}))
    out: dict[tuple, dict] = {}
    for leg in rows:
        if not is_request(leg):
            continue
        if src is not None and leg["srcaddr"] != src or dst is not None and leg["dstaddr"] != dst:
            continue
        if port is not None and leg["dstport"] != port:
            continue
        iface = evaluator.interface(leg["interface_id"]) if evaluator else None
        if leg["flow_direction"] in ("ingress", "egress"):
            inbound = leg["flow_direction"] == "ingress"
        elif iface is not None and leg["dstaddr"] in (iface.ip, iface.ipv6):
            inbound = True  # the configuration knows the interface's address: no guessing from its records
        elif iface is not None and leg["srcaddr"] in (iface.ip, iface.ipv6):
            inbound = False
        else:
            inbound = own.get(leg["interface_id"]) == leg["dstaddr"]
        remote = leg["srcaddr"] if inbound else leg["dstaddr"]
        protocol = leg["protocol"]
        service_port = leg["dstport"] if protocol in (6, 17) else None
        reply_rejected = leg["action"] == "ACCEPT" and leg["reverse_action"] == "REJECT"
        if leg["action"] == "REJECT" and leg.get("reject_reason") in PLATFORM_REJECTS:
            verdict, reply = PLATFORM_REJECTS[leg["reject_reason"]], False
        elif leg["action"] == "REJECT":
            verdict, reply = "security-group-or-network-acl", False
        elif reply_rejected:
            verdict, reply = "network-acl", True
        else:
            verdict, reply = "allowed", False
        if verdict == "allowed" and not filtered:
            continue
        rule = fix = None
        if iface is not None and verdict not in ("allowed", *PLATFORM_REJECTS.values()):
            port_checked = leg["srcport"] if reply else leg["dstport"]
            decided = evaluator.decide(iface, inbound != reply, protocol, port_checked, remote, reply)
            if decided is not None and (not reply or decided[0] == "network-acl"):
                verdict, rule = decided
        key = (leg["interface_id"], leg["srcaddr"], leg["dstaddr"], service_port, protocol, inbound, verdict, rule)
        row = out.get(key)
        records = leg["records"] + (leg["reverse_records"] or 0)
        if row is None:
            out[key] = {"src": leg["srcaddr"], "dst": leg["dstaddr"], "dst_port": service_port, "protocol": protocol,
                        "interface_id": leg["interface_id"], "direction": "inbound" if inbound else "outbound",
                        "verdict": verdict, "rule": rule, "records": records,
                        "first_seen": leg["first_seen"], "last_seen": leg["last_seen"], "fix": fix,
                        "_fix": (verdict, rule, inbound != reply, protocol, remote, reply)}
        else:
            row["records"] += records
            row["first_seen"] = min(row["first_seen"], leg["first_seen"])
            row["last_seen"] = max(row["last_seen"], leg["last_seen"])
    findings = [f if isinstance(f, dict) else vars(f) for f in flagged]
    for row in out.values():
        row["flagged_by"] = _flagged_by(row, findings)
    result = sorted(_port_ranges(out.values()),
                    key=lambda r: (r["first_seen"], r["interface_id"], r["src"], r["dst"], r["dst_port"] or 0))
    for r in result:
        layer, rule, inbound, protocol, remote, reply = r.pop("_fix")
        ports = None if r["dst_port"] is None else (r["dst_port"], r["dst_port_end"])
        if r["flagged_by"]:
            r["fix"] = f"no fix: flagged by {r['flagged_by']}"
        elif layer not in ("allowed", "security-group-or-network-acl"):
            r["fix"] = _fix(layer, rule, inbound, protocol, ports, remote, reply)
        r["first_seen"], r["last_seen"] = when(r["first_seen"]), when(r["last_seen"])
    return [{k: r[k] for k in ROW_KEYS} for r in result]


def _flagged_by(row: dict, findings: list[dict]) -> str | None:
    """The detections whose findings cover this request: same source, and the same destination and port
    unless the finding names many."""
    names = sorted({f["detector"] for f in findings if f.get("src") == row["src"]
                    and f.get("dst") in (None, row["dst"]) and f.get("dst_port") in (None, row["dst_port"])})
    return ", ".join(names) or None


def _port_ranges(rows: Iterable[dict]) -> list[dict]:
    """Rows alike but for the destination port, merged where the ports are contiguous (dst_port..dst_port_end)."""
    alike: dict[tuple, list[dict]] = {}
    for r in rows:
        key = (r["interface_id"], r["src"], r["dst"], r["protocol"], r["direction"], r["verdict"], r["rule"],
               r["flagged_by"], r["dst_port"] is None)
        alike.setdefault(key, []).append(r)
    merged = []
    for group in alike.values():
        group.sort(key=lambda r: r["dst_port"] or 0)
        run = None
        for r in group:
            if run is not None and r["dst_port"] is not None and r["dst_port"] == run["dst_port_end"] + 1:
                run["dst_port_end"] = r["dst_port"]
                run["records"] += r["records"]
                run["first_seen"] = min(run["first_seen"], r["first_seen"])
                run["last_seen"] = max(run["last_seen"], r["last_seen"])
                continue
            run = {**r, "dst_port_end": r["dst_port"]}
            merged.append(run)
    return merged
