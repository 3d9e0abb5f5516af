"""The network model as the side tables path classification reads: `network_addresses` and `network_ranges`.

From a topology (the emulator's, or the account's through vpcflow.network's described topology) and AWS's
published IP ranges. Rows carry their source, so loading a topology again replaces only its own rows.
"""

from __future__ import annotations

import ipaddress

import pyarrow as pa

from ..engines.queries import ALL_TIME
from ..network import Topology
from ..network.topology import GATEWAY_ENDPOINT, INSTANCE, NAT_GATEWAY, PEERING, TRANSIT
from .paths import NETWORK_ADDRESSES, NETWORK_RANGES, flow_paths_sql


def _range(cidr) -> tuple[int, int] | None:
    net = ipaddress.ip_network(cidr, strict=False)
    if net.version != 4:
        return None  # ranges are IPv4 integers (see vpcflow.detect.aggregates.ipv4_number)
    return int(net.network_address), int(net.broadcast_address)


def topology_rows(topology: Topology, source: str = "topology") -> dict[str, list[tuple]]:
    """Rows for both side tables from one topology."""
    nat_az = {name: ifs[0].subnet.az_id for name, ifs in topology.roles.items() if ifs[0].kind == NAT_GATEWAY}
    addresses = []
    for i in topology.interfaces:
        if i.kind == NAT_GATEWAY:
            route = None
        elif i.public and i.subnet.public:
            route = "igw"
        else:
            route = "nat" if i.subnet.nat_gateway else None
        for address in (i.ip, i.ipv6):
            if address:
                addresses.append((address, i.id, None if i.kind == INSTANCE else i.kind, i.subnet.az_id,
                                  i.subnet.vpc_id, i.subnet.id, i.instance_id, topology.region, route,
                                  nat_az.get(i.subnet.nat_gateway or ""), i.role or i.name, source))
    ranges = []
    for s in topology.subnets.values():
        bounds = _range(s.cidr)
        if bounds:
            ranges.append((*bounds, str(s.cidr), "subnet", s.az_id, s.vpc_id, topology.region, None, source))
    for peer in topology.peers.values():
        kind = {GATEWAY_ENDPOINT: "gateway-endpoint", PEERING: "vpc-peering", TRANSIT: "transit-gateway"}.get(peer.via)
        if kind is None and not peer.service:
            continue
        kind = kind or "aws-service"
        vpc = (peer.vpc_id or topology.vpc_id) if kind == "gateway-endpoint" else peer.vpc_id
        for cidr in [peer.cidr] if peer.cidr is not None else [f"{ip}/32" for ip in peer.ips]:
            bounds = _range(cidr)
            if bounds:
                ranges.append((*bounds, str(cidr), kind, peer.az_id, vpc, peer.region or topology.region,
                               peer.service, source))
    return {"network_addresses": addresses, "network_ranges": ranges}


def aws_range_rows(ip_ranges: list[list]) -> list[tuple]:
    """AWS's published ranges (rows of vpcflow.enrich.ipranges: prefix, low, high, region, service, group)."""
    # AMAZON is the superset of every service's ranges; the specific service names the endpoint
    return [(low, high, prefix, "aws-service", None, None, region, service, "ip-ranges")
            for prefix, low, high, region, service, _group in ip_ranges if low is not None and service != "AMAZON"]


def as_arrow(name: str, rows: list[tuple]) -> pa.Table:
    """Rows as an Arrow table of the side table's columns (for an engine that takes them as data: Spark)."""
    table = NETWORK_ADDRESSES if name == "network_addresses" else NETWORK_RANGES
    names = [c for c, _ in table.columns]
    return pa.table({c: [r[k] for r in rows] for k, c in enumerate(names)},
                    schema=pa.schema([(c, pa.int64() if t == "BIGINT" else pa.string()) for c, t in table.columns]))


def network_tables(topology: Topology | None = None, ip_ranges: list[list] | None = None) -> dict[str, pa.Table]:
    """Both side tables as Arrow, from a topology and AWS's published ranges (either may be None)."""
    rows = topology_rows(topology) if topology is not None else {"network_addresses": [], "network_ranges": []}
    rows["network_ranges"] = rows["network_ranges"] + aws_range_rows(ip_ranges or [])
    return {name: as_arrow(name, r) for name, r in rows.items()}


def use_network(engine, topology: Topology | None = None, ip_ranges: list[list] | None = None) -> dict[str, int]:
    """Give an engine's session the side tables for this run: temporary on DuckDB (nothing is written to the
    store, and a store open read-only works), temp views on Spark. Returns the rows of each."""
    tables = network_tables(topology, ip_ranges)
    if engine.dialect == "spark":  # rows straight to a DataFrame: Arrow to Spark would need pandas
        for side in (NETWORK_ADDRESSES, NETWORK_RANGES):
            schema = ", ".join(f"{c} {'bigint' if t == 'BIGINT' else 'string'}" for c, t in side.columns)
            rows = [tuple(r.values()) for r in tables[side.name].to_pylist()]
            engine.spark.createDataFrame(rows, schema=schema).createOrReplaceTempView(side.name)
        return {name: t.num_rows for name, t in tables.items()}
    con = engine.con
    for side in (NETWORK_ADDRESSES, NETWORK_RANGES):
        if con.execute("SELECT count(*) FROM duckdb_views() WHERE database_name = 'temp' AND view_name = ?",
                       [side.name]).fetchall()[0][0]:
            con.execute(f"DROP VIEW temp.main.{side.name}")  # the engine's empty stand-in on a read-only store
        con.execute(side.create_sql().replace("CREATE TABLE IF NOT EXISTS", "CREATE OR REPLACE TEMP TABLE"))
        con.register(f"tables_{side.name}", tables[side.name])
        con.execute(f"INSERT INTO temp.main.{side.name} SELECT * FROM tables_{side.name}")
        con.unregister(f"tables_{side.name}")
    return {name: t.num_rows for name, t in tables.items()}


def save_flow_paths_view(con) -> None:
    """Keep `flow_paths` (every record with `path` and `billed`) as a view in a writable store, so plain SQL,
    Insights and exports over the store read it too; the side tables it reads are created empty when missing."""
    for side in (NETWORK_ADDRESSES, NETWORK_RANGES):
        con.execute(side.create_sql())
    sql = flow_paths_sql().replace("$since", str(ALL_TIME["since"])).replace("$until", str(ALL_TIME["until"]))
    con.execute(f"CREATE OR REPLACE VIEW flow_paths AS {sql}")
