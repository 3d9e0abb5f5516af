"""What the shipped detections share: who is the VPC's own (the actor test), threat-list membership, the port
tables, and episodes that keep the highest severity any of their windows earned.

The actor test: an address is the VPC's own when it is private (RFC 1918, unique-local), or IPv6 from the
blocks AWS hands VPCs (2600:1f00::/24 in most regions, 2a05:d000::/16 in Europe: prefixes in ip-ranges.json,
a parameter so a BYOIP block can be added). Instances' public IPv4 addresses never show: flow logs record the
private address of the interface.
"""

from __future__ import annotations

from ..aggregates import KEY, ipv4_number, private
from ..model import Param

OWN_IPV6 = ["2600:1f", "2a05:d0"]
OWN = {"own_ipv6_prefixes": Param(OWN_IPV6, "the first 7 characters of IPv6 blocks that are the VPC's own")}

# Threat-list categories (the `list` column of threat_list); a file loaded without one is `custom`.
CATEGORIES = ("tor-relay", "tor-exit", "c2", "mining-pool", "blackhole", "drop-point", "doh-resolver",
              "dot-resolver", "custom")


def own(side: str, alias: str = "") -> str:
    """SQL over flow_windows: is the src or dst address the VPC's own."""
    a = f"{alias}." if alias else ""
    return f"({a}{side}_private OR array_contains($own_ipv6_prefixes, {a}{side}_prefix))"


def own_address(col: str) -> str:
    """SQL over `flows` (which has no *_private columns): is this address the VPC's own."""
    return f"({private(col)} OR array_contains($own_ipv6_prefixes, substr(lower({col}), 1, 7)))"


def listed(addresses_sql: str, category_match: str) -> str:
    """SQL: the distinct addresses of `addresses_sql` (one column `address`) on the threat list in a category;
    IPv4 by numeric range, IPv6 by exact address. `category_match` is a predicate over `t.list`."""
    # two joins, not one with an OR: a range join and a hash join stay fast with thousands of entries, where the
    # OR forced a nested loop (321 s against 0.1 s for 200,000 addresses and 10,500 entries); the addresses are
    # read and numbered once, before the range join (which parsed each address again as it sorted: 3x the time)
    return f"""WITH listed_addresses AS (SELECT address, {ipv4_number('address')} AS number FROM ({addresses_sql}) AS a)
  SELECT DISTINCT address FROM (
    SELECT a.address FROM listed_addresses a JOIN threat_list t ON a.number BETWEEN t.low AND t.high
    WHERE {category_match}
    UNION ALL
    SELECT a.address FROM listed_addresses a JOIN threat_list t ON lower(a.address) = lower(t.network)
    WHERE a.address LIKE '%:%' AND t.low IS NULL AND {category_match}) AS hits"""


SEVERITY = ("CASE max(CASE severity WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) "
            "WHEN 2 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END")


def episodes(hits_sql: str, metric: str = "max", having: str | None = None) -> str:
    """Merge per-window hits into episodes (hits of one key at most $gap seconds apart), as the aggregates'
    `episodes` does, carrying each hit's `severity` (the episode takes the highest) and `basis` (what the
    finding rests on: a threat list, a port, behaviour)."""
    return f"""
WITH hits AS ({hits_sql}),
marked AS (
  SELECT hits.*, CASE WHEN first_seen - LAG(last_seen) OVER (PARTITION BY {KEY} ORDER BY first_seen) <= $gap
                      THEN 0 ELSE 1 END AS new_episode
  FROM hits
),
numbered AS (
  SELECT marked.*, SUM(new_episode) OVER (PARTITION BY {KEY} ORDER BY first_seen
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS episode
  FROM marked
)
SELECT {KEY}, min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(records) AS records,
       {metric}(metric) AS metric, {SEVERITY} AS severity, max(basis) AS basis
FROM numbered
GROUP BY {KEY}, episode{f"{chr(10)}HAVING {having}" if having else ""}
ORDER BY first_seen, src, dst
"""


GAP = Param(1800, "hits of one key at most this many seconds apart form one finding")

# Ports (IANA registrations and the services' own documentation; see docs/detections.md).
PUBLIC_SERVICE_PORTS = [80, 443]
DATA_STORE_PORTS = [1433, 2375, 2376, 3306, 5432, 5984, 6379, 9042, 9200, 9300, 10250, 11211, 27017]
EMR_PORTS = [8088, 8890, 8998, 9870, 18080, 20888]
STRATUM_PORTS = [3333, 3334, 3357, 4444, 5555, 7777, 14433, 14444, 45560, 45700]
TOR_PORTS = [9001, 9030]
TCP_ONLY_PORTS = [21, 22, 23, 25, 80, 110, 143, 443, 445, 993, 995, 1433, 3306, 3389, 5432, 5985, 5986, 8080,
                  8443]
KNOWN_PORTS = [20, 21, 22, 23, 25, 53, 80, 110, 123, 135, 137, 138, 139, 143, 389, 443, 445, 465, 587, 636, 853,
               993, 995, 1433, 1521, 3306, 3389, 5432, 5985, 5986, 6379, 8080, 8443, 9200, 27017]
