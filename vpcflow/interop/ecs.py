"""Elastic Common Schema documents from flow records, as Elastic's AWS vpcflow integration maps them.

One SQL select list builds each document as nested structs (source.*, destination.*, network.*, event.*,
cloud.*, aws.vpcflow.*), so DuckDB writes JSON lines or Parquet straight from the store. Elastic's choices:
@timestamp is the record's end, ACCEPT/REJECT is event.outcome success/failure, network.transport is the IANA
protocol's keyword, and network.community_id is Community ID v1 of srcaddr/dstaddr.
"""

from __future__ import annotations

from .community_id import community_id_sql, ip_hex_sql

ECS_VERSION = "8.11.0"

# IANA protocol number -> network.transport (the names Elastic's pipeline uses)
TRANSPORTS = {0: "hopopt", 1: "icmp", 2: "igmp", 6: "tcp", 8: "egp", 17: "udp", 47: "gre", 50: "esp",
              58: "ipv6-icmp", 112: "vrrp", 132: "sctp"}
# tcp-flags bit -> name, in bit order
TCP_FLAGS = ((1, "fin"), (2, "syn"), (4, "rst"), (8, "psh"), (16, "ack"), (32, "urg"))
OUTCOMES = {"ACCEPT": ("success", "allowed"), "REJECT": ("failure", "denied")}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def select(*, json_times: bool, seed: int = 0) -> str:
    """SQL select list of one ECS document per row of a relation with the flows columns plus _sh/_dh.

    json_times writes times as RFC 3339 text (JSON); otherwise they are timestamps (Parquet).
    """

    def ts(col: str) -> str:
        value = f"to_timestamp({col})"
        return f"strftime({value}, '%Y-%m-%dT%H:%M:%S.000Z')" if json_times else value

    transport = "CASE protocol " + " ".join(f"WHEN {k} THEN {_q(v)}" for k, v in TRANSPORTS.items()) + " END"
    outcome = "CASE action " + " ".join(f"WHEN {_q(k)} THEN {_q(v[0])}" for k, v in OUTCOMES.items()) + " END"
    allowed = "CASE action " + " ".join(f"WHEN {_q(k)} THEN {_q(v[1])}" for k, v in OUTCOMES.items()) + " END"
    flags = ("CASE WHEN tcp_flags IS NOT NULL THEN list_filter(["
             + ", ".join(f"CASE WHEN tcp_flags & {bit} <> 0 THEN {_q(name)} END" for bit, name in TCP_FLAGS)
             + "], lambda f: f IS NOT NULL) END")
    net_type = ("CASE WHEN \"type\" IN ('IPv4', 'IPv6') THEN lower(\"type\") "
                "WHEN contains(srcaddr, ':') THEN 'ipv6' WHEN contains(srcaddr, '.') THEN 'ipv4' END")
    community = community_id_sql("_sh", "_dh", "srcport", "dstport", "protocol", seed)
    aws_fields = ("version", "account_id", "interface_id", "action", "log_status", "tcp_flags", "type",
                  "instance_id", "subnet_id", "vpc_id", "pkt_srcaddr", "pkt_dstaddr", "traffic_path",
                  "pkt_src_aws_service", "pkt_dst_aws_service", "sublocation_type", "sublocation_id",
                  "reject_reason")
    aws = ", ".join(f"'{c}': {c}" for c in aws_fields)
    return f"""{ts('"end"')} AS "@timestamp",
  {{'version': '{ECS_VERSION}'}} AS ecs,
  {{'kind': 'event', 'category': ['network'],
    'type': CASE WHEN action IS NULL THEN ['connection'] ELSE ['connection', {allowed}] END,
    'outcome': {outcome}, 'start': {ts('start')}, 'end': {ts('"end"')},
    'duration': ("end" - start) * 1000000000, 'dataset': 'aws.vpcflow'}} AS event,
  {{'provider': 'aws', 'account': {{'id': account_id}}, 'region': region, 'availability_zone': az_id,
    'instance': {{'id': instance_id}}}} AS cloud,
  {{'address': srcaddr, 'ip': srcaddr, 'port': srcport, 'bytes': bytes, 'packets': packets}} AS source,
  {{'address': dstaddr, 'ip': dstaddr, 'port': dstport}} AS destination,
  {{'iana_number': protocol::VARCHAR, 'transport': {transport}, 'type': {net_type}, 'bytes': bytes,
    'packets': packets, 'direction': flow_direction, 'community_id': {community}}} AS network,
  {{'ip': list_distinct(list_filter([srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr], lambda a: a IS NOT NULL))}}
    AS related,
  {{'vpcflow': {{{aws}, 'tcp_flags_array': {flags}}}}} AS aws"""


def inner_select() -> str:
    """SQL select list adding the interface addresses' hex (for the Community ID) to the flows columns."""
    return f"*, {ip_hex_sql('srcaddr')} AS _sh, {ip_hex_sql('dstaddr')} AS _dh"
