"""`sandbox down`: delete what the sandbox's tag marks, in dependency order, waiting on AWS's state (no sleeps).

Every run starts from a fresh inventory, and a resource already gone counts as deleted, so a run that stopped
halfway (throttling, a resource deleted by hand, Ctrl-C) is finished by running `down` again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import botocore.exceptions
import botocore.waiter

from ..apply import destroy
from ..errors import AwsCall, AwsError, aws_call
from ..plan import plan_destroy
from ..session import AwsSession
from .inventory import Inventory, inventory
from .spec import SandboxSpec

Progress = Callable[[str], None]

_GONE = {
    "InvalidInstanceID.NotFound",
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidNetworkAclID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidAssociationID.NotFound",
    "Gateway.NotAttached",
    "InvalidFlowLogId.NotFound",
    "NoSuchEntity",
    "ResourceNotFoundException",
}

# A waiter for "no network interface left in these groups / this VPC": botocore ships none.
_ENI_WAITERS = botocore.waiter.WaiterModel(
    {
        "version": 2,
        "waiters": {
            "NetworkInterfacesGone": {
                "operation": "DescribeNetworkInterfaces",
                "delay": 5,
                "maxAttempts": 60,
                "acceptors": [
                    {
                        "matcher": "path",
                        "argument": "length(NetworkInterfaces[]) == `0`",
                        "expected": True,
                        "state": "success",
                    },
                ],
            }
        },
    }
)


@dataclass
class DownResult:
    name: str
    deleted: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Teardown:
    def __init__(self, session: AwsSession, spec: SandboxSpec, progress: Progress):
        self.session, self.spec, self.say = session, spec, progress
        self.ec2 = session.client("ec2")
        self.iam = session.client("iam")
        self.result = DownResult(spec.name)

    def delete(self, kind: str, rid: str, action: str, fn, _enis: list[dict] | None = None, **kwargs) -> None:
        """Call `fn`; a resource that is already gone is fine (someone, or an earlier run, deleted it).

        With `_enis`, a DependencyViolation waits until no network interface matches those filters (a terminated
        instance's interface lingers for a while), then tries once more.
        """
        busy = {"DependencyViolation"} if _enis is not None else set()
        call = self.call(kind, rid, action, fn, tolerate=_GONE | busy, **kwargs)
        if call.code in busy:
            self.say(f"{kind} {rid}: waiting for its network interfaces to go")
            self.wait_enis_gone(_enis, f"network interfaces of {kind} {rid}")
            call = self.call(kind, rid, action, fn, tolerate=_GONE, **kwargs)
        outcome = "already gone" if call.tolerated else "deleted"
        self.result.deleted.append({"kind": kind, "id": rid, "outcome": outcome})
        self.say(f"{kind} {rid}: {outcome}")

    def call(self, kind: str, rid: str, action: str, fn, *, tolerate=frozenset(), **kwargs) -> AwsCall:
        """`fn(**kwargs)`; an AWS error outside `tolerate` stops the teardown with a message saying so."""
        try:
            with aws_call(action, f"{kind} {rid}", tolerate=tolerate) as call:
                fn(**kwargs)
        except AwsError as err:
            self.stop(kind, rid, err)
        return call

    def stop(self, kind: str, rid: str, err: AwsError):
        raise AwsError(
            f"sandbox down stopped at {kind} {rid}: {err.message}"
            + (f" ({err.hint})" if err.hint and "run again" not in err.hint else ""),
            location=self.spec.name,
            hint="what was deleted stays deleted; run `vpcflow aws sandbox down` again to finish",
            code=err.code,
        ) from err

    def wait(self, what: str, action: str, fn, **kwargs) -> None:
        def wait_until_gone() -> None:
            try:
                fn(**kwargs)
            except botocore.exceptions.WaiterError as exc:  # a waiter that failed on "not found": it is gone
                last = getattr(exc, "last_response", {}) or {}
                if error_code_of(last) not in _GONE:
                    raise

        self.call("waiter", what, action, wait_until_gone)

    def wait_enis_gone(self, filters: list[dict], what: str) -> None:
        waiter = botocore.waiter.create_waiter_with_client("NetworkInterfacesGone", _ENI_WAITERS, self.ec2)
        self.wait(what, "ec2:DescribeNetworkInterfaces", waiter.wait, Filters=filters)

    def run(self, inv: Inventory) -> DownResult:
        ec2, iam = self.ec2, self.iam
        instances = inv.ids("instance")
        if instances:
            self.delete(
                "instances",
                ", ".join(instances),
                "ec2:TerminateInstances",
                ec2.terminate_instances,
                InstanceIds=instances,
            )
            self.wait(
                ", ".join(instances),
                "ec2:DescribeInstances",
                ec2.get_waiter("instance_terminated").wait,
                InstanceIds=instances,
            )
        if inv.of("flow-log") or inv.of("delivery-role"):
            self.flow_logs()
        for profile in inv.of("instance-profile"):
            for role in profile.detail.get("roles", []):
                self.delete(
                    "instance-profile-role",
                    f"{profile.id}/{role}",
                    "iam:RemoveRoleFromInstanceProfile",
                    iam.remove_role_from_instance_profile,
                    InstanceProfileName=profile.id,
                    RoleName=role,
                )
            self.delete(
                "instance-profile",
                profile.id,
                "iam:DeleteInstanceProfile",
                iam.delete_instance_profile,
                InstanceProfileName=profile.id,
            )
        for role in inv.ids("instance-role"):
            self.instance_role(role)
        vpcs = inv.ids("vpc")
        for igw in inv.of("internet-gateway"):
            for vpc in igw.detail.get("vpcs", []):
                self.delete(
                    "internet-gateway-attachment",
                    f"{igw.id}/{vpc}",
                    "ec2:DetachInternetGateway",
                    ec2.detach_internet_gateway,
                    InternetGatewayId=igw.id,
                    VpcId=vpc,
                )
            self.delete(
                "internet-gateway",
                igw.id,
                "ec2:DeleteInternetGateway",
                ec2.delete_internet_gateway,
                InternetGatewayId=igw.id,
            )
        for acl in inv.ids("network-acl"):
            self.release_acl(acl)
            self.delete("network-acl", acl, "ec2:DeleteNetworkAcl", ec2.delete_network_acl, NetworkAclId=acl)
        for subnet in inv.ids("subnet"):
            self.delete(
                "subnet",
                subnet,
                "ec2:DeleteSubnet",
                ec2.delete_subnet,
                SubnetId=subnet,
                _enis=[{"Name": "subnet-id", "Values": [subnet]}],
            )
        for rt in inv.of("route-table"):
            for assoc in rt.detail.get("associations", []):  # mostly gone with their subnets already
                self.delete(
                    "route-table-association",
                    assoc,
                    "ec2:DisassociateRouteTable",
                    ec2.disassociate_route_table,
                    AssociationId=assoc,
                )
            self.delete("route-table", rt.id, "ec2:DeleteRouteTable", ec2.delete_route_table, RouteTableId=rt.id)
        for sg in inv.ids("security-group"):
            self.delete(
                "security-group",
                sg,
                "ec2:DeleteSecurityGroup",
                ec2.delete_security_group,
                GroupId=sg,
                _enis=[{"Name": "group-id", "Values": [sg]}],
            )
        for vpc in vpcs:
            self.delete("vpc", vpc, "ec2:DeleteVpc", ec2.delete_vpc, VpcId=vpc)
        for group in inv.ids("log-group"):
            logs = self.session.client("logs")
            self.delete("log-group", group, "logs:DeleteLogGroup", logs.delete_log_group, logGroupName=group)
        return self.result

    def release_acl(self, acl: str) -> None:
        """Give the ACL's subnets back to their VPC's default ACL, as AWS does when a subnet is deleted."""
        ec2 = self.ec2

        def release() -> None:
            found = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
            for a in found[0]["Associations"] if found else []:
                default = ec2.describe_network_acls(
                    Filters=[{"Name": "vpc-id", "Values": [found[0]["VpcId"]]}, {"Name": "default", "Values": ["true"]}]
                )["NetworkAcls"][0]["NetworkAclId"]
                ec2.replace_network_acl_association(AssociationId=a["NetworkAclAssociationId"], NetworkAclId=default)
                self.say(f"subnet {a['SubnetId']}: back on the default network ACL {default}")

        self.call("network-acl", acl, "ec2:ReplaceNetworkAclAssociation", release, tolerate=_GONE)

    def flow_logs(self) -> None:
        """Through the provisioning code: the flow log, then its delivery role once nothing uses it."""
        try:
            plan = plan_destroy(self.session, [], self.spec.destination)
            done = destroy(self.session, plan)
        except AwsError as exc:
            raise AwsError(
                f"sandbox down stopped at the flow log: {exc.message}",
                location=self.spec.name,
                hint="what was deleted stays deleted; run `vpcflow aws sandbox down` again to finish",
            ) from exc
        for row in done.done:
            self.result.deleted.append({"kind": row["kind"], "id": row["name"], "outcome": "deleted"})
            self.say(f"{row['kind']} {row['name']}: deleted")

    def instance_role(self, role: str) -> None:
        iam = self.iam
        policies: dict[str, list] = {}

        def list_policies() -> None:
            policies["attached"] = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
            policies["inline"] = iam.list_role_policies(RoleName=role)["PolicyNames"]

        if self.call("iam-role", role, "iam:ListAttachedRolePolicies", list_policies, tolerate=_GONE).tolerated:
            return
        attached, inline = policies["attached"], policies["inline"]
        for p in attached:
            self.delete(
                "role-policy-attachment",
                f"{role}/{p['PolicyName']}",
                "iam:DetachRolePolicy",
                iam.detach_role_policy,
                RoleName=role,
                PolicyArn=p["PolicyArn"],
            )
        for name in inline:
            self.delete(
                "role-policy",
                f"{role}/{name}",
                "iam:DeleteRolePolicy",
                iam.delete_role_policy,
                RoleName=role,
                PolicyName=name,
            )
        self.delete("iam-role", role, "iam:DeleteRole", iam.delete_role, RoleName=role)


def error_code_of(response: dict) -> str | None:
    return (response.get("Error") or {}).get("Code")


def down(session: AwsSession, spec: SandboxSpec, progress: Progress = lambda _m: None) -> DownResult:
    """Delete everything tagged as this sandbox's. Idempotent: with nothing left, it deletes nothing."""
    inv = inventory(session, spec)
    result = _Teardown(session, spec, progress).run(inv)
    if inv.empty:
        result.notes.append(f"nothing tagged {spec.name!r} in {session.region}: nothing to delete")
    return result


__all__ = ["DownResult", "down"]
