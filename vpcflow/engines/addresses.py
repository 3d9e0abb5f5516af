"""SQL expressions over flow-log addresses, for any analysis: plain string and integer logic, so they transpile
to every engine (no DuckDB extension, no engine's own inet type)."""

from __future__ import annotations

_RFC1918_172 = ", ".join(f"'172.{k}.'" for k in range(16, 32))


def private(col: str) -> str:
    """SQL: is the address RFC 1918 / unique-local (prefix tests only: portable, and cheap per row). A unique-local
    address's first group has four digits (fc00::/7); `fc::1` is 00fc::1, reserved space, not private."""
    return (f"({col} LIKE '10.%' OR {col} LIKE '192.168.%' OR substr({col}, 1, 7) IN ({_RFC1918_172}) OR "
            f"(({col} ILIKE 'fc%' OR {col} ILIKE 'fd%') AND substr({col}, 5, 1) = ':'))")


def ipv4_number(col: str) -> str:
    """SQL: a dotted IPv4 address as a number (NULL for IPv6, also an IPv4-mapped one such as ::ffff:10.0.0.1, whose
    first dotted part is not a number), for CIDR range tests."""
    parts = [f"CAST(split_part({col}, '.', {k}) AS BIGINT)" for k in (1, 2, 3, 4)]
    return (f"(CASE WHEN {col} LIKE '%.%.%.%' AND {col} NOT LIKE '%:%' THEN {parts[0]} * 16777216 + {parts[1]} * 65536 + "
            f"{parts[2]} * 256 + {parts[3]} END)")
