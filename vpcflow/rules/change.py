"""A proposal as the change to apply: the rules to revoke and to authorize, for the AWS CLI, Terraform or
CloudFormation. Revocations name the security-group rule id or the ACL entry's number; nothing is applied."""

from __future__ import annotations

import json

import yaml

from ..network.topology import port_range
from .audit import Audit

CHANGE_FORMATS = ("aws-cli", "terraform", "cloudformation")
_PROTOCOL_NUMBERS = {"all": "-1", "tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "58"}


def _identity(row: dict) -> tuple:
    keys = ("kind", "id", "direction", "protocol", "ports", "peer", "action")
    return tuple(row[k] for k in keys) + ((row["rule"],) if row["kind"] == "network-acl" else ())


def diff(audit: Audit, proposal: list[dict]) -> tuple[list[dict], list[dict]]:
    """(revoke, authorize): the current rules the proposal lacks, and the proposal's rules that are new."""
    current = [r for r in audit.rows if r["rule"] != "*"]
    kept = {_identity(r) for r in proposal}
    now = {_identity(r) for r in current}
    revoke = [r for r in current if _identity(r) not in kept]  # suggest() covers every audited group and ACL
    authorize = [r for r in proposal if _identity(r) not in now]
    return revoke, authorize


def _range(ports: str) -> tuple[int, int]:
    """AWS's FromPort/ToPort: -1 for all."""
    return (-1, -1) if ports == "all" else port_range(ports)


def _peer_kind(peer: str) -> str:
    if peer.startswith("sg-"):
        return "group"
    if peer.startswith(("pl-", "com.amazonaws.")):
        return "prefix-list"
    return "ipv6" if ":" in peer else "ipv4"


def aws_cli(revoke: list[dict], authorize: list[dict]) -> str:
    lines = ["#!/bin/sh", "# vpcflow rules suggest: revoke, then authorize (review before running)", "set -e"]
    for r in revoke:
        if r["kind"] == "security-group":
            side = "ingress" if r["direction"] == "inbound" else "egress"
            lines.append(f"aws ec2 revoke-security-group-{side} --group-id {r['id']} "
                         f"--security-group-rule-ids {r['rule']}")
        else:
            flag = "--ingress" if r["direction"] == "inbound" else "--egress"
            lines.append(f"aws ec2 delete-network-acl-entry --network-acl-id {r['id']} {flag} "
                         f"--rule-number {r['rule']}")
    for r in authorize:
        low, high = _range(r["ports"])
        protocol = _PROTOCOL_NUMBERS.get(r["protocol"], r["protocol"])
        if r["kind"] == "security-group":
            side = "ingress" if r["direction"] == "inbound" else "egress"
            peer = {"group": "UserIdGroupPairs=[{GroupId=%s}]", "prefix-list": "PrefixListIds=[{PrefixListId=%s}]",
                    "ipv6": "Ipv6Ranges=[{CidrIpv6=%s}]", "ipv4": "IpRanges=[{CidrIp=%s}]"}[_peer_kind(r["peer"])]
            lines.append(f"aws ec2 authorize-security-group-{side} --group-id {r['id']} --ip-permissions "
                         f"'IpProtocol={protocol},FromPort={low},ToPort={high},{peer % r['peer']}'")
        else:
            flag = "--ingress" if r["direction"] == "inbound" else "--egress"
            cidr = "--ipv6-cidr-block" if _peer_kind(r["peer"]) == "ipv6" else "--cidr-block"
            ports = f" --port-range From={low},To={high}" if r["protocol"] in ("tcp", "udp") else ""
            lines.append(f"aws ec2 create-network-acl-entry --network-acl-id {r['id']} {flag} --rule-number "
                         f"{r['rule']} --protocol {protocol}{ports} {cidr} {r['peer']} --rule-action {r['action']}")
    return "\n".join(lines) + "\n"


def _name(r: dict, n: int) -> str:
    return f"{r['id'].replace('-', '_')}_{'in' if r['direction'] == 'inbound' else 'out'}_{n}"


def terraform(revoke: list[dict], authorize: list[dict]) -> str:
    """New rules as resources of the AWS provider; the rules to revoke listed first, to remove from the code."""
    out = ["# vpcflow rules suggest: remove these rules from your configuration"]
    out += [f"#   {r['kind']} {r['id']} {r['direction']} {r['rule']}: {r['protocol']} {r['ports']} "
            f"{r['peer']} {r['action']}" for r in revoke]
    for n, r in enumerate(authorize):
        low, high = _range(r["ports"])
        protocol = _PROTOCOL_NUMBERS.get(r["protocol"], r["protocol"])
        if r["kind"] == "security-group":
            side = "ingress" if r["direction"] == "inbound" else "egress"
            attr = {"group": "referenced_security_group_id", "prefix-list": "prefix_list_id", "ipv6": "cidr_ipv6",
                    "ipv4": "cidr_ipv4"}[_peer_kind(r["peer"])]
            body = [f'security_group_id = {json.dumps(r["id"])}', f"{attr} = {json.dumps(r['peer'])}",
                    f"ip_protocol = {json.dumps(protocol)}"]
            if protocol in ("tcp", "udp"):
                body += [f"from_port = {low}", f"to_port = {high}"]
            out.append(f'\nresource "aws_vpc_security_group_{side}_rule" "{_name(r, n)}" {{')
        else:
            cidr = "ipv6_cidr_block" if _peer_kind(r["peer"]) == "ipv6" else "cidr_block"
            body = [f'network_acl_id = {json.dumps(r["id"])}', f"rule_number = {r['rule']}",
                    f"egress = {'false' if r['direction'] == 'inbound' else 'true'}",
                    f"protocol = {json.dumps(protocol)}", f"rule_action = {json.dumps(r['action'])}",
                    f"{cidr} = {json.dumps(r['peer'])}"]
            if protocol in ("tcp", "udp"):
                body += [f"from_port = {low}", f"to_port = {high}"]
            out.append(f'\nresource "aws_network_acl_rule" "{_name(r, n)}" {{')
        out += [f"  {line}" for line in body] + ["}"]
    return "\n".join(out) + "\n"


def cloudformation(revoke: list[dict], authorize: list[dict]) -> str:
    """New rules as resources of a template; the rules to revoke as a comment above it."""
    resources = {}
    for n, r in enumerate(authorize):
        low, high = _range(r["ports"])
        protocol = _PROTOCOL_NUMBERS.get(r["protocol"], r["protocol"])
        logical = "".join(part.title() for part in _name(r, n).split("_"))
        if r["kind"] == "security-group":
            kind = _peer_kind(r["peer"])
            inbound = r["direction"] == "inbound"
            peer_key = {"group": "SourceSecurityGroupId" if inbound else "DestinationSecurityGroupId",
                        "prefix-list": "SourcePrefixListId" if inbound else "DestinationPrefixListId",
                        "ipv6": "CidrIpv6", "ipv4": "CidrIp"}[kind]
            props = {"GroupId": r["id"], "IpProtocol": protocol, peer_key: r["peer"]}
            if protocol in ("tcp", "udp"):
                props |= {"FromPort": low, "ToPort": high}
            resources[logical] = {"Type": "AWS::EC2::SecurityGroupIngress" if inbound else
                                  "AWS::EC2::SecurityGroupEgress", "Properties": props}
        else:
            numbers = {"-1": -1, "tcp": 6, "udp": 17, "icmp": 1}
            props = {"NetworkAclId": r["id"], "RuleNumber": r["rule"], "Egress": r["direction"] == "outbound",
                     "Protocol": numbers.get(protocol, protocol), "RuleAction": r["action"],
                     ("Ipv6CidrBlock" if _peer_kind(r["peer"]) == "ipv6" else "CidrBlock"): r["peer"]}
            if protocol in ("tcp", "udp"):
                props["PortRange"] = {"From": low, "To": high}
            resources[logical] = {"Type": "AWS::EC2::NetworkAclEntry", "Properties": props}
    head = ["# vpcflow rules suggest: remove these rules (outside this template)"]
    head += [f"#   {r['kind']} {r['id']} {r['direction']} {r['rule']}: {r['protocol']} {r['ports']} {r['peer']} "
             f"{r['action']}" for r in revoke]
    body = yaml.safe_dump({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, sort_keys=False)
    return "\n".join(head) + "\n" + body


def render(audit: Audit, proposal: list[dict], fmt: str) -> str:
    revoke, authorize = diff(audit, proposal)
    return {"aws-cli": aws_cli, "terraform": terraform, "cloudformation": cloudformation}[fmt](revoke, authorize)
