"""What a sandbox is: its name, address plan, who may SSH in, its tags, and the user data its web servers run.

Everything here is data decided before AWS is called; `build.py` turns it into resources.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ...errors import VpcFlowError

SANDBOX_TAG = "vpcflow:sandbox"  # every resource a sandbox creates carries it; down deletes only these
DEFAULT_NAME = "vpcflow-sandbox"
DEFAULT_CIDR = "10.244.0.0/24"
INSTANCE_TYPE = "t3.micro"
INSTANCE_COUNT = 2
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
# What the SSM agent needs for Run Command (the core of AWS's AmazonSSMManagedInstanceCore), inline so the role
# carries nothing else and needs no managed policy.
SSM_AGENT_POLICY_NAME = "ssm-run-command"
SSM_AGENT_ACTIONS = (
    "ssm:UpdateInstanceInformation",
    "ssm:ListInstanceAssociations",
    "ssm:DescribeDocument",
    "ssm:GetDocument",
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
# the one address-lookup endpoint vpcflow calls, and only for `--ssh-from auto`
CHECKIP_URL = "https://checkip.amazonaws.com"
LOG_RETENTION_DAYS = 1

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,30}$")

# The web page and the outbound traffic each instance makes on its own (AL2023 ships python3 and curl).
USER_DATA = """#!/bin/bash
set -u
mkdir -p /srv/www
echo "<h1>vpcflow sandbox {name}: $(hostname)</h1>" > /srv/www/index.html
cat > /etc/systemd/system/sandbox-web.service <<'UNIT'
[Unit]
Description=vpcflow sandbox web page
[Service]
WorkingDirectory=/srv/www
ExecStart=/usr/bin/python3 -m http.server 80
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/sandbox-outbound.service <<'UNIT'
[Unit]
Description=vpcflow sandbox outbound traffic
[Service]
ExecStart=/bin/bash -c 'while true; do curl -s -o /dev/null https://aws.amazon.com/; \
curl -s -o /dev/null http://169.254.169.254/ || true; dnf -q check-update >/dev/null 2>&1; sleep 60; done'
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now sandbox-web.service sandbox-outbound.service
"""


@dataclass(frozen=True)
class SandboxSpec:
    name: str = DEFAULT_NAME
    cidr: str = DEFAULT_CIDR
    ssh_from: str | None = None  # a CIDR; None opens no SSH at all
    instance_type: str = INSTANCE_TYPE

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise VpcFlowError(
                f"sandbox name {self.name!r} is not usable",
                hint="use a letter then up to 30 letters, digits or dashes",
            )
        try:
            net = ipaddress.ip_network(self.cidr)
        except ValueError as exc:
            raise VpcFlowError(f"VPC CIDR {self.cidr!r} is not a network: {exc}", hint="e.g. 10.244.0.0/24") from exc
        if net.version != 4 or not 16 <= net.prefixlen <= 26:
            raise VpcFlowError(f"VPC CIDR {self.cidr} must be IPv4 between /16 and /26 (AWS's VPC limits, two subnets)")
        if self.ssh_from is not None:
            check_ssh_cidr(self.ssh_from)

    @property
    def subnet_cidrs(self) -> tuple[str, str]:
        """Two equal halves of the VPC, one per availability zone."""
        low, high = ipaddress.ip_network(self.cidr).subnets(prefixlen_diff=1)
        return str(low), str(high)

    @property
    def log_group(self) -> str:
        return f"/vpcflow/sandbox/{self.name}"

    @property
    def destination(self) -> str:
        return f"cloudwatch://{self.log_group}"

    @property
    def instance_role(self) -> str:
        return f"{self.name}-ssm"  # lets SSM Run Command reach the instances for `sandbox traffic`

    def user_data(self) -> str:
        return USER_DATA.replace("{name}", self.name)

    def tags(self, what: str) -> list[dict[str, str]]:
        return [{"Key": SANDBOX_TAG, "Value": self.name}, {"Key": "Name", "Value": f"{self.name}-{what}"}]

    def tag_spec(self, resource_type: str, what: str) -> list[dict]:
        return [{"ResourceType": resource_type, "Tags": self.tags(what)}]


def check_ssh_cidr(cidr: str) -> str:
    """A CIDR SSH may come from; the whole internet is refused."""
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError as exc:
        raise VpcFlowError(f"--ssh-from {cidr!r} is not an address or CIDR", hint="e.g. 203.0.113.7/32") from exc
    if net.version != 4:
        raise VpcFlowError(f"--ssh-from {cidr} is IPv6; the sandbox is IPv4 only", hint="give an IPv4 CIDR")
    if net.prefixlen < 8:
        raise VpcFlowError(
            f"--ssh-from {cidr} would open SSH to a large part of the internet",
            hint="give your own address, e.g. 203.0.113.7/32, or use --ssh-from auto",
        )
    return str(net)


def resolve_ssh_from(value: str | None, *, lookup=None) -> str | None:
    """`None`: no SSH. A CIDR: that. `auto`: ask CHECKIP_URL once for the caller's public address (the user's choice)."""
    if value is None or value == "":
        return None
    if value != "auto":
        return check_ssh_cidr(value)
    if lookup is None:
        import urllib.request

        def lookup() -> str:
            with urllib.request.urlopen(CHECKIP_URL, timeout=10) as resp:  # noqa: S310 - fixed https URL
                return resp.read().decode()

    try:
        address = ipaddress.ip_address(lookup().strip())
    except (OSError, ValueError) as exc:  # no network, an HTTP error, or an answer that is not an address
        raise VpcFlowError(
            f"could not learn your public address from {CHECKIP_URL}: {exc}",
            hint="pass --ssh-from YOUR.IP/32 instead",
        ) from exc
    return check_ssh_cidr(f"{address}/32")
