# vpcflow rules suggest: remove these rules from your configuration
#   security-group sg-0d466bd256ec7966b inbound sgr-006fd9ce10852f5f2: tcp 22 0.0.0.0/0 allow
#   security-group sg-0d466bd256ec7966b inbound sgr-0380e0bf1939a5e59: tcp 8443 0.0.0.0/0 allow
#   security-group sg-0d466bd256ec7966b outbound sgr-0c1ab16f465f8a740: udp 123 0.0.0.0/0 allow
#   security-group sg-0d466bd256ec7966b outbound sgr-0d6f59d7766f31f32: all all ::/0 allow
#   security-group sg-02d738ef78fadb1bb inbound sgr-0327a7b4207a7b7d7: tcp 9000 sg-0d466bd256ec7966b allow
#   security-group sg-0290fd58ee9a36e8d inbound sgr-09c4426f9a07554b4: tcp 5432 10.60.0.0/16 allow
#   security-group sg-0290fd58ee9a36e8d inbound sgr-089e327f25e08ce00: tcp 5432 10.60.1.0/24 allow
#   security-group sg-0290fd58ee9a36e8d outbound sgr-01a2f44f601f9fbfb: all all 0.0.0.0/0 allow
#   security-group sg-027590f4ab2c1d4eb inbound sgr-0b62e46e646747e3e: all all sg-027590f4ab2c1d4eb allow
#   security-group sg-027590f4ab2c1d4eb outbound sgr-050cd1c38fbbd6e3e: all all 0.0.0.0/0 allow
#   security-group sg-027590f4ab2c1d4eb outbound sgr-03b8c041ff0353b6f: all all ::/0 allow
#   network-acl acl-055d46eca4bc9d08c inbound 110: tcp 22 0.0.0.0/0 allow
#   network-acl acl-055d46eca4bc9d08c inbound 120: tcp 22 198.51.100.0/24 allow
#   network-acl acl-055d46eca4bc9d08c inbound 130: tcp 1024-65535 10.60.0.0/16 allow
#   network-acl acl-055d46eca4bc9d08c inbound 140: udp 123 0.0.0.0/0 allow
#   network-acl acl-055d46eca4bc9d08c inbound 170: tcp all 10.60.0.0/16 allow
#   network-acl acl-00daaf1bf12f5b7df inbound 100: tcp 8080 10.60.0.0/24 allow
#   network-acl acl-00daaf1bf12f5b7df inbound 110: tcp 5432 10.60.1.0/24 allow
#   network-acl acl-00daaf1bf12f5b7df inbound 120: tcp 1024-65535 10.60.0.0/16 allow
#   network-acl acl-00daaf1bf12f5b7df inbound 130: udp 53 0.0.0.0/0 allow
#   network-acl acl-00daaf1bf12f5b7df outbound 100: tcp 1024-65535 10.60.0.0/16 allow
#   network-acl acl-00daaf1bf12f5b7df outbound 110: tcp 5432 10.60.2.0/24 allow
#   network-acl acl-00daaf1bf12f5b7df outbound 120: all all 0.0.0.0/0 allow

resource "aws_vpc_security_group_ingress_rule" "sg_0d466bd256ec7966b_in_0" {
  security_group_id = "sg-0d466bd256ec7966b"
  cidr_ipv4 = "198.51.100.5/32"
  ip_protocol = "tcp"
  from_port = 22
  to_port = 22
}

resource "aws_vpc_security_group_egress_rule" "sg_0d466bd256ec7966b_out_1" {
  security_group_id = "sg-0d466bd256ec7966b"
  cidr_ipv4 = "192.0.2.1/32"
  ip_protocol = "udp"
  from_port = 123
  to_port = 123
}

resource "aws_vpc_security_group_egress_rule" "sg_0d466bd256ec7966b_out_2" {
  security_group_id = "sg-0d466bd256ec7966b"
  cidr_ipv4 = "192.0.2.4/32"
  ip_protocol = "udp"
  from_port = 123
  to_port = 123
}

resource "aws_vpc_security_group_egress_rule" "sg_0d466bd256ec7966b_out_3" {
  security_group_id = "sg-0d466bd256ec7966b"
  cidr_ipv4 = "192.0.2.7/32"
  ip_protocol = "udp"
  from_port = 123
  to_port = 123
}

resource "aws_vpc_security_group_egress_rule" "sg_0d466bd256ec7966b_out_4" {
  security_group_id = "sg-0d466bd256ec7966b"
  cidr_ipv4 = "192.0.2.10/32"
  ip_protocol = "udp"
  from_port = 123
  to_port = 123
}

resource "aws_vpc_security_group_ingress_rule" "sg_0290fd58ee9a36e8d_in_5" {
  security_group_id = "sg-0290fd58ee9a36e8d"
  cidr_ipv4 = "10.60.1.10/31"
  ip_protocol = "tcp"
  from_port = 5432
  to_port = 5432
}

resource "aws_network_acl_rule" "acl_055d46eca4bc9d08c_in_6" {
  network_acl_id = "acl-055d46eca4bc9d08c"
  rule_number = 110
  egress = false
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "198.51.100.5/32"
  from_port = 22
  to_port = 22
}

resource "aws_network_acl_rule" "acl_055d46eca4bc9d08c_in_7" {
  network_acl_id = "acl-055d46eca4bc9d08c"
  rule_number = 130
  egress = false
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.1.10/31"
  from_port = 1024
  to_port = 65535
}

resource "aws_network_acl_rule" "acl_055d46eca4bc9d08c_in_8" {
  network_acl_id = "acl-055d46eca4bc9d08c"
  rule_number = 140
  egress = false
  protocol = "udp"
  rule_action = "allow"
  cidr_block = "192.0.2.1/32"
  from_port = 123
  to_port = 123
}

resource "aws_network_acl_rule" "acl_055d46eca4bc9d08c_in_9" {
  network_acl_id = "acl-055d46eca4bc9d08c"
  rule_number = 141
  egress = false
  protocol = "udp"
  rule_action = "allow"
  cidr_block = "192.0.2.4/32"
  from_port = 123
  to_port = 123
}

resource "aws_network_acl_rule" "acl_055d46eca4bc9d08c_in_10" {
  network_acl_id = "acl-055d46eca4bc9d08c"
  rule_number = 142
  egress = false
  protocol = "udp"
  rule_action = "allow"
  cidr_block = "192.0.2.7/32"
  from_port = 123
  to_port = 123
}

resource "aws_network_acl_rule" "acl_055d46eca4bc9d08c_in_11" {
  network_acl_id = "acl-055d46eca4bc9d08c"
  rule_number = 143
  egress = false
  protocol = "udp"
  rule_action = "allow"
  cidr_block = "192.0.2.10/32"
  from_port = 123
  to_port = 123
}

resource "aws_network_acl_rule" "acl_00daaf1bf12f5b7df_in_12" {
  network_acl_id = "acl-00daaf1bf12f5b7df"
  rule_number = 100
  egress = false
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.0.10/31"
  from_port = 8080
  to_port = 8080
}

resource "aws_network_acl_rule" "acl_00daaf1bf12f5b7df_in_13" {
  network_acl_id = "acl-00daaf1bf12f5b7df"
  rule_number = 110
  egress = false
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.1.10/31"
  from_port = 5432
  to_port = 5432
}

resource "aws_network_acl_rule" "acl_00daaf1bf12f5b7df_in_14" {
  network_acl_id = "acl-00daaf1bf12f5b7df"
  rule_number = 120
  egress = false
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.2.10/32"
  from_port = 1024
  to_port = 65535
}

resource "aws_network_acl_rule" "acl_00daaf1bf12f5b7df_out_15" {
  network_acl_id = "acl-00daaf1bf12f5b7df"
  rule_number = 100
  egress = true
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.0.10/31"
  from_port = 1024
  to_port = 65535
}

resource "aws_network_acl_rule" "acl_00daaf1bf12f5b7df_out_16" {
  network_acl_id = "acl-00daaf1bf12f5b7df"
  rule_number = 101
  egress = true
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.1.10/31"
  from_port = 1024
  to_port = 65535
}

resource "aws_network_acl_rule" "acl_00daaf1bf12f5b7df_out_17" {
  network_acl_id = "acl-00daaf1bf12f5b7df"
  rule_number = 102
  egress = true
  protocol = "tcp"
  rule_action = "allow"
  cidr_block = "10.60.2.10/32"
  from_port = 1024
  to_port = 65535
}
