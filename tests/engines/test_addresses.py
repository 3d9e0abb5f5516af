"""The address expressions every analysis shares (vpcflow.engines.addresses) agree with Python's ipaddress on the
edges of each range, IPv4 and IPv6, upper and lower case: a cheaper rewrite of them must pass the same table."""

from __future__ import annotations

import ipaddress

import duckdb
import pytest

from vpcflow.engines.addresses import ipv4_number, private

# RFC 1918 and the IPv6 unique-local block: what `private` means (ipaddress.is_private also counts loopback,
# link-local and documentation ranges, which flow logs treat as outside the VPC)
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]

ADDRESSES = [
    "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0", "110.0.0.1", "100.10.0.1",
    "172.15.255.255", "172.16.0.0", "172.19.4.4", "172.20.0.1", "172.29.1.1", "172.31.255.255", "172.32.0.0",
    "172.1.16.1", "172.160.0.1", "17.216.0.1",
    "192.167.255.255", "192.168.0.0", "192.168.255.255", "192.169.0.0", "192.16.8.1", "1.192.168.1",
    "100.64.0.1", "127.0.0.1", "169.254.169.254", "8.8.8.8", "0.0.0.0", "255.255.255.255",
    "fc00::", "fc00::1", "FC00::1", "fd12:3456:789a::1", "FD00::AB", "fdff:ffff::1", "fbff:ffff::1", "fe00::1",
    "fe80::1", "FE80::1", "::1", "::", "2001:db8::1", "2600:1f18::1", "::ffff:10.0.0.1", "::ffff:192.168.1.1",
    "fc::1", "fd::1", "f::1",
]


def _truth(address: str) -> tuple[bool, int | None]:
    ip = ipaddress.ip_address(address)
    return any(ip in net for net in PRIVATE if net.version == ip.version), int(ip) if ip.version == 4 else None


@pytest.fixture(scope="module")
def evaluated() -> dict[str, tuple[bool, int | None]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE a (address VARCHAR)")
    con.executemany("INSERT INTO a VALUES (?)", [(x,) for x in ADDRESSES])
    rows = con.execute(f"SELECT address, {private('address')}, {ipv4_number('address')} FROM a").fetchall()
    return {address: (is_private, number) for address, is_private, number in rows}


@pytest.mark.parametrize("address", ADDRESSES)
def test_private_is_rfc1918_or_unique_local(evaluated, address):
    assert evaluated[address][0] == _truth(address)[0]


@pytest.mark.parametrize("address", ADDRESSES)
def test_ipv4_number_is_the_address_as_an_integer_and_null_for_ipv6(evaluated, address):
    assert evaluated[address][1] == _truth(address)[1]


def test_private_of_null_is_null():
    assert duckdb.connect().execute(f"SELECT {private('x')} FROM (SELECT CAST(NULL AS VARCHAR) AS x)").fetchone() == (
        None,)
