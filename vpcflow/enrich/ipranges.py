"""Which AWS service owns an address, from AWS's published ip-ranges.json.

vpcflow ships a small subset (data/ip-ranges-subset.json, a few well-known prefixes written by hand) because
the full file cannot be fetched offline; `vpcflow enrich refresh --from FILE` loads the full file a user
downloaded into the store's `aws_ip_ranges` table, which then takes precedence.
"""

from __future__ import annotations

import ipaddress
import json
from importlib import resources
from pathlib import Path

from ..detect.engine import execute
from ..errors import VpcFlowError

_TABLE = """CREATE TABLE IF NOT EXISTS aws_ip_ranges (
  prefix VARCHAR, low BIGINT, high BIGINT, region VARCHAR, service VARCHAR, network_border_group VARCHAR)"""


def _rows(doc: dict, where: str) -> list[list]:
    if not isinstance(doc, dict) or "prefixes" not in doc:
        raise VpcFlowError("not an AWS ip-ranges.json (no 'prefixes')", location=where,
                           hint="download https://ip-ranges.amazonaws.com/ip-ranges.json")
    rows = []
    for p in doc.get("prefixes", []) + doc.get("ipv6_prefixes", []):
        prefix = p.get("ip_prefix") or p.get("ipv6_prefix")
        net = ipaddress.ip_network(prefix, strict=False)
        low, high = (int(net.network_address), int(net.broadcast_address)) if net.version == 4 else (None, None)
        rows.append([str(net), low, high, p.get("region"), p.get("service"), p.get("network_border_group")])
    return rows


def load_ip_ranges(path: str | Path | None = None) -> list[list]:
    """Rows of the shipped subset, or of a given ip-ranges.json file."""
    if path is None:
        text = (resources.files(__package__) / "data" / "ip-ranges-subset.json").read_text()
        return _rows(json.loads(text), "shipped subset")
    path = Path(path)
    if not path.is_file():
        raise VpcFlowError(f"no file {path}", hint="download https://ip-ranges.amazonaws.com/ip-ranges.json")
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise VpcFlowError(f"not JSON: {exc.msg}", location=f"{path}:{exc.lineno}") from None
    return _rows(doc, str(path))


def refresh(con, path: str | Path) -> int:
    """Replace the store's AWS ranges with a downloaded ip-ranges.json; returns the number of prefixes."""
    rows = load_ip_ranges(path)
    execute(con, _TABLE)
    execute(con, "DELETE FROM aws_ip_ranges")
    con.executemany("INSERT INTO aws_ip_ranges VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def aws_service(address: str, con=None) -> dict | None:
    """The most specific AWS prefix holding the address (store table first, else the shipped subset)."""
    rows = None
    if con is not None:
        if execute(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'aws_ip_ranges'")[0][0]:
            rows = execute(con, "SELECT prefix, low, high, region, service, network_border_group FROM aws_ip_ranges")
    rows = rows or load_ip_ranges()
    ip = ipaddress.ip_address(address)
    best = None
    for prefix, _low, _high, region, service, group in rows:
        net = ipaddress.ip_network(prefix)
        if ip.version == net.version and ip in net and (best is None or net.prefixlen > best[0].prefixlen):
            best = (net, region, service, group)
    if best is None:
        return None
    return {"prefix": str(best[0]), "region": best[1], "service": best[2], "network_border_group": best[3],
            "private": ip.is_private}
