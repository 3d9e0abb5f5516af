"""Records in a log format: text lines (`-` for what does not apply) or typed Arrow columns (null instead).

Everything about the format comes from the field table: the fields, their order, their Parquet types.
"""

from __future__ import annotations

import ipaddress

import pyarrow as pa

from ..fields import INT_32, INT_64, LogFormat
from ..network.topology import INSTANCE, Topology
from . import columns as c

# fields that come straight from a record tuple
_FROM_RECORD = {
    "srcaddr": c.I_SRC, "dstaddr": c.I_DST, "srcport": c.I_SPORT, "dstport": c.I_DPORT, "protocol": c.I_PROTO,
    "packets": c.I_PACKETS, "bytes": c.I_BYTES, "start": c.I_START, "end": c.I_END, "action": c.I_ACTION,
    "log-status": c.I_STATUS, "tcp-flags": c.I_FLAGS, "pkt-srcaddr": c.I_PKT_SRC, "pkt-dstaddr": c.I_PKT_DST,
    "flow-direction": c.I_DIRECTION, "traffic-path": c.I_PATH,
}

# fields that belong to the interface the record was captured on
_FROM_INTERFACE = {
    "account-id": lambda t, i: t.account,
    "interface-id": lambda t, i: i.id,
    "vpc-id": lambda t, i: t.vpc_id,
    "subnet-id": lambda t, i: i.subnet.id,
    "instance-id": lambda t, i: i.instance_id,
    "region": lambda t, i: t.region,
    "az-id": lambda t, i: i.subnet.az_id,
    "interface-type": lambda t, i: None if i.kind == INSTANCE else i.kind,
}

# v5's service of a pkt-* address: AWS names it when the address is public and in a service's published ranges
_SERVICE_OF = {"pkt-src-aws-service": c.I_PKT_SRC, "pkt-dst-aws-service": c.I_PKT_DST}

_ARROW = {INT_32: pa.int32(), INT_64: pa.int64()}


def service_addresses(topology: Topology) -> dict[str, str]:
    """The AWS service owning each public address of the topology's peers (`service:` in a scenario)."""
    return {ip: p.service for p in topology.peers.values() if p.service for ip in p.ips + p.ipv6
            if ipaddress.ip_address(ip).is_global}


class _Text(dict):
    """Integers as text, remembered: ports, protocols and times repeat a lot."""

    def __missing__(self, value):
        if len(self) > 500_000:
            self.clear()
        text = self[value] = "-" if value is None else str(value)
        return text


class Renderer:
    """Turns emitted record tuples into lines or an Arrow table of one log format."""

    def __init__(self, log_format: LogFormat, topology: Topology):
        self.format = log_format
        self._text = _Text()
        self.per_interface = {
            f.name: [_FROM_INTERFACE[f.name](topology, i) for i in topology.interfaces]
            for f in log_format.fields if f.name in _FROM_INTERFACE
        }
        wanted = any(f.name in _SERVICE_OF for f in log_format.fields)
        self.services = service_addresses(topology) if wanted else {}

    def _values(self, name: str, records: list[tuple], columns: list) -> list:
        if name in _FROM_RECORD:
            return list(columns[_FROM_RECORD[name]])
        if name in self.per_interface:
            table = self.per_interface[name]
            return [table[i] for i in columns[c.I_IFACE]]
        if name in _SERVICE_OF:
            services = self.services
            return [services.get(a) for a in columns[_SERVICE_OF[name]]]
        if name == "version":
            return [self.format.version] * len(records)
        if name == "type":
            return [None if s is None else "IPv6" if ":" in s else "IPv4" for s in columns[c.I_SRC]]
        return [None] * len(records)

    def lines(self, records: list[tuple]) -> list[str]:
        """One line per record, fields separated by single spaces."""
        if not records:
            return []
        columns = list(zip(*records, strict=True))
        texts = []
        for f in self.format.fields:
            values = self._values(f.name, records, columns)
            if f.kind == "STRING":
                texts.append(["-" if v is None else v for v in values])
            else:
                texts.append(list(map(self._text.__getitem__, values)))
        return list(map(" ".join, zip(*texts, strict=True)))

    def table(self, records: list[tuple]) -> pa.Table:
        """An Arrow table with AWS's Parquet column names and types; `-` becomes null."""
        columns = list(zip(*records, strict=True)) if records else [()] * 17
        arrays, names = [], []
        for f in self.format.fields:
            values = self._values(f.name, records, columns) if records else []
            arrays.append(pa.array(values, type=_ARROW.get(f.kind, pa.string())))
            names.append(f.column)
        return pa.Table.from_arrays(arrays, names=names)
