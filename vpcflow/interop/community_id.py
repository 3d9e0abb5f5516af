"""Community ID v1: one hash that names a flow the same way in both directions, in Python and in DuckDB SQL.

The hash is SHA-1 over: seed (2 bytes), the lower endpoint's address, the higher one's, protocol (1 byte), a zero
byte, then the two ports (2 bytes each, only for TCP, UDP, SCTP, ICMP and ICMPv6), base64-encoded after '1:'.
For ICMP the ports are the type and code; a type with a counterpart (echo/echo-reply, ...) is paired with it so
both directions agree. Flow logs carry no ICMP type or code (ports 0 0), so those hashes are a convention.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress

ICMP, TCP, UDP, ICMP6, SCTP = 1, 6, 17, 58, 132
PORTED = (ICMP, TCP, UDP, ICMP6, SCTP)

# type -> counterpart type; a type not listed is one-way and keeps its code as the second "port"
ICMP_COUNTERPARTS = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}
ICMP6_COUNTERPARTS = {128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130,
                      139: 140, 140: 139, 144: 145, 145: 144, 146: 147, 147: 146}
COUNTERPARTS = {ICMP: ICMP_COUNTERPARTS, ICMP6: ICMP6_COUNTERPARTS}


def community_id(src_ip: str, dst_ip: str, src_port: int | None, dst_port: int | None, protocol: int,
                 seed: int = 0) -> str:
    """The Community ID v1 string of one flow, e.g. '1:Ln/vlDqu658GHymxjnRAaUF8KS4='."""
    src = ipaddress.ip_address(src_ip).packed
    dst = ipaddress.ip_address(dst_ip).packed
    one_way = False
    if protocol in COUNTERPARTS:
        icmp_type, code = src_port or 0, dst_port or 0
        pair = COUNTERPARTS[protocol]
        one_way = icmp_type not in pair
        src_port, dst_port = icmp_type, (code if one_way else pair[icmp_type])
    if not (one_way or (src, src_port or 0) <= (dst, dst_port or 0)):
        src, dst, src_port, dst_port = dst, src, dst_port, src_port
    payload = seed.to_bytes(2, "big") + src + dst + bytes([protocol, 0])
    if protocol in PORTED:
        payload += (src_port or 0).to_bytes(2, "big") + (dst_port or 0).to_bytes(2, "big")
    return "1:" + base64.b64encode(hashlib.sha1(payload).digest()).decode("ascii")


# ---- SQL: the same hash as one DuckDB expression over columns (no extension, no UDF) ----

def ip_hex_sql(ip: str) -> str:
    """SQL: an address column as lower-case hex of its bytes (8 digits for IPv4, 32 for IPv6; NULL if malformed)."""
    # string_split once, then index: four split_part calls cost about ten times more
    v4 = (f"(SELECT printf('%02x%02x%02x%02x', TRY_CAST(q[1] AS UTINYINT), TRY_CAST(q[2] AS UTINYINT), TRY_CAST(q[3] AS UTINYINT), TRY_CAST(q[4] AS UTINYINT)) "
          f"FROM (SELECT string_split({ip}, '.') AS q))")
    def groups(part: str) -> str:  # '1:ab::' halves -> zero-padded hex; an empty half -> ''
        s = f"split_part(lower({ip}), '::', {part})"
        return (f"CASE WHEN {s} = '' THEN '' ELSE "
                f"array_to_string(list_transform(string_split({s}, ':'), lambda g: lpad(g, 4, '0')), '') END")
    head = groups("1")
    tail = f"CASE WHEN contains({ip}, '::') THEN {groups('2')} ELSE '' END"
    v6 = f"({head} || repeat('0', 32 - length({head}) - length({tail})) || {tail})"
    return (f"CASE WHEN {ip} IS NULL THEN NULL WHEN contains({ip}, ':') THEN "
            f"CASE WHEN contains({ip}, '.') THEN NULL ELSE {v6} END ELSE {v4} END")


def _case(column: str, mapping: dict[int, int], default: str) -> str:
    whens = " ".join(f"WHEN {k} THEN {v}" for k, v in sorted(mapping.items()))
    return f"CASE {column} {whens} ELSE {default} END"


def community_id_sql(src_hex: str, dst_hex: str, src_port: str, dst_port: str, protocol: str,
                     seed: int = 0) -> str:
    """SQL: Community ID v1 from hex address columns (see ip_hex_sql), ports and protocol columns.

    The seed is a validated int (0..65535) written as hex digits, never user text.
    """
    if not 0 <= int(seed) <= 0xFFFF:
        raise ValueError("community id seed must be 0..65535")
    sp, dp = f"coalesce({src_port}, 0)", f"coalesce({dst_port}, 0)"
    # ICMP: (type, code) -> (type, counterpart) when the type has one; one-way types keep their order
    icmp_dp = (f"CASE {protocol} WHEN {ICMP} THEN {_case(sp, ICMP_COUNTERPARTS, dp)} "
               f"WHEN {ICMP6} THEN {_case(sp, ICMP6_COUNTERPARTS, dp)} ELSE {dp} END")
    one_way = (f"(({protocol} = {ICMP} AND {sp} NOT IN ({', '.join(map(str, ICMP_COUNTERPARTS))})) OR "
               f"({protocol} = {ICMP6} AND {sp} NOT IN ({', '.join(map(str, ICMP6_COUNTERPARTS))})))")
    forward = f"({one_way} OR {src_hex} < {dst_hex} OR ({src_hex} = {dst_hex} AND {sp} <= {icmp_dp}))"
    ports = (f"CASE WHEN {protocol} IN ({', '.join(map(str, PORTED))}) THEN "
             f"lpad(to_hex(CASE WHEN {forward} THEN {sp}::UINTEGER * 65536 + {icmp_dp} ELSE {icmp_dp}::UINTEGER * 65536 + {sp} END), 8, '0') "
             f"ELSE '' END")
    payload = (f"'{int(seed):04x}' || CASE WHEN {forward} THEN {src_hex} || {dst_hex} ELSE {dst_hex} || {src_hex} END"
               f" || lpad(to_hex({protocol}), 2, '0') || '00' || {ports}")
    return f"('1:' || to_base64(unhex(sha1(unhex({payload})))))"
