"""`vpcflow aws audit`: which VPCs, subnets and network interfaces a flow log covers (fields, interval,
destination), and the gaps, each a `Finding` with a severity and the command that fixes it.

A network interface is covered by a flow log on itself, its subnet or its VPC; a subnet by one on itself or its
VPC. Only what the account's API shows is judged: nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import FormatError
from ..fields import DEFAULT, LogFormat
from .analyses import coverage
from .audit_checks import (
    HIGH,
    SEVERITY_ORDER,
    Finding,
    check_bucket,
    check_log_group,
    check_roles,
    finding,
    unreadable,
)
from .errors import AwsError, aws_call
from .plan import describe_flow_logs
from .session import AwsSession
from .status import destination_uri


@dataclass
class AuditReport:
    coverage: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    @property
    def has_high(self) -> bool:
        return any(f.severity == HIGH for f in self.findings)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.region, f.check, f.resource))

    def as_dict(self) -> dict[str, Any]:
        return {
            "regions": self.regions,
            "coverage": self.coverage,
            "findings": [f.as_row() for f in self.sorted_findings()],
            "high": sum(1 for f in self.findings if f.severity == HIGH),
        }


def account_regions(session: AwsSession) -> list[str]:
    """The regions enabled for the account (DescribeRegions without opted-out ones)."""
    with aws_call("ec2:DescribeRegions", "the account"):
        regions = session.client("ec2").describe_regions(AllRegions=False)["Regions"]
    return sorted(r["RegionName"] for r in regions if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in")


def _paged(session: AwsSession, op: str, key: str, action: str) -> list[dict]:
    with aws_call(action, session.region):
        pages = session.client("ec2").get_paginator(op).paginate()
        return [x for page in pages for x in page[key]]


def _fmt(fl: dict) -> LogFormat | None:
    try:
        return LogFormat.parse(fl["LogFormat"], unknown="keep") if fl.get("LogFormat") else DEFAULT
    except FormatError:
        return None


def _describe(fls: list[dict]) -> dict[str, Any]:
    """The coverage columns of the flow logs that apply to one resource."""
    fmts = [_fmt(fl) for fl in fls]
    return {
        "covered": bool(fls),
        "flow_logs": ",".join(fl["FlowLogId"] for fl in fls),
        "traffic": ",".join(sorted({fl.get("TrafficType", "") for fl in fls})),
        "fields": ",".join(f"v{f.version} ({len(f.fields)} fields)" if f else "unreadable" for f in fmts),
        "interval": min((int(fl.get("MaxAggregationInterval") or 600) for fl in fls), default=None),
        "destination": ",".join(sorted({destination_uri(fl) for fl in fls})),
        "delivery": ",".join(sorted({fl.get("DeliverLogsStatus") or "?" for fl in fls})),
    }


def audit_region(session: AwsSession) -> AuditReport:
    region = session.region
    flow_logs = [fl for fl in describe_flow_logs(session) if fl.get("FlowLogStatus", "ACTIVE") == "ACTIVE"]
    on: dict[str, list[dict]] = {}
    for fl in flow_logs:
        on.setdefault(fl.get("ResourceId", ""), []).append(fl)
    vpcs = _paged(session, "describe_vpcs", "Vpcs", "ec2:DescribeVpcs")
    subnets = _paged(session, "describe_subnets", "Subnets", "ec2:DescribeSubnets")
    enis = _paged(session, "describe_network_interfaces", "NetworkInterfaces", "ec2:DescribeNetworkInterfaces")
    report = AuditReport(regions=[region])
    rows = report.coverage
    for vpc in vpcs:
        rows.append(
            {
                "region": region,
                "type": "vpc",
                "resource": vpc["VpcId"],
                "vpc": vpc["VpcId"],
                **_describe(on.get(vpc["VpcId"], [])),
            }
        )
    for sn in subnets:
        fls = on.get(sn["SubnetId"], []) + on.get(sn["VpcId"], [])
        rows.append(
            {"region": region, "type": "subnet", "resource": sn["SubnetId"], "vpc": sn["VpcId"], **_describe(fls)}
        )
    for eni in enis:
        fls = on.get(eni["NetworkInterfaceId"], []) + on.get(eni.get("SubnetId", ""), []) + on.get(eni["VpcId"], [])
        rows.append(
            {
                "region": region,
                "type": "network-interface",
                "resource": eni["NetworkInterfaceId"],
                "vpc": eni["VpcId"],
                **_describe(fls),
            }
        )
    report.findings += _coverage_findings(region, rows)
    report.findings += _flow_log_findings(session, flow_logs)
    return report


def _coverage_findings(region: str, rows: list[dict]) -> list[Finding]:
    out = []
    for vpc in (r for r in rows if r["type"] == "vpc" and not r["covered"]):
        inside = [r for r in rows if r["vpc"] == vpc["resource"] and r["type"] != "vpc"]
        enis = [r for r in inside if r["type"] == "network-interface"]
        if not any(r["covered"] for r in inside):
            check = "uncovered-vpc" if enis else "uncovered-empty-vpc"
            out.append(
                finding(
                    check,
                    region,
                    vpc["resource"],
                    f"no flow log on the VPC or inside it ({len(enis)} network interfaces unlogged)",
                )
            )
            continue
        logged = next(r for r in inside if r["covered"])
        for sn in (r for r in inside if r["type"] == "subnet" and not r["covered"]):
            out.append(
                finding(
                    "uncovered-subnet",
                    region,
                    sn["resource"],
                    f"other subnets of {vpc['resource']} are logged, this one is not",
                    destination=logged["destination"].split(",")[0],
                )
            )
    return out


def _flow_log_findings(session: AwsSession, flow_logs: list[dict]) -> list[Finding]:
    region, out = session.region, []
    seen_groups: set[str] = set()
    seen_buckets: set[str] = set()
    for fl in flow_logs:
        res, dest = fl.get("ResourceId", "?"), destination_uri(fl)
        if fl.get("DeliverLogsStatus") == "FAILED":
            out.append(
                finding(
                    "delivery-failed",
                    region,
                    res,
                    f"{fl['FlowLogId']} to {dest}: {fl.get('DeliverLogsErrorMessage') or 'no message'}",
                    destination=dest,
                )
            )
        if fl.get("TrafficType", "ALL") != "ALL":
            out.append(
                finding(
                    "partial-traffic",
                    region,
                    res,
                    f"{fl['FlowLogId']} records {fl['TrafficType']} only",
                    destination=dest,
                )
            )
        interval = int(fl.get("MaxAggregationInterval") or 600)
        if interval > 60:
            out.append(
                finding(
                    "coarse-interval", region, res, f"{fl['FlowLogId']} aggregates over {interval} s", destination=dest
                )
            )
        fmt = _fmt(fl)
        lacking = sorted(why for why in coverage(fmt, None)[1].values()) if fmt else ["unreadable format"]
        if lacking:
            out.append(
                finding(
                    "format-lacks-fields", region, res, f"{fl['FlowLogId']}: {'; '.join(lacking)}", destination=dest
                )
            )
        if fl.get("LogDestinationType", "cloud-watch-logs") == "cloud-watch-logs":
            group = dest.removeprefix("cloudwatch://")
            if group not in seen_groups:
                seen_groups.add(group)
                out += _checked(check_log_group, session, group, res, dest)
        elif fl.get("LogDestinationType") == "s3":
            bucket = dest.removeprefix("s3://").split("/")[0]
            if bucket not in seen_buckets:
                seen_buckets.add(bucket)
                out += _checked(check_bucket, session, bucket, res, dest)
    return out


def _checked(check: Callable[..., list[Finding]], session: AwsSession, destination: str, *args: str) -> list[Finding]:
    """The destination's findings; a destination AWS refused to show becomes a finding, and the audit goes on."""
    try:
        return check(session, destination, *args)
    except AwsError as err:
        return [unreadable(session.region, destination, err)]


def audit(session: AwsSession, regions: list[str] | None = None) -> AuditReport:
    """Audit the given regions (default: every region enabled for the account) and the account's IAM roles."""
    regions = regions or account_regions(session)
    report = AuditReport()
    for region in regions:
        regional = (
            session
            if region == session.region
            else AwsSession(replace(session.settings, region=region), boto_session=_boto_for(session, region))
        )
        part = audit_region(regional)
        report.regions += part.regions
        report.coverage += part.coverage
        report.findings += part.findings
    report.findings += check_roles(session)
    return report


def _boto_for(session: AwsSession, region: str):
    """A boto3 session like the caller's (same credentials) in another region."""
    import boto3

    creds = session.boto.get_credentials()
    if creds is None or session.settings.profile:  # a profile refreshes its own credentials
        return boto3.Session(profile_name=session.settings.profile, region_name=region)
    frozen = creds.get_frozen_credentials()
    return boto3.Session(
        aws_access_key_id=frozen.access_key,
        aws_secret_access_key=frozen.secret_key,
        aws_session_token=frozen.token,
        region_name=region,
    )


__all__ = ["AuditReport", "account_regions", "audit", "audit_region"]
