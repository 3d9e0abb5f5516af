"""AWS tests run against moto's server over HTTP; helpers build a VPC to provision on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the repository root holds the `tests` package; until the root conftest loads the plugin, import it here
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fixtures import moto_server as _plugin  # noqa: E402
from tests.fixtures.moto_server import AwsEnv  # noqa: E402
from vpcflow.aws.session import AwsSession, AwsSettings  # noqa: E402

moto_server = _plugin.moto_server
aws_env = _plugin.aws_env


@pytest.fixture
def session(aws_env: AwsEnv) -> AwsSession:
    return AwsSession(
        AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url),
        boto_session=aws_env.boto_session(),
    )


@pytest.fixture
def vpc(aws_env: AwsEnv) -> dict:
    """A VPC with one subnet and one network interface."""
    ec2 = aws_env.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    return {"vpc": vpc_id, "subnet": subnet_id, "eni": eni_id}
