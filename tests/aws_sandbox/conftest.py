"""Sandbox and audit tests on moto's server over HTTP; the moto fixtures are imported, not loaded as a plugin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fixtures import moto_server as _plugin  # noqa: E402
from tests.fixtures.moto_server import AwsEnv  # noqa: E402
from vpcflow.aws.sandbox import SandboxSpec  # noqa: E402
from vpcflow.aws.session import AwsSession, AwsSettings  # noqa: E402

moto_server = _plugin.moto_server
aws_env = _plugin.aws_env

SSH_FROM = "203.0.113.7/32"  # TEST-NET-3: never a real caller


def make_session(env: AwsEnv, endpoint_url: str | None = None, max_attempts: int = 10) -> AwsSession:
    return AwsSession(
        AwsSettings(region=env.region, endpoint_url=endpoint_url or env.endpoint_url, max_attempts=max_attempts),
        boto_session=env.boto_session(),
    )


@pytest.fixture
def session(aws_env: AwsEnv) -> AwsSession:
    return make_session(aws_env)


@pytest.fixture
def spec() -> SandboxSpec:
    return SandboxSpec(name="lab", ssh_from=SSH_FROM)
