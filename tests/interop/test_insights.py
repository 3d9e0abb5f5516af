"""Logs Insights over the store: AWS's sample flow-log queries run, translate to golden SQL, and give the answers;
anything unsupported is an error naming the construct and its position."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcflow.interop.insights import InsightsError, run, translate

from ..support import assert_golden

GOLDEN = Path(__file__).with_name("golden") / "insights"

# the flow-log samples of AWS's Logs Insights documentation (spec 4.2), and the common additions
SAMPLES = {
    "top_packet_transfers": "stats sum(packets) as packetsTransferred by srcAddr, dstAddr\n"
                            "| sort packetsTransferred  desc\n| limit 15",
    "top_bytes_from_subnet": 'filter isIpv4InSubnet(srcAddr, "192.0.2.0/24")\n'
                             "| stats sum(bytes) as bytesTransferred by dstAddr\n| sort bytesTransferred  desc\n"
                             "| limit 15",
    "top_bytes_for_host_old_form": 'filter srcAddr= "192.0.2.0/24"\n| stats sum(bytes) as bytesTransferred by dstAddr\n'
                                   "| sort bytesTransferred  desc\n| limit 15",
    "udp_sources": "filter protocol=17 | stats count(*) by srcAddr",
    "skipdata_per_hour": 'filter logStatus="SKIPDATA"\n| stats count(*) by bin(1h) as t\n| sort t',
    "recent_events": "fields @timestamp, @message | sort @timestamp desc | limit 25",
    "custom_format_parse": 'parse @message "* * * * * * * * * * * * * *" as version, accountid, interfaceid, '
                           "srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action, "
                           "logstatus\n| filter dstport = 22\n| display srcaddr, dstport, bytes",
    "rejected_sources": 'filter action="REJECT" | stats count(*) as numRejections by srcAddr '
                        "| sort numRejections desc | limit 20",
    "rejects_per_10_minutes": 'filter action="REJECT" | stats count(*) as rejects by bin(10m)',
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_query_translates_to_its_golden_sql(name):
    sql, params = translate(SAMPLES[name])
    text = f"{sql}\n-- params: {json.dumps(params)}\n"
    assert_golden(GOLDEN / f"{name}.sql", text)


# what each sample gives on the interop store (8 documented records, 4 v5 records): its columns and row count
SHAPES = {
    "top_packet_transfers": (["srcAddr", "dstAddr", "packetsTransferred"], 11),  # 10 pairs + NODATA/SKIPDATA's
    "top_bytes_from_subnet": (["dstAddr", "bytesTransferred"], 0),  # no source in 192.0.2.0/24
    "top_bytes_for_host_old_form": (["dstAddr", "bytesTransferred"], 0),
    "udp_sources": (["srcAddr", "count(*)"], 1),
    "skipdata_per_hour": (["t", "count(*)"], 1),
    "recent_events": (["@timestamp", "@message"], 12),  # every record, under the limit of 25
    "custom_format_parse": (["srcaddr", "dstport", "bytes"], 3),  # SSH over IPv4, over IPv6, and the v5 reject
    "rejected_sources": (["srcAddr", "numRejections"], 3),
    "rejects_per_10_minutes": (["bin(10m)", "rejects"], 3),  # the three rejects fall in 2014, 2015 and 2023
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_query_gives_its_columns_and_rows_on_the_store(con, name):
    table = run(con, SAMPLES[name])
    assert (table.column_names, table.num_rows) == SHAPES[name]


def test_udp_sources_counts_records_per_source(con):
    assert run(con, SAMPLES["udp_sources"]).to_pylist() == [{"srcAddr": "198.51.100.7", "count(*)": 1}]


def test_skipdata_per_hour_bins_the_record_start(con):
    rows = run(con, SAMPLES["skipdata_per_hour"]).to_pylist()
    assert [(r["t"].isoformat(), r["count(*)"]) for r in rows] == [("2015-05-10T18:00:00+00:00", 1)]


def test_subnet_filter_keeps_only_sources_inside_the_block(con):
    rows = run(con, 'filter isIpv4InSubnet(srcAddr, "172.31.0.0/16") | stats count(*) as n by srcAddr').to_pylist()
    assert sorted(r["srcAddr"] for r in rows) == ["172.31.16.139", "172.31.9.69"]


def test_ipv6_subnet_filter_matches_ipv6_sources(con):
    rows = run(con, 'filter isIpInSubnet(srcAddr, "2001:db8::/32") | fields srcAddr').to_pylist()
    assert rows == [{"srcAddr": "2001:db8:1234:a100:8d6e:3477:df66:f105"}]


def test_top_packet_transfers_sorts_descending_and_limits(con):
    rows = run(con, "stats sum(packets) as p by srcAddr | sort p desc | limit 2").to_pylist()
    assert [int(r["p"]) for r in rows] == [54, 24]  # 172.31.16.139: 20 TCP + 4 ICMP


def test_parse_glob_extracts_typed_fields_from_the_message(con):
    rows = run(con, SAMPLES["custom_format_parse"]).to_pylist()
    assert {"srcaddr": "172.31.16.139", "dstport": 22, "bytes": 4249} in rows


def test_parse_regex_names_fields_by_group(con):
    rows = run(con, r'parse @message /(?<eni>eni-\w+) (?<src>\S+)/ | filter src = "198.51.100.7" '
                    "| fields eni").to_pylist()
    assert rows == [{"eni": "eni-1235b8ca123456789"}]


def test_like_with_a_string_matches_a_substring(con):
    rows = run(con, 'filter @message like "NODATA" | stats count(*) as n').to_pylist()
    assert rows == [{"n": 1}]


def test_in_and_not_combine_in_filter(con):
    rows = run(con, "filter dstPort in [22, 3389] and not action = 'REJECT' | stats count(*) as n").to_pylist()
    assert rows == [{"n": 2}]


def test_dedup_keeps_the_first_row_per_key_in_sort_order(con):
    rows = run(con, "filter ispresent(srcAddr) | sort bytes desc | dedup action | fields action, bytes").to_pylist()
    assert rows == [{"action": "REJECT", "bytes": 4249}, {"action": "ACCEPT", "bytes": 8855}] or \
        rows == [{"action": "ACCEPT", "bytes": 8855}, {"action": "REJECT", "bytes": 4249}]


def test_string_functions_compute_new_fields(con):
    rows = run(con, 'filter srcPort = 20641 | fields strlen(srcAddr) as n, concat(srcAddr, ":", srcPort) as ep')
    assert rows.to_pylist() == [{"n": 13, "ep": "172.31.16.139:20641"}]


def test_from_millis_and_datefloor_give_times(con):
    rows = run(con, "filter srcPort = 20641 | fields fromMillis(startTime * 1000) as t, "
                    "datefloor(@timestamp, 1h) as h").to_pylist()
    assert (rows[0]["t"].isoformat(), rows[0]["h"].isoformat()) == \
        ("2014-12-14T04:06:50+00:00", "2014-12-14T04:00:00+00:00")


def test_at_message_rebuilds_the_default_format_line(con):
    rows = run(con, "filter logStatus = 'NODATA' | fields @message").to_pylist()
    assert rows == [{"@message": "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"}]


def test_at_log_stream_is_the_interface_stream(con):
    rows = run(con, "filter srcPort = 20641 | fields @logStream").to_pylist()
    assert rows == [{"@logStream": "eni-1235b8ca123456789-all"}]


def test_since_and_until_bound_the_records_by_start(con):
    rows = run(con, "stats count(*) as n", since=1700000000, until=1700000100).to_pylist()
    assert rows == [{"n": 3}]


def test_show_sql_translation_binds_every_literal():
    sql, params = translate('filter srcAddr = "10.0.0.1" and dstPort = 22 | limit 5')
    assert "10.0.0.1" not in sql and list(params.values()) == ["10.0.0.1", 22, 5]


@pytest.mark.parametrize(("query", "message"), [
    ("stats count(*) by srcAdr", "query line 1, column 19: unknown field 'srcAdr'"),
    ("fields srcAddr\n| pattern @message", "query line 2, column 3: the 'pattern' command is not supported"),
    ("filter geoip(srcAddr)", "query line 1, column 8: unsupported function geoip()"),
    ("stats count(*) by bin(1mo)", "query line 1, column 23: unsupported time unit 'mo'"),
    ("filter srcAddr like 3", "query line 1, column 21: like needs a \"string\" or a /regex/"),
    ("fields sum(bytes)", "query line 1, column 8: sum() is an aggregate: use it in stats"),
    ('filter isIpv4InSubnet(srcAddr, "10.0.0.0/33")', "query line 1, column 32: bad subnet '10.0.0.0/33'"),
    ('parse @message "* *" as a', "the pattern has 2 '*' but 1 names follow 'as'"),
    ("limit 0", "query line 1, column 7: limit needs a whole number of rows"),
    ("filter srcAddr = \"10.0.0.1", "query line 1, column 18: unterminated string"),
])
def test_unsupported_or_bad_query_is_an_error_naming_construct_and_position(query, message):
    with pytest.raises(InsightsError) as caught:
        translate(query)
    assert message in str(caught.value)
