"""OCSF 1.1 Network Activity (class 4001) from flow records, as Amazon Security Lake maps VPC Flow Logs.

One SQL select list over the `flows` columns builds each event as nested structs, so DuckDB writes JSON lines or
Parquet straight from the store. Mapping facts (spec 4.6): endpoints prefer pkt-* addresses and keep the interface
address in intermediate_ips; the interface's IDs go on the destination for ingress and the source for egress;
traffic-path 1..8 is boundary 4..11; REJECT is activity Refuse, disposition Blocked, action Denied.
"""

from __future__ import annotations

from .community_id import community_id_sql, ip_hex_sql

OCSF_VERSION = "1.1.0"
CLASS_UID, CATEGORY_UID = 4001, 4
PROFILES = ("cloud", "security_control", "datetime")

# action -> (activity_id, activity_name, disposition_id, disposition, action_id, action)
ACTIONS = {
    "ACCEPT": (6, "Traffic", 1, "Allowed", 1, "Allowed"),
    "REJECT": (5, "Refuse", 2, "Blocked", 2, "Denied"),
}
UNKNOWN_ACTION = (0, "Unknown", 0, "Unknown", 0, "Unknown")

DIRECTIONS = {"ingress": (1, "Inbound"), "egress": (2, "Outbound")}
UNKNOWN_DIRECTION = (0, "Unknown")

# traffic-path -> (boundary_id, boundary)
BOUNDARIES = {
    1: (4, "Same VPC"), 2: (5, "Internet/VPC Gateway"), 3: (6, "Virtual Private Gateway"),
    4: (7, "Intra-region VPC"), 5: (8, "Inter-region VPC"), 6: (9, "Local Gateway"),
    7: (10, "Gateway VPC"), 8: (11, "Internet Gateway"),
}
OTHER_BOUNDARY = (99, "-")

# flow-log columns that have no OCSF attribute: kept under `unmapped`, as Security Lake does
UNMAPPED = ("sublocation_type", "sublocation_id", "reject_reason", "resource_id", "encryption_status",
            "ecs_cluster_name", "ecs_service_name", "ecs_task_id", "interface_type")
# the interface's own IDs, which land on one endpoint depending on flow-direction
INTERFACE_IDS = (("interface_uid", "interface_id"), ("vpc_uid", "vpc_id"), ("instance_uid", "instance_id"),
                 ("subnet_uid", "subnet_id"))


def _lit(value: object) -> str:
    """A constant of the mapping tables as SQL (ints and fixed strings only, never user data)."""
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def _pick(column: str, table: dict, default: tuple, index: int) -> str:
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v[index])}" for k, v in table.items())
    return f"CASE {column} {whens} ELSE {_lit(default[index])} END"


def _endpoint(side: str, direction: str) -> str:
    addr, pkt, port, svc = (("srcaddr", "pkt_srcaddr", "srcport", "pkt_src_aws_service") if side == "src" else
                            ("dstaddr", "pkt_dstaddr", "dstport", "pkt_dst_aws_service"))
    moved = f"({pkt} IS NOT NULL AND {addr} IS NOT NULL AND {pkt} <> {addr})"
    owner = "'egress'" if side == "src" else "'ingress'"
    ids = ", ".join(f"'{uid}': CASE WHEN {direction} = {owner} THEN {col} END" for uid, col in INTERFACE_IDS)
    return (f"{{'ip': CASE WHEN {moved} THEN {pkt} ELSE {addr} END, "
            f"'intermediate_ips': CASE WHEN {moved} THEN [{addr}] END, "
            f"'port': {port}, 'svc_name': {svc}, {ids}}}")


def endpoint_ip_sql(side: str) -> str:
    """SQL: the endpoint address OCSF shows (pkt-* when it differs from the interface address)."""
    addr, pkt = ("srcaddr", "pkt_srcaddr") if side == "src" else ("dstaddr", "pkt_dstaddr")
    return f"coalesce({pkt}, {addr})"


def select(*, json_times: bool, seed: int = 0) -> str:
    """SQL select list of one OCSF event per row of a relation with the flows columns plus _sh/_dh.

    _sh/_dh are the hex of the endpoint addresses (see inner_select). json_times writes the datetime profile's
    *_dt attributes as RFC 3339 text (JSON); otherwise they are timestamps (Parquet).
    """
    direction = "flow_direction"
    activity = _pick("action", ACTIONS, UNKNOWN_ACTION, 0)

    def dt(col: str) -> str:
        ts = f"to_timestamp({col})"
        return f"strftime({ts}, '%Y-%m-%dT%H:%M:%SZ')" if json_times else ts

    unmapped = ", ".join(f"'{c}': {c}::VARCHAR" for c in UNMAPPED)
    unowned = ", ".join(f"'{col}': CASE WHEN {direction} IS NULL THEN {col} END" for _, col in INTERFACE_IDS)
    community = community_id_sql("_sh", "_dh", "srcport", "dstport", "protocol", seed)
    return f"""{activity} AS activity_id,
  {_pick("action", ACTIONS, UNKNOWN_ACTION, 1)} AS activity_name,
  'Network Activity' AS category_name,
  {CATEGORY_UID} AS category_uid,
  'Network Activity' AS class_name,
  {CLASS_UID} AS class_uid,
  {{'account': {{'uid': account_id}}, 'provider': 'AWS', 'region': region, 'zone': az_id}} AS cloud,
  {{'boundary': {_pick("traffic_path", BOUNDARIES, OTHER_BOUNDARY, 1)},
    'boundary_id': {_pick("traffic_path", BOUNDARIES, OTHER_BOUNDARY, 0)},
    'community_uid': {community},
    'direction': {_pick(direction, DIRECTIONS, UNKNOWN_DIRECTION, 1)},
    'direction_id': {_pick(direction, DIRECTIONS, UNKNOWN_DIRECTION, 0)},
    'protocol_num': protocol,
    'protocol_ver': "type",
    'tcp_flags': tcp_flags}} AS connection_info,
  {_pick("action", ACTIONS, UNKNOWN_ACTION, 3)} AS disposition,
  {_pick("action", ACTIONS, UNKNOWN_ACTION, 2)} AS disposition_id,
  {_pick("action", ACTIONS, UNKNOWN_ACTION, 5)} AS action,
  {_pick("action", ACTIONS, UNKNOWN_ACTION, 4)} AS action_id,
  {_endpoint("dst", direction)} AS dst_endpoint,
  "end" * 1000 AS end_time,
  {dt('"end"')} AS end_time_dt,
  {{'product': {{'feature': {{'name': 'Flowlogs'}}, 'name': 'Amazon VPC', 'vendor_name': 'AWS',
    'version': version::VARCHAR}}, 'profiles': {list(PROFILES)}, 'version': '{OCSF_VERSION}'}} AS metadata,
  'Informational' AS severity,
  1 AS severity_id,
  {_endpoint("src", direction)} AS src_endpoint,
  start * 1000 AS start_time,
  {dt("start")} AS start_time_dt,
  log_status AS status_code,
  start * 1000 AS time,
  {dt("start")} AS time_dt,
  {{'bytes': bytes, 'packets': packets}} AS traffic,
  'Network Activity: ' || {_pick("action", ACTIONS, UNKNOWN_ACTION, 1)} AS type_name,
  {CLASS_UID * 100} + {activity} AS type_uid,
  {{{unmapped}, {unowned}}} AS unmapped"""


def inner_select() -> str:
    """SQL select list adding the endpoint addresses' hex (for the Community ID) to the flows columns."""
    return f"*, {ip_hex_sql(endpoint_ip_sql('src'))} AS _sh, {ip_hex_sql(endpoint_ip_sql('dst'))} AS _dh"
