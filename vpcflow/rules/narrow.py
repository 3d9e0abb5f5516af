"""The few prefixes a rule's peers fit in, and AWS's managed prefix lists for peers that are AWS services.

A rule is narrowed only when its peers fit in at most `max_cidrs` prefixes, none wider than `max_prefix`
(IPv4) or `max_prefix6` (IPv6). The defaults, /24 and /48, are the longest prefixes routed between networks
on the internet (longer announcements are filtered), so widening an address past them would join networks
that have nothing to do with each other. Peers spread over more of those networks than `max_cidrs` are "the
world": an open rule they reach is used as written, not narrowed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

# pkt-*-aws-service values with an AWS-managed prefix list (the list's name; {region} filled in)
SERVICE_PREFIX_LISTS = {
    "S3": "com.amazonaws.{region}.s3",
    "DYNAMODB": "com.amazonaws.{region}.dynamodb",
    "CLOUDFRONT": "com.amazonaws.global.cloudfront.origin-facing",
    "ROUTE53_HEALTHCHECKS": "com.amazonaws.{region}.route53-healthchecks",
    "EC2_INSTANCE_CONNECT": "com.amazonaws.{region}.ec2-instance-connect",
}
DEFAULTS = {"max_cidrs": 5, "max_prefix": 24, "max_prefix6": 48}


def fit(addresses: Iterable[str], max_cidrs: int, max_prefix: int, max_prefix6: int) -> list | None:
    """The fewest prefixes (at most max_cidrs) covering `addresses`, widened no further than the limits; None
    when the addresses are spread over more networks than that."""
    found: list = []
    for version, longest, limit in ((4, 32, max_prefix), (6, 128, max_prefix6)):
        hosts = [ipaddress.ip_address(a) for a in addresses if ipaddress.ip_address(a).version == version]
        if not hosts:
            continue
        for length in range(longest, min(limit, longest) - 1, -1):  # one prefix length for all: readable
            nets = {ipaddress.ip_network((h, length), strict=False) for h in hosts}
            if len(nets) <= max_cidrs:
                break
        found += ipaddress.collapse_addresses(nets)
    return found if len(found) <= max_cidrs else None


def narrow(peers: dict[str, str | None], rule_network, *, region: str, prefix_lists: dict, max_cidrs: int,
           max_prefix: int, max_prefix6: int) -> list[str] | None:
    """What the rule could allow instead: CIDRs and prefix lists; None when it cannot be narrowed.

    `peers` maps each peer address to the AWS service that owns it (or None); `prefix_lists` are the model's,
    by id, so a list the account has is named by its id.
    """
    by_name = {p.name: p.id for p in prefix_lists.values()}
    lists, others = set(), []
    for address, service in peers.items():
        name = SERVICE_PREFIX_LISTS.get((service or "").upper())
        if name:
            name = name.format(region=region)
            lists.add(by_name.get(name, name))
        else:
            others.append(address)
    nets = fit(others, max_cidrs - len(lists), max_prefix, max_prefix6) if len(lists) <= max_cidrs else None
    if nets is None:
        return None
    if rule_network is not None and not lists and sum(n.num_addresses for n in nets) >= rule_network.num_addresses:
        return None  # the traffic already fills the rule
    return sorted(lists) + [str(n) for n in nets]
