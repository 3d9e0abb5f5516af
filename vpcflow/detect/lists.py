"""Threat lists with categories, as the detections read them: the store's `threat_list` table, whose `list`
column holds the entry's category (tor-relay, tor-exit, c2, mining-pool, blackhole, drop-point, doh-resolver,
dot-resolver, custom).

Two file shapes are read (documented in docs/detections.md):
- a plain list: one IPv4/IPv6 address or CIDR a line, `#` comments, or Tor's exit list (`ExitAddress a.b.c.d ...`);
  every entry takes the category given with the file (`custom` by default);
- a CSV whose header names a `network` (or `ip`) column and a `category` column; other columns are ignored.
"""

from __future__ import annotations

import csv
import ipaddress
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..errors import VpcFlowError
from .catalog.common import CATEGORIES
from .threats import parse_threat_list

Entry = tuple[str, int | None, int | None, str]  # network, IPv4 low, IPv4 high, category


def _checked(category: str, where: str) -> str:
    if category not in CATEGORIES:
        raise VpcFlowError(f"unknown threat-list category {category!r}", location=where,
                           hint="use one of " + ", ".join(CATEGORIES))
    return category


def _network(token: str, where: str) -> tuple[str, int | None, int | None]:
    try:
        net = ipaddress.ip_network(token.strip(), strict=False)
    except ValueError:
        raise VpcFlowError(f"not an IP address or CIDR: {token!r}", location=where,
                           hint="one address or CIDR a line, or a CSV with network and category columns") from None
    if net.version == 4:
        return str(net), int(net.network_address), int(net.broadcast_address)
    return (str(net.network_address) if net.prefixlen == 128 else str(net)), None, None


def parse_list(text: str, where: str = "threat list", category: str | None = None) -> list[Entry]:
    """Entries of a plain list (all of `category`, default custom) or of a CSV with a category column."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    header = [c.strip().lower() for c in lines[0].split(",")] if lines else []
    if "category" in header and ("network" in header or "ip" in header):
        column = "network" if "network" in header else "ip"
        entries = []
        reader = csv.DictReader(lines, fieldnames=header)
        next(reader)
        for n, row in enumerate(reader, 2):
            at = f"{where}:{n}"
            entries.append((*_network(row[column] or "", at), _checked((row["category"] or "").strip(), at)))
        return entries
    chosen = _checked(category or "custom", where)
    return [(network, low, high, chosen) for network, low, high in parse_threat_list(text, where)]


def load_lists(con, files: Iterable[tuple[str | Path, str | None]], *, replace: bool = True) -> Counter:
    """Load threat-list files, each with the category of its plain entries (None: custom, or the CSV's own),
    into the store's `threat_list`; returns the number of entries per category."""
    from .engine import ensure_tables

    entries: list[Entry] = []
    for path, category in files:
        path = Path(path)
        if not path.is_file():
            raise VpcFlowError(f"no threat list at {path}", hint="give a file of IPs/CIDRs or a CSV with categories")
        entries.extend(parse_list(path.read_text(errors="replace"), str(path), category))
    ensure_tables(con)
    if replace:
        con.execute("DELETE FROM threat_list").fetchall()
    if entries:
        con.executemany("INSERT INTO threat_list (network, low, high, list) VALUES (?, ?, ?, ?)", entries)
    return Counter(e[3] for e in entries)


def categories_loaded(con) -> dict[str, int]:
    """Entries per category in the store's threat list."""
    from .engine import ensure_tables

    ensure_tables(con)
    rows = con.execute("SELECT list, count(*) FROM threat_list GROUP BY list ORDER BY list").fetchall()
    return {name: n for name, n in rows}
