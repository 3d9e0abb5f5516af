"""Which rules together hold every packet another rule matches: shadowed ACL entries, redundant group rules.

A rule matches a box of packets: its protocol, a port range (TCP and UDP only) and its peers (a CIDR, or a
group or prefix list by name). What a rule covers is cut out of the box, piece by piece, so entries that split
the ports or the addresses between them cover the whole as well as one broad entry does.
"""

from __future__ import annotations

from ..network import Rule

PORTED = (6, 17)
ALL_PORTS = (0, 65535)


def covering(others: list[Rule], rule: Rule) -> list[Rule]:
    """The rules among `others` (in their order) that together match every packet `rule` matches, each one
    needed for a piece of it; [] when some packet matches none of them."""
    space = _peers(rule)
    if space is None:
        return []
    ported = rule.protocol in PORTED
    remaining = [((rule.low, rule.high) if ported else ALL_PORTS, space)]
    used = []
    for other in others:
        peers = _peers(other)
        if peers is None or (other.protocol is not None and other.protocol != rule.protocol):
            continue
        ports = (other.low, other.high) if ported and other.protocol is not None else ALL_PORTS
        left = [piece for box in remaining for piece in _minus(box, ports, peers)]
        if left != remaining:
            used.append(other)
        remaining = left
        if not remaining:
            return used
    return []


def redundant(rules: list[Rule]) -> dict[int, list[Rule]]:
    """The rules of one group and direction that the others allow already: index -> the kept rules covering it.

    Taken out one at a time, last first, each only while the rules still kept cover it, so removing all of them
    allows exactly what the group allowed (of two equal rules, the first stays)."""
    kept = list(range(len(rules)))
    for i in reversed(range(len(rules))):
        if covering([rules[j] for j in kept if j != i], rules[i]):
            kept.remove(i)
    return {i: covering([rules[j] for j in kept], rules[i]) for i in range(len(rules)) if i not in kept}


def _peers(rule: Rule):
    """What a rule's peer is matched by: its network, or its group's or prefix list's name (equal names only)."""
    if rule.prefix_list:
        return ("prefix-list", rule.prefix_list)
    if rule.group:
        return ("group", rule.group)
    return rule.cidr


def _minus(box: tuple, ports: tuple[int, int], peers) -> list[tuple]:
    """What is left of `box` (ports, peers) once the packets of `ports` from `peers` are taken out."""
    (low, high), space = box
    if ports[1] < low or high < ports[0] or not _overlap(space, peers):
        return [box]
    left = []
    if low < ports[0]:
        left.append(((low, ports[0] - 1), space))
    if ports[1] < high:
        left.append(((ports[1] + 1, high), space))
    inside = (max(low, ports[0]), min(high, ports[1]))
    if isinstance(space, tuple) or space.subnet_of(peers):
        return left
    return left + [(inside, net) for net in space.address_exclude(peers)]


def _overlap(space, peers) -> bool:
    if isinstance(space, tuple) or isinstance(peers, tuple):
        return space == peers
    return space.version == peers.version and (space.subnet_of(peers) or peers.subnet_of(space))
