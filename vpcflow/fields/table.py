"""The flow-log field table: the one place that knows every field AWS can write.

Everything about the record format (the record type, parsers, DuckDB DDL, Parquet schema, Athena DDL,
docs and CLI help) is derived from FIELDS. A new AWS version is a few rows here.
"""

from __future__ import annotations

from dataclasses import dataclass

INT_32 = "INT_32"
INT_64 = "INT_64"
STRING = "STRING"

VPC = "vpc"
TGW = "tgw"
BOTH = "vpc+tgw"


@dataclass(frozen=True)
class Field:
    """One flow-log field as AWS documents it."""

    name: str  # AWS field name, as in ${name}
    version: int | None  # None for fields AWS has not documented (kept as text)
    kind: str  # Parquet type: INT_32, INT_64 or STRING
    description: str
    schema: str = VPC  # which record schema the field belongs to
    low: int | None = None  # inclusive bounds for integers, checked on ingest
    high: int | None = None
    choices: tuple[str, ...] = ()  # closed set of values, checked on ingest
    address: bool = False  # an IPv4 or IPv6 address, checked on ingest

    @property
    def column(self) -> str:
        """Column name: AWS's name with '-' replaced by '_' (as in AWS's Parquet files and Athena)."""
        return self.name.replace("-", "_")

    @property
    def is_integer(self) -> bool:
        return self.kind in (INT_32, INT_64)

    @property
    def duckdb_type(self) -> str:
        return {INT_32: "INTEGER", INT_64: "BIGINT"}.get(self.kind, "VARCHAR")

    @property
    def known(self) -> bool:
        return self.version is not None


def _f(name, version, kind, description, schema=VPC, **checks) -> Field:
    return Field(name, version, kind, description, schema, **checks)


_PORT = {"low": 0, "high": 65535}

FIELDS: tuple[Field, ...] = (
    # version 2: the default format
    _f("version", 2, INT_32, "Flow-log version: the highest version among the fields in the format.", BOTH, low=2, high=99),
    _f("account-id", 2, STRING, "AWS account ID of the owner of the source interface; 'unknown' for some "
       "AWS-managed interfaces. Kept as text: leading zeros matter.", BOTH),
    _f("interface-id", 2, STRING, "ID of the network interface the traffic was recorded on."),
    _f("srcaddr", 2, STRING, "Source address. For outgoing traffic, the interface's private IPv4 or its IPv6.", BOTH, address=True),
    _f("dstaddr", 2, STRING, "Destination address. For incoming traffic, the interface's private IPv4 or IPv6.", BOTH, address=True),
    _f("srcport", 2, INT_32, "Source port (0 for ICMP).", BOTH, **_PORT),
    _f("dstport", 2, INT_32, "Destination port (0 for ICMP).", BOTH, **_PORT),
    _f("protocol", 2, INT_32, "IANA protocol number (1 ICMP, 6 TCP, 17 UDP, 58 ICMPv6).", BOTH, low=0, high=255),
    _f("packets", 2, INT_64, "Packets in the flow during the capture window.", BOTH, low=0),
    _f("bytes", 2, INT_64, "Bytes in the flow during the capture window.", BOTH, low=0),
    _f("start", 2, INT_64, "Unix seconds of the first packet of the flow in the window.", BOTH, low=0),
    _f("end", 2, INT_64, "Unix seconds of the last packet of the flow in the window.", BOTH, low=0),
    _f("action", 2, STRING, "ACCEPT or REJECT: whether security groups and network ACLs let the traffic through.",
       choices=("ACCEPT", "REJECT")),
    _f("log-status", 2, STRING, "OK, NODATA (no traffic in the window) or SKIPDATA (records were skipped).", BOTH,
       choices=("OK", "NODATA", "SKIPDATA")),
    # version 3
    _f("vpc-id", 3, STRING, "ID of the VPC of the interface."),
    _f("subnet-id", 3, STRING, "ID of the subnet of the interface."),
    _f("instance-id", 3, STRING, "ID of the instance of the interface, if you own it; '-' for requester-managed "
       "interfaces (NAT gateway, transit gateway attachment)."),
    _f("tcp-flags", 3, INT_32, "Bitmask of TCP flags OR-ed over the window: FIN 1, SYN 2, RST 4, SYN-ACK 18.", BOTH,
       low=0, high=255),
    _f("type", 3, STRING, "Traffic type: IPv4, IPv6 or EFA.", BOTH),
    _f("pkt-srcaddr", 3, STRING, "Packet-level (original) source address, when it differs from srcaddr "
       "(NAT gateway, transit gateway, pod addresses).", address=True),
    _f("pkt-dstaddr", 3, STRING, "Packet-level (original) destination address.", address=True),
    # version 4
    _f("region", 4, STRING, "Region of the interface.", BOTH),
    _f("az-id", 4, STRING, "Availability Zone ID (not name) of the interface."),
    _f("sublocation-type", 4, STRING, "wavelength, outpost or localzone; '-' otherwise."),
    _f("sublocation-id", 4, STRING, "ID of the sublocation; '-' otherwise."),
    # version 5
    _f("pkt-src-aws-service", 5, STRING, "AWS service (ip-ranges.json subset) owning pkt-srcaddr.", BOTH),
    _f("pkt-dst-aws-service", 5, STRING, "AWS service (ip-ranges.json subset) owning pkt-dstaddr.", BOTH),
    _f("flow-direction", 5, STRING, "ingress or egress, relative to the interface.", BOTH),
    _f("traffic-path", 5, INT_32, "Path of egress traffic: 1 same VPC, 2 internet or gateway endpoint, 3 virtual "
       "private gateway, 4 intra-Region peering, 5 inter-Region peering, 6 local gateway, 7 gateway endpoint "
       "(Nitro), 8 internet gateway (Nitro).", low=1, high=8),
    # version 6: the transit gateway schema
    _f("resource-type", 6, STRING, "TransitGateway or TransitGatewayAttachment.", TGW),
    _f("tgw-id", 6, STRING, "ID of the transit gateway.", TGW),
    _f("tgw-attachment-id", 6, STRING, "ID of the transit gateway attachment.", TGW),
    _f("tgw-src-vpc-account-id", 6, STRING, "Account ID of the source VPC.", TGW),
    _f("tgw-dst-vpc-account-id", 6, STRING, "Account ID of the destination VPC.", TGW),
    _f("tgw-src-vpc-id", 6, STRING, "ID of the source VPC.", TGW),
    _f("tgw-dst-vpc-id", 6, STRING, "ID of the destination VPC.", TGW),
    _f("tgw-src-subnet-id", 6, STRING, "ID of the source subnet.", TGW),
    _f("tgw-dst-subnet-id", 6, STRING, "ID of the destination subnet.", TGW),
    _f("tgw-src-eni", 6, STRING, "ID of the source attachment interface.", TGW),
    _f("tgw-dst-eni", 6, STRING, "ID of the destination attachment interface.", TGW),
    _f("tgw-src-az-id", 6, STRING, "Availability Zone ID of the source.", TGW),
    _f("tgw-dst-az-id", 6, STRING, "Availability Zone ID of the destination.", TGW),
    _f("tgw-pair-attachment-id", 6, STRING, "The egress or ingress attachment, depending on direction.", TGW),
    _f("packets-lost-no-route", 6, INT_64, "Packets lost: no route.", TGW, low=0),
    _f("packets-lost-blackhole", 6, INT_64, "Packets lost: blackhole route.", TGW, low=0),
    _f("packets-lost-mtu-exceeded", 6, INT_64, "Packets lost: MTU exceeded.", TGW, low=0),
    _f("packets-lost-ttl-expired", 6, INT_64, "Packets lost: TTL expired.", TGW, low=0),
    # version 7: Amazon ECS
    _f("ecs-cluster-arn", 7, STRING, "ARN of the ECS cluster, if the traffic is from a running ECS task."),
    _f("ecs-cluster-name", 7, STRING, "Name of the ECS cluster."),
    _f("ecs-container-instance-arn", 7, STRING, "ARN of the ECS container instance ('-' on Fargate)."),
    _f("ecs-container-instance-id", 7, STRING, "ID of the ECS container instance ('-' on Fargate)."),
    _f("ecs-container-id", 7, STRING, "Docker runtime ID of the task's first container."),
    _f("ecs-second-container-id", 7, STRING, "Docker runtime ID of the task's second container."),
    _f("ecs-service-name", 7, STRING, "ECS service that started the task, if any."),
    _f("ecs-task-definition-arn", 7, STRING, "ARN of the task definition."),
    _f("ecs-task-arn", 7, STRING, "ARN of the ECS task."),
    _f("ecs-task-id", 7, STRING, "ID of the ECS task."),
    # versions 8 to 10
    _f("reject-reason", 8, STRING, "Why traffic was rejected: BPA (VPC Block Public Access), EC (encryption "
       "controls); '-' for any other reason."),
    _f("resource-id", 9, STRING, "ID of the regional NAT gateway of the flow (interface-id is then '-')."),
    _f("encryption-status", 10, INT_32, "0 not encrypted, 1 Nitro-encrypted, 2 application-encrypted, 3 both.",
       low=0, high=3),
    # version 11: tags and next hop
    _f("instance-tag", 11, STRING, "Value of the first instance tag key chosen for the flow log."),
    _f("instance-tag-2", 11, STRING, "Value of the second instance tag key."),
    _f("interface-tag", 11, STRING, "Value of the first network-interface tag key."),
    _f("interface-tag-2", 11, STRING, "Value of the second network-interface tag key."),
    _f("asg-tag", 11, STRING, "Value of the first Auto Scaling group tag key."),
    _f("asg-tag-2", 11, STRING, "Value of the second Auto Scaling group tag key."),
    _f("interface-type", 11, STRING, "Type of the interface: nat_gateway, network_load_balancer, "
       "regional_nat_gateway, transit_gateway, vpc_endpoint."),
    _f("next-hop-interface-id", 11, STRING, "Next-hop interface of the flow (egress: receiver; ingress: sender)."),
    _f("next-hop-subnet-id", 11, STRING, "Subnet of the next-hop interface."),
    _f("next-hop-az-id", 11, STRING, "Availability Zone ID of the next-hop interface."),
    _f("next-hop-vpc-id", 11, STRING, "VPC of the next-hop interface."),
    _f("next-hop-interface-type", 11, STRING, "Type of the next-hop interface."),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
# columns the store keeps beside every record's fields: no format may name them
RESERVED_COLUMNS = ("event_time", "log_stream", "source_id")
BY_COLUMN: dict[str, Field] = {f.column: f for f in FIELDS}


def field(name: str) -> Field:
    """The field called `name` (AWS or column spelling); an unknown name becomes a text field."""
    key = name.strip()
    if key in BY_NAME:
        return BY_NAME[key]
    if key in BY_COLUMN:
        return BY_COLUMN[key]
    return Field(key.replace("_", "-"), None, STRING, "Not in vpcflow's field table; kept as text.")
