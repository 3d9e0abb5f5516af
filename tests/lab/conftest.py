"""Lab fixtures: a state folder per test and a teardown that runs even when the test fails."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support import require
from vpcflow.lab import can_run, down


def lab_ready(*tools: str) -> None:
    """Skip (fail under CI=true) without root, `ip netns`, nft or the named tools."""
    reason = can_run()
    require(reason is None, "the lab (root, iproute2, nftables)", reason or "")
    for tool in tools:
        require(shutil.which(tool) is not None, tool, f"apt-get install -y {tool}")
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True)
    require(probe.returncode == 0, "ip netns", "network namespaces are not available here")


@pytest.fixture
def state_dir(tmp_path):
    """Where the test's labs record themselves; every lab left there is removed afterwards."""
    folder = tmp_path / "lab-state"
    folder.mkdir()
    yield folder
    down(folder)
