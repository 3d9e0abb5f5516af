"""Threat lists the user supplies: one IP or CIDR a line (comments with #), or the Tor exit list format
(`ExitAddress 1.2.3.4 2026-01-01 00:00:00`). Stored as numeric ranges for IPv4, text for IPv6."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from ..errors import VpcFlowError


def parse_threat_list(text: str, where: str = "threat list") -> list[tuple[str, int | None, int | None]]:
    entries = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if parts[0] == "ExitAddress" and len(parts) > 1:
            token = parts[1]
        elif parts[0] in ("ExitNode", "Published", "LastStatus"):
            continue
        else:
            token = parts[0].rstrip(",;")
        try:
            net = ipaddress.ip_network(token, strict=False)
        except ValueError:
            raise VpcFlowError(f"not an IP address or CIDR: {token!r}", location=f"{where}:{n}",
                               hint="one address or CIDR a line, or the Tor exit list format") from None
        if net.version == 4:
            entries.append((str(net), int(net.network_address), int(net.broadcast_address)))
        else:
            entries.append((str(net.network_address) if net.prefixlen == 128 else str(net), None, None))
    return entries


def load_threat_list(con, path: str | Path, *, replace: bool = True) -> int:
    """Load a threat list file into the store's `threat_list` table; returns the number of entries."""
    from .engine import ensure_tables

    path = Path(path)
    if not path.is_file():
        raise VpcFlowError(f"no threat list at {path}", hint="give a file of IPs/CIDRs or a Tor exit list")
    entries = parse_threat_list(path.read_text(errors="replace"), str(path))
    ensure_tables(con)
    if replace:
        con.execute("DELETE FROM threat_list").fetchall()
    con.executemany("INSERT INTO threat_list VALUES (?, ?, ?, ?)", [(*e, path.name) for e in entries])
    return len(entries)
