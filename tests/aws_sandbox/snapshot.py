"""A full describe of what a sandbox could leave behind, to compare an account before and after."""

from __future__ import annotations

from tests.fixtures.moto_server import AwsEnv


def account_snapshot(env: AwsEnv) -> dict[str, list]:
    ec2, iam, logs = env.client("ec2"), env.client("iam"), env.client("logs")
    instances = [
        (i["InstanceId"], i["State"]["Name"])
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        # moto, like AWS for about an hour, still lists terminated instances: they no longer exist or cost
        if i["State"]["Name"] != "terminated"
    ]
    vpcs = sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
    return {
        "vpcs": vpcs,
        "subnets": sorted(s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]),
        "internet_gateways": sorted(
            g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]
        ),
        "route_tables": sorted(t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]),
        "security_groups": sorted(g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]),
        # moto gap: DeleteVpc leaves the VPC's default network ACL behind (AWS deletes it with the VPC)
        "network_acls": sorted(
            a["NetworkAclId"] for a in ec2.describe_network_acls()["NetworkAcls"] if a["VpcId"] in vpcs
        ),
        "instances": sorted(instances),
        "flow_logs": sorted(f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]),
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
        "instance_profiles": sorted(p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]),
        "log_groups": sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]),
    }
