#!/bin/sh
# vpcflow rules suggest: revoke, then authorize (review before running)
set -e
aws ec2 revoke-security-group-ingress --group-id sg-0d466bd256ec7966b --security-group-rule-ids sgr-006fd9ce10852f5f2
aws ec2 revoke-security-group-ingress --group-id sg-0d466bd256ec7966b --security-group-rule-ids sgr-0380e0bf1939a5e59
aws ec2 revoke-security-group-egress --group-id sg-0d466bd256ec7966b --security-group-rule-ids sgr-0c1ab16f465f8a740
aws ec2 revoke-security-group-egress --group-id sg-0d466bd256ec7966b --security-group-rule-ids sgr-0d6f59d7766f31f32
aws ec2 revoke-security-group-ingress --group-id sg-02d738ef78fadb1bb --security-group-rule-ids sgr-0327a7b4207a7b7d7
aws ec2 revoke-security-group-ingress --group-id sg-0290fd58ee9a36e8d --security-group-rule-ids sgr-09c4426f9a07554b4
aws ec2 revoke-security-group-ingress --group-id sg-0290fd58ee9a36e8d --security-group-rule-ids sgr-089e327f25e08ce00
aws ec2 revoke-security-group-egress --group-id sg-0290fd58ee9a36e8d --security-group-rule-ids sgr-01a2f44f601f9fbfb
aws ec2 revoke-security-group-ingress --group-id sg-027590f4ab2c1d4eb --security-group-rule-ids sgr-0b62e46e646747e3e
aws ec2 revoke-security-group-egress --group-id sg-027590f4ab2c1d4eb --security-group-rule-ids sgr-050cd1c38fbbd6e3e
aws ec2 revoke-security-group-egress --group-id sg-027590f4ab2c1d4eb --security-group-rule-ids sgr-03b8c041ff0353b6f
aws ec2 delete-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 110
aws ec2 delete-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 120
aws ec2 delete-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 130
aws ec2 delete-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 140
aws ec2 delete-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 170
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 100
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 110
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 120
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 130
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --egress --rule-number 100
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --egress --rule-number 110
aws ec2 delete-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --egress --rule-number 120
aws ec2 authorize-security-group-ingress --group-id sg-0d466bd256ec7966b --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=198.51.100.5/32}]'
aws ec2 authorize-security-group-egress --group-id sg-0d466bd256ec7966b --ip-permissions 'IpProtocol=udp,FromPort=123,ToPort=123,IpRanges=[{CidrIp=192.0.2.1/32}]'
aws ec2 authorize-security-group-egress --group-id sg-0d466bd256ec7966b --ip-permissions 'IpProtocol=udp,FromPort=123,ToPort=123,IpRanges=[{CidrIp=192.0.2.4/32}]'
aws ec2 authorize-security-group-egress --group-id sg-0d466bd256ec7966b --ip-permissions 'IpProtocol=udp,FromPort=123,ToPort=123,IpRanges=[{CidrIp=192.0.2.7/32}]'
aws ec2 authorize-security-group-egress --group-id sg-0d466bd256ec7966b --ip-permissions 'IpProtocol=udp,FromPort=123,ToPort=123,IpRanges=[{CidrIp=192.0.2.10/32}]'
aws ec2 authorize-security-group-ingress --group-id sg-0290fd58ee9a36e8d --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=10.60.1.10/31}]'
aws ec2 create-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 110 --protocol tcp --port-range From=22,To=22 --cidr-block 198.51.100.5/32 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 130 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.60.1.10/31 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 140 --protocol udp --port-range From=123,To=123 --cidr-block 192.0.2.1/32 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 141 --protocol udp --port-range From=123,To=123 --cidr-block 192.0.2.4/32 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 142 --protocol udp --port-range From=123,To=123 --cidr-block 192.0.2.7/32 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-055d46eca4bc9d08c --ingress --rule-number 143 --protocol udp --port-range From=123,To=123 --cidr-block 192.0.2.10/32 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 100 --protocol tcp --port-range From=8080,To=8080 --cidr-block 10.60.0.10/31 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 110 --protocol tcp --port-range From=5432,To=5432 --cidr-block 10.60.1.10/31 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --ingress --rule-number 120 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.60.2.10/32 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --egress --rule-number 100 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.60.0.10/31 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --egress --rule-number 101 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.60.1.10/31 --rule-action allow
aws ec2 create-network-acl-entry --network-acl-id acl-00daaf1bf12f5b7df --egress --rule-number 102 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.60.2.10/32 --rule-action allow
