"""AWS's documented examples, replayed through the emulator and checked line by line.

Each expectation is written by hand from the example it follows (spec: aws-doc-examples.txt); where the
emulator's model differs from the doc's sample numbers (a rejected TCP client retries its SYN three times; both
directions of an exchange start in the same second), the comment says so.
"""

from __future__ import annotations

from vpcflow.emulate.traffic import FLOW, TCP, Session

from .helpers import capture_lines

ACCOUNT = "123456789010"
ENI = "eni-1235b8ca123456789"


def _vpc(cidr, subnets, interfaces, groups, acls=()):
    return {"account": ACCOUNT, "region": "us-east-1", "vpc": {"cidr": cidr, "id": "vpc-abcdefab012345678"},
            "subnets": subnets, "interfaces": interfaces, "security_groups": groups, "network_acls": list(acls)}


def _session(t0, t1, client, server, protocol, cport, sport, req, resp, shape):
    def make(topology):
        side = {name: topology.interface(name) for name in topology.roles}
        return Session(t0, t1, side.get(client, client), side.get(server, server), protocol, cport, sport,
                       req[0], req[1], resp[0], resp[1], shape)
    return make


SSH_VPC = _vpc("172.31.0.0/16", [{"name": "a", "cidr": "172.31.0.0/20", "az_id": "use1-az1"},
                                 {"name": "b", "cidr": "172.31.16.0/20", "az_id": "use1-az2"}],
               [{"name": "server", "subnet": "b", "ip": "172.31.16.21", "id": ENI, "security_groups": ["ssh"]},
                {"name": "client", "subnet": "b", "ip": "172.31.16.139", "security_groups": ["ssh"]},
                {"name": "rdp-server", "subnet": "a", "ip": "172.31.9.12", "security_groups": ["ssh"]},
                {"name": "rdp-client", "subnet": "a", "ip": "172.31.9.69", "security_groups": ["ssh"]}],
               [{"name": "ssh", "inbound": [{"protocol": "tcp", "ports": 22, "cidr": "172.31.0.0/16"}]}])


def test_ssh_accepted_is_one_record_each_way():
    lines = capture_lines(SSH_VPC, [_session(1418530010, 1418530070, "client", "server", 6, 20641, 22,
                                             (20, 4249), (18, 3012), TCP)],
                          start=1418529600, end=1418530200, interfaces=["server"])
    assert lines == [
        f"2 {ACCOUNT} {ENI} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        f"2 {ACCOUNT} {ENI} 172.31.16.21 172.31.16.139 22 20641 6 18 3012 1418530010 1418530070 ACCEPT OK",
    ]


def test_rdp_rejected_by_security_group_is_one_inbound_reject():
    # doc: 20 packets; here the client's unanswered SYN is retried at 0, 1 and 3 seconds
    lines = capture_lines(SSH_VPC, [_session(1418530010, 1418530070, "rdp-client", "rdp-server", 6, 49761, 3389,
                                             (20, 4249), (18, 3012), TCP)],
                          start=1418529600, end=1418530200, interfaces=["rdp-server"])
    assert len(lines) == 1
    assert lines[0].split()[3:] == ["172.31.9.69", "172.31.9.12", "49761", "3389", "6", "3", "180",
                                    "1418530010", "1418530013", "REJECT", "OK"]


def test_rdp_client_sees_its_own_syns_accepted_on_egress():
    lines = capture_lines(SSH_VPC, [_session(1418530010, 1418530070, "rdp-client", "rdp-server", 6, 49761, 3389,
                                             (20, 4249), (18, 3012), TCP)],
                          start=1418529600, end=1418530200, interfaces=["rdp-client"])
    assert [line.split()[3:] for line in lines] == [
        ["172.31.9.69", "172.31.9.12", "49761", "3389", "6", "3", "180", "1418530010", "1418530013", "ACCEPT", "OK"]]


PING_VPC = _vpc("172.31.0.0/16", [{"name": "web", "cidr": "172.31.16.0/20", "public": True, "network_acl": "acl"}],
                [{"name": "web", "subnet": "web", "ip": "172.31.16.139", "id": ENI, "public": True,
                  "security_groups": ["icmp"]}],
                [{"name": "icmp", "inbound": [{"protocol": "icmp", "cidr": "0.0.0.0/0"}]}],
                [{"name": "acl", "inbound": [{"rule": 100, "protocol": "all", "cidr": "0.0.0.0/0"}],
                  "outbound": [{"rule": 100, "protocol": "tcp", "ports": "1-65535", "cidr": "0.0.0.0/0"}]}])


def test_ping_through_acl_that_blocks_replies_is_accept_then_reject():
    # doc sg-nacl-1/2; the doc's reply starts at 1432917094, the emulator's reply leaves with the request's second
    lines = capture_lines(PING_VPC, [_session(1432917027, 1432917142, "203.0.113.12", "web", 1, 0, 0,
                                              (4, 336), (4, 336), FLOW)],
                          start=1432917000, end=1432917600)
    assert lines == [
        f"2 {ACCOUNT} {ENI} 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
        f"2 {ACCOUNT} {ENI} 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917027 1432917142 REJECT OK",
    ]


def test_ping_with_acl_allowing_replies_is_two_accepts():
    vpc = {**PING_VPC, "network_acls": [{"name": "acl", "inbound": [{"rule": 100, "cidr": "0.0.0.0/0"}],
                                         "outbound": [{"rule": 100, "cidr": "0.0.0.0/0"}]}]}
    lines = capture_lines(vpc, [_session(1432917027, 1432917142, "203.0.113.12", "web", 1, 0, 0,
                                         (4, 336), (4, 336), FLOW)], start=1432917000, end=1432917600)
    assert [line.split()[-2] for line in lines] == ["ACCEPT", "ACCEPT"]


def test_idle_interface_writes_nodata_for_each_window():
    lines = capture_lines(PING_VPC, [], start=1431280800, end=1431280920, interval=60, keep_nodata=True)
    assert lines == [f"2 {ACCOUNT} {ENI} - - - - - - - 1431280800 1431280858 - NODATA",
                     f"2 {ACCOUNT} {ENI} - - - - - - - 1431280860 1431280918 - NODATA"]


TCP_FORMAT = ("${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} "
              "${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} "
              "${start} ${end} ${action} ${tcp-flags} ${log-status}")
TCP_VPC = _vpc("10.0.0.0/16", [{"name": "a", "cidr": "10.0.0.0/24", "public": True,
                                "id": "subnet-aaaaaaaa012345678"}],
               [{"name": "server", "subnet": "a", "ip": "10.0.0.62", "id": ENI, "public": True,
                 "instance_id": "i-01234567890123456", "security_groups": ["app"]}],
               [{"name": "app", "inbound": [{"protocol": "tcp", "ports": 5001, "cidr": "0.0.0.0/0"}]}])
PREFIX = f"3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 {ENI} {ACCOUNT} IPv4"


def test_tcp_flags_of_a_connection_split_across_windows():
    # 8 client packets evenly over 1566848875..1566848933.5: the SYN alone in the first 60 s window, the other
    # 7 (ending with FIN) in the second; 568 bytes split 71 / 497. The server's 7 packets: SYN-ACK first, FIN last.
    lines = capture_lines(TCP_VPC, [_session(1566848875, 1566848933.5, "52.213.180.42", "server", 6, 43418, 5001,
                                             (8, 568), (7, 376), TCP)],
                          start=1566848820, end=1566849000, interval=60, format=TCP_FORMAT)
    assert lines == [
        f"{PREFIX} 52.213.180.42 10.0.0.62 43418 5001 52.213.180.42 10.0.0.62 6 71 1 1566848875 1566848875 ACCEPT 2 OK",
        f"{PREFIX} 10.0.0.62 52.213.180.42 5001 43418 10.0.0.62 52.213.180.42 6 53 1 1566848875 1566848875 ACCEPT 18 OK",
        f"{PREFIX} 52.213.180.42 10.0.0.62 43418 5001 52.213.180.42 10.0.0.62 6 497 7 1566848883 1566848933 ACCEPT 1 OK",
        f"{PREFIX} 10.0.0.62 52.213.180.42 5001 43418 10.0.0.62 52.213.180.42 6 323 6 1566848884 1566848933 ACCEPT 1 OK",
    ]


def test_short_connection_ors_syn_and_fin_into_3_and_19():
    lines = capture_lines(TCP_VPC, [_session(1566933133, 1566933150, "52.213.180.42", "server", 6, 43638, 5001,
                                             (17, 1260), (14, 967), TCP)],
                          start=1566933120, end=1566933180, interval=60, format=TCP_FORMAT)
    assert lines == [
        f"{PREFIX} 52.213.180.42 10.0.0.62 43638 5001 52.213.180.42 10.0.0.62 6 1260 17 1566933133 1566933150 ACCEPT 3 OK",
        f"{PREFIX} 10.0.0.62 52.213.180.42 5001 43638 10.0.0.62 52.213.180.42 6 967 14 1566933133 1566933150 ACCEPT 19 OK",
    ]


NAT_FORMAT = "${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}"
NAT_VPC = _vpc("10.0.0.0/16", [{"name": "public", "cidr": "10.0.0.0/24", "public": True},
                               {"name": "private", "cidr": "10.0.1.0/24", "nat_gateway": "nat"}],
               [{"name": "nat", "type": "nat_gateway", "subnet": "public", "ip": "10.0.0.220", "id": ENI},
                {"name": "app", "subnet": "private", "ip": "10.0.1.5", "id": "eni-1111aaaa2222bbbb3",
                 "instance_id": "i-01234567890123456"}],
               [])


def test_nat_gateway_records_hold_the_real_endpoints_in_pkt_fields():
    lines = capture_lines(NAT_VPC, [_session(1700000010, 1700000011, "app", "203.0.113.5", 6, 40000, 443,
                                             (5, 600), (5, 900), TCP)],
                          start=1699999800, end=1700000400, format=NAT_FORMAT)
    assert sorted(lines) == sorted([
        f"- {ENI} 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5",  # doc nat-1
        f"- {ENI} 10.0.0.220 203.0.113.5 10.0.0.220 203.0.113.5",  # nat-2
        f"- {ENI} 203.0.113.5 10.0.0.220 203.0.113.5 10.0.0.220",  # nat-3
        f"- {ENI} 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5",  # nat-4
        "i-01234567890123456 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 10.0.1.5 203.0.113.5",  # nat-5
        "i-01234567890123456 eni-1111aaaa2222bbbb3 203.0.113.5 10.0.1.5 203.0.113.5 10.0.1.5",  # nat-6
    ])


def test_unlogged_traffic_leaves_no_record():
    lines = capture_lines(NAT_VPC, [_session(1700000010, 1700000011, "app", "10.0.0.2", 17, 40000, 53,
                                             (1, 80), (1, 200), FLOW),
                                    _session(1700000010, 1700000011, "app", "169.254.169.254", 6, 40001, 80,
                                             (5, 400), (5, 900), TCP)],
                          start=1699999800, end=1700000400)
    assert lines == []


V5_FORMAT = ("${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} "
             "${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} "
             "${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} "
             "${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}")
S3_VPC = {**_vpc("10.0.0.0/16", [{"name": "a", "cidr": "10.0.0.0/24", "az_id": "apse2-az3", "public": True,
                                  "id": "subnet-aaaaaaaa012345678"}],
                 [{"name": "app", "subnet": "a", "ip": "10.0.0.71", "id": ENI, "instance_id": "i-0c50d5961bcb2d47b",
                   "public": True}], []),
          "account": "123456789012", "region": "ap-southeast-2",
          "peers": [{"name": "s3", "ip": "52.95.128.179", "service": "S3"}]}


def test_traffic_with_s3_names_the_service_in_pkt_aws_service_fields():
    # doc v5-1 and v5-2: 14 packets of 15,044 bytes from S3 and 7 of 471 to it, through the internet gateway
    lines = capture_lines(S3_VPC, [_session(1616729292, 1616729349, "app", "52.95.128.179", 6, 34210, 80, (7, 471),
                                            (14, 15044), TCP)],
                          start=1616729280, end=1616729400, interval=600, format=V5_FORMAT)
    common = f"123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b {ENI} ap-southeast-2"
    assert sorted(lines) == sorted([
        f"5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 {common} apse2-az3 - - ACCEPT 19 "
        "52.95.128.179 10.0.0.71 S3 - - ingress OK",  # doc v5-1
        f"5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 {common} apse2-az3 - - ACCEPT 3 "
        "10.0.0.71 52.95.128.179 - S3 8 egress OK",  # doc v5-2
    ])


TGW_FORMAT = ("${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} "
              "${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} "
              "${log-status}")
TGW_VPC = {**_vpc("10.40.0.0/16", [{"name": "one", "cidr": "10.40.1.0/24", "az_id": "use1-az1",
                                    "id": "subnet-11111111aaaaaaaaa"},
                                   {"name": "two", "cidr": "10.40.2.0/24", "az_id": "use1-az2",
                                    "id": "subnet-22222222bbbbbbbbb"}],
                  [{"name": "tgw-one", "type": "transit_gateway", "subnet": "one", "ip": "10.40.1.175",
                    "id": "eni-11111111111111111"},
                   {"name": "tgw-two", "type": "transit_gateway", "subnet": "two", "ip": "10.40.2.31",
                    "id": "eni-22222222222222222"},
                   {"name": "web", "subnet": "two", "ip": "10.40.2.236", "id": "eni-33333333333333333",
                    "instance_id": "i-01234567890123456", "security_groups": ["web"]}],
                  [{"name": "web", "inbound": [{"protocol": "tcp", "ports": 80, "cidr": "10.20.0.0/16"}]}]),
           "peers": [{"name": "vpc-a", "ip": "10.20.33.164", "via": "transit-gateway", "az_id": "use1-az1"}]}


def test_transit_gateway_attachment_interfaces_log_the_far_end_in_pkt_fields():
    # doc tgw-1 to tgw-4: a client in VPC A (use1-az1) asks the web server in VPC B (use1-az2); the request comes
    # in through the attachment's interface in the client's AZ, the response leaves through the one in the server's
    lines = capture_lines(TGW_VPC, [_session(1700000010, 1700000011, "10.20.33.164", "web", 6, 39812, 80,
                                             (3, 180), (3, 300), TCP)],
                          start=1699999800, end=1700000400, format=TGW_FORMAT)
    vpc = "123456789010 vpc-abcdefab012345678"
    assert sorted(lines) == sorted([
        f"3 eni-33333333333333333 {vpc} subnet-22222222bbbbbbbbb i-01234567890123456 10.20.33.164 10.40.2.236 "
        "39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK",  # doc tgw-1
        f"3 eni-33333333333333333 {vpc} subnet-22222222bbbbbbbbb i-01234567890123456 10.40.2.236 10.20.33.164 "
        "80 39812 6 19 IPv4 10.40.2.236 10.20.33.164 ACCEPT OK",  # tgw-2
        f"3 eni-11111111111111111 {vpc} subnet-11111111aaaaaaaaa - 10.40.1.175 10.40.2.236 39812 80 6 3 IPv4 "
        "10.20.33.164 10.40.2.236 ACCEPT OK",  # tgw-3
        f"3 eni-22222222222222222 {vpc} subnet-22222222bbbbbbbbb - 10.40.2.236 10.40.2.31 80 39812 6 19 IPv4 "
        "10.40.2.236 10.20.33.164 ACCEPT OK",  # tgw-4
    ])
