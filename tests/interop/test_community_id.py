"""Community ID v1, checked against the specification's published values (spec section 8)."""

from __future__ import annotations

import duckdb
import pytest

from vpcflow.interop.community_id import community_id, community_id_sql, ip_hex_sql


def test_tcp_flow_matches_published_value():
    assert community_id("78.24.182.42", "158.109.0.1", 20641, 22, 6) == "1:Ln/vlDqu658GHymxjnRAaUF8KS4="


def test_both_directions_of_a_tcp_flow_share_one_id():
    forward = community_id("216.160.83.57", "10.0.0.62", 43638, 5001, 6)
    reverse = community_id("10.0.0.62", "216.160.83.57", 5001, 43638, 6)
    assert forward == reverse == "1:NKnj38v7hoqC47oCLJ5opK+yqZc="


def test_icmp_flow_with_flow_log_ports_matches_published_value():
    assert community_id("203.0.113.12", "172.31.16.139", 0, 0, 1) == "1:H//CCQJhRqDUJ9c23S0VrQ+drxU="


FLOWS = [
    ("78.24.182.42", "158.109.0.1", 20641, 22, 6),
    ("10.0.0.62", "216.160.83.57", 5001, 43638, 6),
    ("203.0.113.12", "172.31.16.139", 0, 0, 1),
    ("172.31.16.139", "203.0.113.12", 8, 0, 1),
    ("10.0.0.1", "10.0.0.1", 53, 40000, 17),
    ("2001:db8:1234:a100:8d6e:3477:df66:f105", "2001:db8:1234:a102:3304:8879:34cf:4071", 34892, 22, 6),
    ("::1", "fe80::1:2", 0, 0, 58),
    ("fe80::", "::", 5, 6, 132),
    ("10.0.0.1", "10.0.0.2", None, None, 50),
]


def test_sql_expression_gives_the_python_value_for_every_flow():
    con = duckdb.connect()
    con.execute("CREATE TABLE f (s VARCHAR, d VARCHAR, sp INTEGER, dp INTEGER, p INTEGER)")
    con.executemany("INSERT INTO f VALUES (?, ?, ?, ?, ?)", FLOWS)
    hexed = f"SELECT *, {ip_hex_sql('s')} AS sh, {ip_hex_sql('d')} AS dh FROM f"
    rows = con.execute(f"SELECT s, d, sp, dp, p, {community_id_sql('sh', 'dh', 'sp', 'dp', 'p')} FROM ({hexed})")
    for s, d, sp, dp, p, sql_value in rows.fetchall():
        assert sql_value == community_id(s, d, sp, dp, p), (s, d, sp, dp, p)


def test_sql_hex_of_an_address_is_its_bytes():
    con = duckdb.connect()
    got = con.execute(f"SELECT {ip_hex_sql('$a')}", {"a": "2001:db8::ff00:42:8329"}).fetchone()[0]
    assert got == "20010db8000000000000ff0000428329"


def test_sql_hex_of_text_that_is_no_address_is_null():
    con = duckdb.connect()
    assert con.execute(f"SELECT {ip_hex_sql('$a')}", {"a": "not.an.ip.x"}).fetchone()[0] is None


def test_seed_outside_two_bytes_is_refused():
    with pytest.raises(ValueError):
        community_id_sql("a", "b", "c", "d", "e", seed=70000)
