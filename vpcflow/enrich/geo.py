"""GeoIP and ASN from a MaxMind database file the user has, when a reader package (maxminddb) is installed.

Neither ships with vpcflow: without them lookups say so instead of guessing.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import VpcFlowError


def geo_available() -> bool:
    try:
        import maxminddb  # noqa: F401
    except ImportError:
        return False
    return True


def lookup_geo(database: str | Path, addresses: list[str]) -> dict[str, dict]:
    """Country/ASN records for the addresses, from a .mmdb file."""
    if not geo_available():
        raise VpcFlowError("GeoIP needs the maxminddb package, which is not installed",
                           hint="pip install maxminddb, and give a GeoLite2 .mmdb file")
    import maxminddb

    if not Path(database).is_file():
        raise VpcFlowError(f"no MaxMind database at {database}", hint="download GeoLite2-City or -ASN (.mmdb)")
    with maxminddb.open_database(str(database)) as reader:
        return {a: reader.get(a) or {} for a in addresses}
